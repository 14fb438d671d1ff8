/**
 * Runs the product for the whole suite the way a new user does: `npm start` (which builds the web
 * app when needed), here on free ports and with its data in a temp folder so that a developer's own
 * `npm start` and ./.data are left alone. The tests find its URLs in CLIPRELAY_E2E. At the end,
 * Ctrl-C must stop every part: the teardown fails the run if a port is left open.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, npmStart, openPorts, whenReady } from './npm-start.ts';

export const RESULTS_DIR = fileURLToPath(new URL('../test-results/', import.meta.url));

export default async function globalSetup(): Promise<() => Promise<void>> {
  await rm(join(RESULTS_DIR, 'screenshots'), { recursive: true, force: true });
  await mkdir(RESULTS_DIR, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'cliprelay-e2e-'));
  const ports = await freePorts();
  const log = join(RESULTS_DIR, 'npm-start.log');
  await rm(log, { force: true });
  const start = npmStart({ dataDir, ports, log });
  try {
    await whenReady(start);
  } catch (error) {
    await start.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  process.env.CLIPRELAY_E2E = JSON.stringify(start.urls);

  return async () => {
    const exit = await start.stop();
    const open = await openPorts(ports);
    // The API's log outlives the temp folder, for whoever reads a failed run.
    await copyFile(join(dataDir, 'api.log'), join(RESULTS_DIR, 'api.log')).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    // npm passes the Ctrl-C on to `npm start` and then ends by the same signal, as it does in a terminal.
    if (exit !== 0 && exit !== 'SIGINT')
      throw new Error(`npm start exited with ${exit} on Ctrl-C (its output: ${log})`);
    if (open.length > 0) throw new Error(`Ctrl-C left ports ${open.join(', ')} of npm start open`);
  };
}
