import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { freePort } from '@cliprelay/test-kit/ports';
import { createTestDatabase } from '@cliprelay/test-kit/postgres';
import { type DevIdentityOptions, headlessLogin, startDevIdentity } from '@cliprelay/dev-identity';
import { startSandbox, type SandboxControl, type SandboxOptionsInput } from '@cliprelay/tiktok-sandbox';
import { startApi, type RunningApi } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';

/**
 * The whole backend on loopback for integration tests: the TikTok sandbox, the dev identity
 * provider and the API (production wiring, via startApi) on a fresh PostgreSQL database of its
 * own, made on the run's server (test/global-setup.ts).
 */

export const MEDIA_PREFIX = 'https://media.cliprelay.test/videos/';

export interface StackOptions {
  sandbox?: Partial<SandboxOptionsInput>;
  /**
   * TikTok's webhooks on: the sandbox sends them to the API's POST /tiktok/webhooks (retrying
   * every 200 ms, doubling) and the API runs with TIKTOK_WEBHOOKS=true (polling as a fallback).
   */
  webhooks?: boolean;
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
  /**
   * The environment the API was configured from (its token key is in DATA_DIR): another API
   * process given it, with its own PORT, is a replica of this one.
   */
  apiEnv: Record<string, string>;
  apiUrl: string;
  sandboxUrl: string;
  identityUrl: string;
  /** The dev identity provider's issuer, exactly as in `iss` (and AUTH_ISSUER_URL). */
  identityIssuer: string;
  /** The suite's own PostgreSQL database. */
  databaseUrl: string;
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
  /** The sandbox's control API (/_sandbox/...), typed. */
  sandbox: SandboxControl;
  close(): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
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
      ...(opts.webhooks
        ? { webhookUrl: `${apiUrl}/tiktok/webhooks`, webhookRetryBaseMs: 200, webhookWatchMs: 50 }
        : {}),
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

    const database = await createTestDatabase(postgresAdminUrl());
    const databaseUrl = database.url;
    cleanups.push(() => database.drop());

    const logs: string[] = [];
    const logDestination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        cb();
      },
    });

    const apiEnv: Record<string, string> = {
      PORT: String(apiPort),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
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
      // Suites publish many times a minute as one user; test/rate-limits.test.ts runs at 1.
      RATE_LIMIT_SCALE: '100',
      ...(opts.webhooks ? { TIKTOK_WEBHOOKS: 'true' } : {}),
      ...opts.env,
    };
    const config = loadConfig(apiEnv);
    const api = await startApi(config, { logDestination });
    cleanups.push(() => api.close());

    const tokens = new Map<string, string>();
    return {
      api,
      apiEnv,
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
      sandbox: sandbox.control,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** The run's PostgreSQL server (test/global-setup.ts): a superuser URL. */
export function postgresAdminUrl(): string {
  return inject('postgresAdminUrl');
}
