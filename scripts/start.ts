/**
 * `npm start`: runs what exists of the Cliprelay stack on embedded defaults, no configuration.
 * Today that is the TikTok sandbox with a seeded creator; the API, the identity provider and
 * the web app join it as they land.
 */
import { join } from 'node:path';
import { startSandbox } from '@cliprelay/tiktok-sandbox';

const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 4010);
const API_URL = process.env.API_URL ?? 'http://localhost:3000';

async function main(): Promise<void> {
  const sandbox = await startSandbox({
    port: SANDBOX_PORT,
    publicUrl: `http://localhost:${SANDBOX_PORT}`,
    redirectUri: [`${API_URL}/tiktok/oauth/callback`],
    // Creators, tokens and posts survive a restart, so accounts stay connected between runs.
    stateFile: join(process.cwd(), '.data', 'tiktok-sandbox', 'state.json'),
    creators: [
      {
        username: 'cliprelay.demo',
        nickname: 'Cliprelay Demo',
        // An unaudited app may only post to private accounts (tiktok-api.md §6.2).
        private_account: true,
        max_video_post_duration_sec: 600,
      },
    ],
  });
  console.log(`
Cliprelay dev stack
  TikTok sandbox   ${sandbox.url}/_sandbox/   (dashboard: creators and what TikTok received)
  client_key       ${sandbox.options.clientKey}

Press Ctrl-C to stop.`);
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'EADDRINUSE') {
    console.error(
      `npm start: port ${SANDBOX_PORT} is already in use. Stop what uses it, or set SANDBOX_PORT.`,
    );
  } else {
    console.error('npm start failed:', error);
  }
  process.exit(1);
});
