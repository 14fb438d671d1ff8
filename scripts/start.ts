/**
 * `npm start`: runs the Cliprelay dev stack on embedded defaults, no configuration: the TikTok
 * sandbox with a seeded creator, the dev identity provider standing in for Auth0, and the API
 * on PGlite in ./.data. The web app joins it when it lands. Ctrl-C stops everything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { startDevIdentity } from '@cliprelay/dev-identity';
import { startSandbox } from '@cliprelay/tiktok-sandbox';

const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 4010);
const IDENTITY_PORT = Number(process.env.IDENTITY_PORT ?? 4020);
const API_PORT = Number(process.env.API_PORT ?? 3000);
const WEB_ORIGIN = process.env.WEB_ORIGIN ?? 'http://localhost:5173';
/** Where PULL_FROM_URL videos will come from in development (the API's default verified prefix). */
const DEV_MEDIA_PREFIX = 'http://localhost:4030/media/';

const DATA_DIR = join(process.cwd(), '.data');
const API_URL = `http://localhost:${API_PORT}`;

const stops: (() => Promise<unknown>)[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
  process.exit(code);
}

async function main(): Promise<void> {
  const sandbox = await listening('TikTok sandbox', SANDBOX_PORT, 'SANDBOX_PORT', () =>
    startSandbox({
      port: SANDBOX_PORT,
      publicUrl: `http://localhost:${SANDBOX_PORT}`,
      redirectUri: [`${API_URL}/tiktok/oauth/callback`],
      verifiedPrefix: [DEV_MEDIA_PREFIX],
      allowHttpPull: true,
      // Creators, tokens and posts survive a restart, so accounts stay connected between runs.
      stateFile: join(DATA_DIR, 'tiktok-sandbox', 'state.json'),
      creators: [
        {
          username: 'cliprelay.demo',
          nickname: 'Cliprelay Demo',
          // An unaudited app may only post to private accounts (tiktok-api.md §6.2).
          private_account: true,
          max_video_post_duration_sec: 600,
        },
      ],
    }),
  );
  stops.push(() => sandbox.close());

  const identity = await listening('dev identity provider', IDENTITY_PORT, 'IDENTITY_PORT', () =>
    startDevIdentity({
      port: IDENTITY_PORT,
      webOrigin: WEB_ORIGIN,
      // Sign-ins survive a restart of npm start.
      keyFile: join(DATA_DIR, 'dev-identity', 'signing-key.json'),
    }),
  );
  stops.push(() => identity.close());

  const api = startApi({
    PORT: String(API_PORT),
    DATA_DIR,
    AUTH_ISSUER_URL: identity.issuer,
    TIKTOK_API_BASE_URL: sandbox.url,
    TIKTOK_AUTH_BASE_URL: sandbox.url,
    TIKTOK_CLIENT_KEY: sandbox.options.clientKey,
    TIKTOK_CLIENT_SECRET: sandbox.options.clientSecret,
    TIKTOK_REDIRECT_URI: `${API_URL}/tiktok/oauth/callback`,
    TIKTOK_VERIFIED_URL_PREFIXES: DEV_MEDIA_PREFIX,
    CORS_ORIGINS: WEB_ORIGIN,
    WEB_APP_URL: WEB_ORIGIN,
  });
  stops.push(() => stopChild(api));
  await waitForHealth(api);

  console.log(`
Cliprelay dev stack is running
  API              ${API_URL}   OpenAPI page: ${API_URL}/docs
  Sign-in (OIDC)   ${identity.url}   dev users: Alice and Bob
  TikTok sandbox   ${sandbox.url}/_sandbox/   creators and what TikTok received
  Data             ${DATA_DIR}   delete it to start afresh

The API logs one JSON line per request below. Press Ctrl-C to stop.`);
}

/** The API as its own process: `npm run start:api` with this stack's URLs. */
function startApi(env: Record<string, string>): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', join('apps', 'api', 'src', 'main.ts')],
    {
      env: { ...process.env, SWC_NODE_PROJECT: join('apps', 'api', 'tsconfig.json'), ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  child.once('exit', (code) => {
    if (stopping) return;
    console.error(`npm start: the API stopped (exit code ${code ?? 'signal'}); stopping the stack.`);
    void stopAll(1);
  });
  return child;
}

async function waitForHealth(child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${API_URL}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the API did not become healthy at ${API_URL}/health within 60 s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function listening<T>(
  what: string,
  port: number,
  variable: string,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'EADDRINUSE' || (error instanceof Error && error.name === 'PortInUseError')) {
      throw new Error(
        `port ${port} for the ${what} is already in use. Stop what uses it, or set ${variable}.`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

main().catch(async (error: unknown) => {
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
});
