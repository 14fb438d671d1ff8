/**
 * startDevStack(): the whole product locally in one call — the TikTok sandbox, the dev identity
 * provider standing in for Auth0, the dev media host standing in for the CDN, the API as its own
 * process (`npm run start:api` with this stack's URLs, exactly the production code path) and, when
 * asked, the built web app with a `/config.json` pointing at them.
 *
 * `npm start` runs it on fixed ports with state kept in ./.data (scripts/start.ts); the web app's
 * component tests run its back end on free ports in a temp folder, next to Vitest's own server.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_CLIENT_ID, startDevIdentity, type RunningDevIdentity } from '@cliprelay/dev-identity';
import { startSandbox, type CreatorInput, type RunningSandbox } from '@cliprelay/tiktok-sandbox';
import { freePort } from '@cliprelay/test-kit/ports';
import { ensureApiBuilt, spawnApi, stopChild, waitForHealth } from '@cliprelay/test-kit/processes';
import { startMediaHost, type RunningMediaHost } from './media-host.ts';
import { startWebDevServer, startWebHost, type RunningWebHost } from './web-app.ts';

export type StackPart = 'web' | 'api' | 'sandbox' | 'identity' | 'media';

export interface DevStackOptions {
  /**
   * Where local state goes: the embedded PostgreSQL's data (unless `databaseUrl`), the API's log,
   * and with `persist` the sandbox and identity state.
   */
  dataDir: string;
  /**
   * Serve the web app on `ports.web` — `built`: apps/web/dist as production serves it; `vite`:
   * Vite's dev server with hot reload — and make its origin `webOrigin`. Without it, `webOrigin`
   * says where the web app is served from (e.g. Vitest's browser server).
   */
  web?: 'built' | 'vite';
  /** The web app's origin: CORS at the API, the SPA client's redirects at dev identity. */
  webOrigin?: string;
  /** Ports by part; 0 (the default) picks a free one. */
  ports?: Partial<Record<StackPart, number>>;
  /** Keep sandbox creators/tokens/posts and the identity signing key across restarts (npm start). */
  persist?: boolean;
  /** An external PostgreSQL for the API; unset means the API's embedded one in `dataDir`. */
  databaseUrl?: string;
  /** Sandbox creators to create at start (when the sandbox has none). */
  creators?: CreatorInput[];
  /** Dev users who can sign in (default: dev identity's Alice and Bob). */
  users?: { sub: string; name: string; email: string }[];
  /** Where the API's JSON log lines go: 'inherit' (this process's stdout) or a file path. */
  apiLog?: string;
  /**
   * TikTok's webhooks (default on): the sandbox posts them to the API's POST /tiktok/webhooks,
   * and the API (TIKTOK_WEBHOOKS=true) polls TikTok's status only as a fallback. Off: polling only.
   */
  webhooks?: boolean;
  /** Extra sandbox options, e.g. `{ processingDelayMs: 0 }`. */
  sandbox?: Record<string, unknown>;
  /** Hears what the API says a person starting it should read (e.g. its database's recovery). */
  onApiNotice?: (message: string) => void;
  /** Called if the API process exits on its own (a crash), after the stack noticed. */
  onApiExit?: (code: number | null) => void;
}

export interface RunningDevStack {
  readonly sandbox: RunningSandbox;
  readonly identity: RunningDevIdentity;
  readonly media: RunningMediaHost;
  /** The web app, when the stack serves it (`web`). */
  readonly web?: RunningWebHost;
  /** e.g. http://localhost:3000 */
  readonly apiUrl: string;
  readonly webOrigin: string;
  /** Stops every part; safe to call twice. */
  close(): Promise<void>;
}

/** A part could not listen on its port. */
export class PortInUseError extends Error {
  constructor(
    readonly part: StackPart,
    readonly port: number,
  ) {
    super(`port ${port} for the ${PART_NAMES[part]} is already in use`);
    this.name = 'PortInUseError';
  }
}

export const PART_NAMES: Record<StackPart, string> = {
  web: 'web app',
  sandbox: 'TikTok sandbox',
  identity: 'dev identity provider',
  api: 'API',
  media: 'dev media host',
};

export async function startDevStack(options: DevStackOptions): Promise<RunningDevStack> {
  const { dataDir, ports = {}, persist = false, webhooks = true } = options;
  const webPort = options.web ? ports.web || (await freePort()) : undefined;
  const webOrigin = webPort ? `http://localhost:${webPort}` : options.webOrigin;
  if (!webOrigin)
    throw new Error('startDevStack: give webOrigin, or web (built or vite) to serve the web app');
  const stops: (() => Promise<unknown>)[] = [];
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };

  try {
    const media = await onPort('media', ports.media ?? 0, (port) => startMediaHost(port));
    stops.push(() => media.close());

    const apiPort = ports.api || (await freePort());
    const apiUrl = `http://localhost:${apiPort}`;
    const callback = `${apiUrl}/tiktok/oauth/callback`;

    const sandboxPort = ports.sandbox ?? 0;
    const sandbox = await onPort('sandbox', sandboxPort, (port) =>
      startSandbox({
        port,
        // The URLs users see (consent page, dashboard) say localhost, like the other parts'.
        ...(port ? { publicUrl: `http://localhost:${port}` } : {}),
        redirectUri: [callback],
        verifiedPrefix: [media.prefix],
        allowHttpPull: true,
        ...(persist ? { stateFile: join(dataDir, 'tiktok-sandbox', 'state.json') } : {}),
        ...(options.creators ? { creators: options.creators } : {}),
        ...(webhooks ? { webhookUrl: `${apiUrl}/tiktok/webhooks` } : {}),
        ...options.sandbox,
      }),
    );
    stops.push(() => sandbox.close());

    const identity = await onPort('identity', ports.identity ?? 0, (port) =>
      startDevIdentity({
        port,
        webOrigin,
        ...(options.users ? { users: options.users } : {}),
        ...(persist ? { keyFile: join(dataDir, 'dev-identity', 'signing-key.json') } : {}),
      }),
    );
    stops.push(() => identity.close());

    await mkdir(dataDir, { recursive: true });
    await ensureApiBuilt();
    const apiLog = options.apiLog ?? join(dataDir, 'api.log');
    const api = spawnApi(
      {
        PORT: String(apiPort),
        DATA_DIR: dataDir,
        ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
        AUTH_ISSUER_URL: identity.issuer,
        TIKTOK_API_BASE_URL: sandbox.url,
        TIKTOK_AUTH_BASE_URL: sandbox.url,
        TIKTOK_CLIENT_KEY: sandbox.options.clientKey,
        TIKTOK_CLIENT_SECRET: sandbox.options.clientSecret,
        TIKTOK_REDIRECT_URI: callback,
        TIKTOK_VERIFIED_URL_PREFIXES: media.prefix,
        CORS_ORIGINS: webOrigin,
        WEB_APP_URL: webOrigin,
        UPLOAD_TMP_DIR: join(dataDir, 'uploads'),
        TIKTOK_WEBHOOKS: String(webhooks),
      },
      apiLog === 'inherit'
        ? 'inherit'
        : { file: apiLog, onLine: (line) => noticeIn(line, options.onApiNotice) },
    );
    api.once('exit', (code) => {
      if (!closed) options.onApiExit?.(code);
    });
    stops.push(() => stopChild(api));
    await waitForHealth(apiUrl, api).catch(async (error: unknown) => {
      if (apiLog === 'inherit') throw error;
      // The data folder (and the log in it) may be removed by the caller: say why here.
      await new Promise((resolve) => setTimeout(resolve, 200)); // the log's last writes
      const lines = (await readFile(apiLog, 'utf8').catch(() => '')).trimEnd().split('\n');
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${reason}; the end of ${apiLog}:\n${lines.slice(-20).join('\n')}`, {
        cause: error,
      });
    });

    const webConfig = {
      apiBaseUrl: apiUrl,
      authority: identity.issuer,
      clientId: DEFAULT_CLIENT_ID,
      audience: identity.audience,
    };
    const web = webPort
      ? await onPort('web', webPort, (port) =>
          options.web === 'vite'
            ? startWebDevServer(port, webConfig)
            : // Videos from the media host, creators' avatars from TikTok's (the sandbox).
              startWebHost(port, webConfig, { mediaOrigins: [media.url, sandbox.url] }),
        )
      : undefined;
    if (web) stops.push(() => web.close());

    return { sandbox, identity, media, web, apiUrl, webOrigin, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A JSON log line of the API marked `notice` goes to `hear`. */
function noticeIn(line: string, hear?: (message: string) => void): void {
  if (!hear || !line.includes('"notice":true')) return;
  try {
    const entry = JSON.parse(line) as { msg?: unknown };
    if (typeof entry.msg === 'string') hear(entry.msg);
  } catch {
    // not JSON: not a notice
  }
}

async function onPort<T>(part: StackPart, port: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(port);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'EADDRINUSE' || (error instanceof Error && error.name === 'PortInUseError')) {
      throw new PortInUseError(part, port);
    }
    throw error;
  }
}
