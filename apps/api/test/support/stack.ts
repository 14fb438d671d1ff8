import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { type DevIdentityOptions, headlessLogin, startDevIdentity } from '@cliprelay/dev-identity';
import { startSandbox, type SandboxOptionsInput } from '@cliprelay/tiktok-sandbox';
import { startApi, type RunningApi } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';

/**
 * The whole backend on loopback for integration tests: the TikTok sandbox, the dev identity
 * provider and the API (production wiring, via startApi) on a fresh database — PGlite in a temp
 * dir, or a fresh PostgreSQL database created under TEST_DATABASE_URL.
 */

export type DbKind = 'pglite' | 'postgres';

/** Both databases; `.ci/run` provides PostgreSQL. */
export const DB_KINDS: DbKind[] = ['pglite', 'postgres'];

export const MEDIA_PREFIX = 'https://media.cliprelay.test/videos/';

export interface StackOptions {
  db: DbKind;
  sandbox?: Partial<SandboxOptionsInput>;
  env?: Record<string, string>;
  /**
   * dev-identity options (users, keyFile, audience, …); `trailingSlashIssuer` gives it an
   * Auth0-style issuer, `http://localhost:<port>/`, which the API is then pointed at.
   */
  identity?: Omit<DevIdentityOptions, 'port' | 'issuer'> & { trailingSlashIssuer?: boolean };
}

/** A fetch Response whose JSON body tests may read without casts. */
export interface JsonResponse extends Response {
  json(): Promise<any>;
}

export interface Stack {
  api: RunningApi;
  apiUrl: string;
  sandboxUrl: string;
  identityUrl: string;
  /** The dev identity provider's issuer, exactly as in `iss` (and AUTH_ISSUER_URL). */
  identityIssuer: string;
  /** The PostgreSQL database's URL; undefined for PGlite. */
  databaseUrl: string | undefined;
  dataDir: string;
  uploadTmpDir: string;
  /** Every log line the API wrote, raw JSON. */
  logs: string[];
  /** A real bearer token for a dev user, from the dev identity provider's login flow. */
  tokenFor(sub: string): Promise<string>;
  /** fetch against the API with an optional bearer token; JSON bodies are serialised. */
  call(
    path: string,
    init?: {
      method?: string;
      token?: string;
      json?: unknown;
      body?: RequestInit['body'];
      headers?: Record<string, string>;
    },
  ): Promise<JsonResponse>;
  /** fetch against the sandbox's control API (/_sandbox/...). */
  sandbox(path: string, init?: { method?: string; json?: unknown }): Promise<any>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function postgresAdminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'PostgreSQL tests need TEST_DATABASE_URL (an admin URL such as postgres://postgres:postgres@127.0.0.1:5432/postgres). ' +
        'Install and start PostgreSQL with: sudo apt-get install -y postgresql && sudo pg_ctlcluster 15 main start ' +
        '(bash .ci/run does this for you).',
    );
  }
  return url;
}

async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = postgresAdminUrl();
  const name = `cliprelay_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'cliprelay-api-test-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const uploadTmpDir = join(dataDir, 'uploads');

    const apiPort = await freePort();
    const apiUrl = `http://localhost:${apiPort}`;
    const redirectUri = `${apiUrl}/tiktok/oauth/callback`;

    const sandbox = await startSandbox({
      port: 0,
      redirectUri: [redirectUri],
      verifiedPrefix: [MEDIA_PREFIX],
      processingDelayMs: 200,
      moderationDelayMs: 200,
      ...opts.sandbox,
    });
    cleanups.push(() => sandbox.close());

    const { trailingSlashIssuer, ...identityOptions } = opts.identity ?? {};
    const identityPort = trailingSlashIssuer ? await freePort() : 0;
    const identity = await startDevIdentity({
      ...identityOptions,
      port: identityPort,
      ...(trailingSlashIssuer ? { issuer: `http://localhost:${identityPort}/` } : {}),
    });
    cleanups.push(() => identity.close());

    let databaseUrl: string | undefined;
    if (opts.db === 'postgres') {
      const database = await createPostgresDatabase();
      databaseUrl = database.url;
      cleanups.push(() => database.drop());
    }

    const logs: string[] = [];
    const logDestination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        cb();
      },
    });

    const config = loadConfig({
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      AUTH_ISSUER_URL: identity.issuer,
      TIKTOK_API_BASE_URL: sandbox.url,
      TIKTOK_AUTH_BASE_URL: sandbox.url,
      TIKTOK_REDIRECT_URI: redirectUri,
      TIKTOK_CLIENT_KEY: sandbox.options.clientKey,
      TIKTOK_CLIENT_SECRET: sandbox.options.clientSecret,
      TIKTOK_VERIFIED_URL_PREFIXES: MEDIA_PREFIX,
      UPLOAD_TMP_DIR: uploadTmpDir,
      CORS_ORIGINS: 'http://localhost:5173',
      WEB_APP_URL: 'http://localhost:5173',
      LOG_LEVEL: 'debug',
      ...opts.env,
    });
    const api = await startApi(config, { logDestination });
    cleanups.push(() => api.close());

    const tokens = new Map<string, string>();
    return {
      api,
      apiUrl,
      sandboxUrl: sandbox.url,
      identityUrl: identity.url,
      identityIssuer: identity.issuer,
      databaseUrl,
      dataDir,
      uploadTmpDir,
      logs,
      async tokenFor(sub) {
        let token = tokens.get(sub);
        if (!token) {
          token = (await headlessLogin({ issuerUrl: identity.issuer, sub })).access_token;
          tokens.set(sub, token);
        }
        return token;
      },
      call(path, init = {}) {
        const headers: Record<string, string> = { ...init.headers };
        if (init.token) headers.authorization = `Bearer ${init.token}`;
        let body = init.body;
        if (init.json !== undefined) {
          headers['content-type'] = 'application/json';
          body = JSON.stringify(init.json);
        }
        return fetch(`${apiUrl}${path}`, { method: init.method ?? 'GET', headers, body, redirect: 'manual' });
      },
      async sandbox(path, init = {}) {
        const res = await fetch(`${sandbox.url}${path}`, {
          method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
          headers: init.json === undefined ? {} : { 'content-type': 'application/json' },
          body: init.json === undefined ? undefined : JSON.stringify(init.json),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`sandbox ${path}: HTTP ${res.status} ${text}`);
        return text ? JSON.parse(text) : undefined;
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
