/**
 * `npm start`: the whole product on embedded defaults, no configuration. Builds the web app when
 * its sources changed, starts the dev stack (TikTok sandbox, dev identity provider, dev media host,
 * the API on an embedded PostgreSQL, the web app) with its state in ./.data, seeds a TikTok creator and each dev
 * user's media library, and prints the URL to open. Ctrl-C stops every part; the next start finds
 * the same data.
 *
 * `npm run dev` (`--dev`) is the same stack with the web app on Vite's dev server instead of the
 * built files: edits to apps/web show at once.
 *
 * Environment (all optional): WEB_PORT, API_PORT, SANDBOX_PORT, IDENTITY_PORT, MEDIA_PORT,
 * DATA_DIR, DATABASE_URL (a PostgreSQL of your own instead of the embedded one), SANDBOX_AUDITED (true: the sandbox acts as an app TikTok audited; false: a new app,
 * which may only post privately to private accounts).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative, resolve } from 'node:path';
import type { RunningDevStack, StackPart } from '@cliprelay/dev-stack';
import { API_BUILD, needsBuild, runBuild } from '@cliprelay/test-kit/builds';

/**
 * The dev stack, loaded without oidc-provider's one-line "Unsupported runtime" notice: it asks
 * for Node 22, and everything the dev identity provider does works on Node 20 (its tests run
 * there). A new user should not read a warning about a machine they were told is fine.
 */
async function loadDevStack() {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('oidc-provider WARNING: Unsupported runtime')) warn(...args);
  };
  try {
    return await import('@cliprelay/dev-stack');
  } finally {
    console.warn = warn;
  }
}
const { addSampleMedia, buildWebApp, PART_NAMES, PortInUseError, signIn, startDevStack, webAppNeedsBuild } =
  await loadDevStack();

/** Each part's port, and the variable that moves it. */
const PORTS: Record<StackPart, { variable: string; fallback: number }> = {
  web: { variable: 'WEB_PORT', fallback: 5173 },
  api: { variable: 'API_PORT', fallback: 3000 },
  sandbox: { variable: 'SANDBOX_PORT', fallback: 4010 },
  identity: { variable: 'IDENTITY_PORT', fallback: 4020 },
  media: { variable: 'MEDIA_PORT', fallback: 4030 },
};

/** Problems a user can fix; printed as they are, without a stack trace. */
class StartError extends Error {}

function readSettings() {
  const problems: string[] = [];
  const ports = {} as Record<StackPart, number>;
  for (const [part, { variable, fallback }] of Object.entries(PORTS) as [
    StackPart,
    (typeof PORTS)[StackPart],
  ][]) {
    const raw = process.env[variable];
    const port = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      problems.push(`${variable} must be a port number (1–65535), got "${raw}"`);
    }
    ports[part] = port;
  }
  const audited = (process.env.SANDBOX_AUDITED ?? 'true').toLowerCase();
  if (audited !== 'true' && audited !== 'false') {
    problems.push(`SANDBOX_AUDITED must be true or false, got "${process.env.SANDBOX_AUDITED}"`);
  }
  if (problems.length > 0) throw new StartError(problems.join('\n'));
  return {
    ports,
    audited: audited === 'true',
    dataDir: resolve(process.env.DATA_DIR || '.data'),
    databaseUrl: process.env.DATABASE_URL || undefined,
  };
}

/** Every part's port that something else already listens on, checked before anything starts. */
async function busyPorts(ports: Record<StackPart, number>): Promise<StackPart[]> {
  const busy: StackPart[] = [];
  for (const part of Object.keys(ports) as StackPart[]) {
    const free = await new Promise<boolean>((settle) => {
      const probe = createServer();
      probe.once('error', () => settle(false));
      probe.listen(ports[part], '127.0.0.1', () => probe.close(() => settle(true)));
    });
    if (!free) busy.push(part);
  }
  return busy;
}

function busyPortsMessage(parts: StackPart[], ports: Record<StackPart, number>): string {
  const lines = parts.map(
    (part) => `  ${ports[part]} for the ${PART_NAMES[part]}: set ${PORTS[part].variable} to use another port`,
  );
  return [
    `cannot start: ${parts.length === 1 ? 'a port is' : 'ports are'} already in use`,
    ...lines,
    'Is another `npm start` still running? Stop it with Ctrl-C in its terminal, or choose free ports,',
    `e.g. ${PORTS[parts[0] ?? 'web'].variable}=${(ports[parts[0] ?? 'web'] ?? 0) + 100} npm start`,
  ].join('\n');
}

/**
 * The seed: one TikTok creator in the sandbox (only when it has none, so a second start keeps
 * what the user made), and the sample videos in each dev user's media library (skipping those
 * already there).
 */
function demoCreator(audited: boolean) {
  return {
    username: 'cliprelay.demo',
    nickname: 'Cliprelay Demo',
    // An unaudited app may only post to private accounts (tiktok-api.md §6.2).
    private_account: !audited,
    max_video_post_duration_sec: 600,
  };
}

async function seedMediaLibraries(stack: RunningDevStack): Promise<void> {
  for (const user of stack.identity.users) {
    const { access_token } = await signIn(stack, user.sub);
    await addSampleMedia(stack, access_token);
  }
}

async function apiLogTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-15).join('\n');
}

function banner(
  stack: RunningDevStack,
  { dataDir, databaseUrl }: { dataDir: string; databaseUrl: string | undefined },
  apiLog: string,
  dev: boolean,
): string {
  const here = (path: string) => {
    const inside = relative(process.cwd(), path);
    return inside.startsWith('..') ? path : inside || '.';
  };
  const users = stack.identity.users.map((u) => u.name.split(' ')[0]).join(' or ');
  return `
  Cliprelay is running. Open ${stack.webOrigin}

  Sign in as a dev user (${users}), connect the sandbox's TikTok creator on the Accounts
  screen, then publish a video from your device or from the media library.

  Web app          ${stack.webOrigin}${dev ? '   Vite dev server: edits to apps/web show at once' : ''}
  API              ${stack.apiUrl}   OpenAPI: ${stack.apiUrl}/docs   log: ${here(apiLog)}
  Sign-in (OIDC)   ${stack.identity.url}   stands in for Auth0
  TikTok sandbox   ${stack.sandbox.url}/_sandbox/   creators and what TikTok received
  Media host       ${stack.media.prefix}   the media library's videos
  Database         ${databaseUrl ? `PostgreSQL at ${new URL(databaseUrl).host} (DATABASE_URL)` : `embedded PostgreSQL in ${here(join(dataDir, 'postgres'))}`}
  Data             ${here(dataDir)}   delete it to start afresh

  Press Ctrl-C to stop.
`;
}

let settings: ReturnType<typeof readSettings> | undefined;
let stack: RunningDevStack | undefined;
let starting: Promise<unknown> | undefined;
let stopping = false;

/**
 * Ctrl-C: everything stops in order, the sandbox's and identity's state saved last. A second
 * Ctrl-C forces the exit. (`npm start` runs this file with `node --import tsx`, not the tsx CLI:
 * the CLI relays a signal again, then SIGKILLs, when its child does not answer within 30 ms —
 * which cut a shutdown short and lost the sandbox's newest state.)
 */
async function stop(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  // A start in flight finishes first (its parts are already listening), then everything stops.
  await starting?.catch(() => undefined);
  await stack?.close();
  process.exit(code);
}

async function main(): Promise<void> {
  settings = readSettings();
  const { ports, audited, dataDir, databaseUrl } = settings;
  const busy = await busyPorts(ports);
  if (busy.length > 0) throw new StartError(busyPortsMessage(busy, ports));

  const dev = process.argv.includes('--dev');
  if (!dev && (await webAppNeedsBuild())) {
    console.log('npm start: building the web app (vite build; again only when its sources change)…');
    await buildWebApp();
  }
  if (await needsBuild(API_BUILD)) {
    console.log('npm start: building the API (again only when its sources change)…');
    await runBuild(API_BUILD);
  }
  if (stopping) return;

  console.log('npm start: starting the TikTok sandbox, sign-in, media host, API and web app…');
  const apiLog = join(dataDir, 'api.log');
  const start = startDevStack({
    dataDir,
    web: dev ? 'vite' : 'built',
    ports,
    persist: true,
    apiLog,
    databaseUrl,
    onApiNotice: (message) => console.log(`npm start: ${message}`),
    creators: [demoCreator(audited)],
    sandbox: { audited },
    onApiExit: (code) => {
      void apiLogTail(apiLog).then((tail) => {
        console.error(
          `npm start: the API stopped (exit code ${code ?? 'by signal'}). The end of ${apiLog}:\n${tail}`,
        );
        return stop(1);
      });
    },
  });
  starting = start;
  stack = await start;
  await seedMediaLibraries(stack);
  console.log(banner(stack, settings, apiLog, dev));
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

main().catch(async (error: unknown) => {
  if (stopping) return;
  const message =
    error instanceof StartError
      ? error.message
      : error instanceof PortInUseError && settings
        ? busyPortsMessage([error.part], settings.ports)
        : error instanceof Error
          ? error.message
          : String(error);
  console.error(`npm start: ${message}`);
  await stop(1);
});
