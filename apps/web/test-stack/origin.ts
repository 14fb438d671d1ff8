/**
 * The port of Vitest's browser server, which is the web app's origin in tests: the API's CORS and
 * dev identity's redirect URIs must know it before the stack starts. The config picks a free port
 * and hands it to the global setup through the environment (both run in Vitest's main process),
 * so several runs can share a machine.
 */
import { createServer } from 'node:net';

const VARIABLE = 'CLIPRELAY_WEB_TEST_PORT';

export async function testPort(): Promise<number> {
  const given = Number(process.env[VARIABLE]);
  if (Number.isInteger(given) && given > 0) return given;
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  process.env[VARIABLE] = String(port);
  return port;
}

export async function testOrigin(): Promise<string> {
  return `http://localhost:${await testPort()}`;
}
