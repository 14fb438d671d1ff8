import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * The API's configuration: the only code that reads process.env. Parsed and validated once at
 * boot; a bad value stops the boot with every bad variable named. Secrets are held here and
 * nowhere else; `describeConfig` is what may be logged.
 */

export const DEV_TIKTOK_CLIENT_KEY = 'sbawcliprelaydev0';
export const DEV_TIKTOK_CLIENT_SECRET = 'sandbox-dev-client-secret-change-me';
export const DEV_SANDBOX_URL = 'http://localhost:4010';
export const DEV_IDENTITY_URL = 'http://localhost:4020';
export const DEV_MEDIA_PREFIX = 'http://localhost:4030/media/';

const list = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .pipe(z.array(z.string()).min(1, 'must list at least one value'));

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const urlList = list.pipe(z.array(httpUrl));

/** A yes/no setting: true/false, 1/0, on/off, yes/no. */
const flag = z
  .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'], {
    error: 'must be true or false (or 1/0, on/off, yes/no)',
  })
  .transform((v) => ['true', '1', 'on', 'yes'].includes(v));

const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('./.data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  AUTH_ISSUER_URL: httpUrl.default(DEV_IDENTITY_URL),
  AUTH_AUDIENCE: z.string().min(1).default('cliprelay-api'),
  TIKTOK_CLIENT_KEY: z.string().min(1).default(DEV_TIKTOK_CLIENT_KEY),
  TIKTOK_CLIENT_SECRET: z.string().min(1).default(DEV_TIKTOK_CLIENT_SECRET),
  TIKTOK_API_BASE_URL: httpUrl.default(DEV_SANDBOX_URL),
  TIKTOK_AUTH_BASE_URL: httpUrl.default(DEV_SANDBOX_URL),
  TIKTOK_REDIRECT_URI: httpUrl.default('http://localhost:3000/tiktok/oauth/callback'),
  TIKTOK_VERIFIED_URL_PREFIXES: urlList.default([DEV_MEDIA_PREFIX]),
  TIKTOK_WEBHOOKS: flag.default(false),
  TOKEN_ENCRYPTION_KEY: z.string().optional(),
  CORS_ORIGINS: urlList.default(['http://localhost:5173']),
  WEB_APP_URL: httpUrl.default('http://localhost:5173'),
  UPLOAD_TMP_DIR: z.string().default(join(tmpdir(), 'cliprelay')),
  RATE_LIMIT_SCALE: z.coerce.number().positive().default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface AppConfig {
  readonly env: string;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** postgres:// URL, or undefined for the embedded PostgreSQL in `${dataDir}/postgres`. */
  readonly databaseUrl: string | undefined;
  readonly auth: { readonly issuerUrl: string; readonly audience: string };
  readonly tiktok: {
    readonly clientKey: string;
    readonly clientSecret: string;
    readonly apiBaseUrl: string;
    readonly authBaseUrl: string;
    readonly redirectUri: string;
    readonly verifiedUrlPrefixes: readonly string[];
    /**
     * TikTok sends this app's webhooks to POST /tiktok/webhooks (its callback URL is set in
     * TikTok's developer portal): posts are settled by them, and polled only as a fallback.
     */
    readonly webhooks: boolean;
  };
  /** 32 bytes for AES-256-GCM. */
  readonly tokenEncryptionKey: Buffer;
  readonly corsOrigins: readonly string[];
  readonly webAppUrl: string;
  readonly uploadTmpDir: string;
  /** Multiplies every per-user request limit (common/rate-limit.ts); test suites raise it. */
  readonly rateLimitScale: number;
  readonly logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Builds the config from an environment (process.env at boot; a plain object in tests). */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (value not shown)`),
    );
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const key = resolveEncryptionKey(e.TOKEN_ENCRYPTION_KEY, dataDir);
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    auth: Object.freeze({ issuerUrl: e.AUTH_ISSUER_URL, audience: e.AUTH_AUDIENCE }),
    tiktok: Object.freeze({
      clientKey: e.TIKTOK_CLIENT_KEY,
      clientSecret: e.TIKTOK_CLIENT_SECRET,
      apiBaseUrl: stripSlash(e.TIKTOK_API_BASE_URL),
      authBaseUrl: stripSlash(e.TIKTOK_AUTH_BASE_URL),
      redirectUri: e.TIKTOK_REDIRECT_URI,
      verifiedUrlPrefixes: Object.freeze(e.TIKTOK_VERIFIED_URL_PREFIXES),
      webhooks: e.TIKTOK_WEBHOOKS,
    }),
    tokenEncryptionKey: key,
    corsOrigins: Object.freeze(e.CORS_ORIGINS.map(stripSlash)),
    webAppUrl: stripSlash(e.WEB_APP_URL),
    uploadTmpDir: resolve(e.UPLOAD_TMP_DIR),
    rateLimitScale: e.RATE_LIMIT_SCALE,
    logLevel: e.LOG_LEVEL,
  });
}

/** What may be logged about the config: no secrets, no credentials in URLs. */
export function describeConfig(c: AppConfig): Record<string, unknown> {
  return {
    env: c.env,
    port: c.port,
    database: c.databaseUrl
      ? `postgres (${new URL(c.databaseUrl).host})`
      : `embedded postgres (${c.dataDir})`,
    authIssuer: c.auth.issuerUrl,
    authAudience: c.auth.audience,
    tiktokApi: c.tiktok.apiBaseUrl,
    tiktokAuth: c.tiktok.authBaseUrl,
    tiktokRedirectUri: c.tiktok.redirectUri,
    verifiedUrlPrefixes: c.tiktok.verifiedUrlPrefixes,
    tiktokWebhooks: c.tiktok.webhooks,
    corsOrigins: c.corsOrigins,
    webAppUrl: c.webAppUrl,
    uploadTmpDir: c.uploadTmpDir,
    rateLimitScale: c.rateLimitScale,
  };
}

function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/**
 * TOKEN_ENCRYPTION_KEY (base64 of 32 bytes) wins; without it a key is generated once into
 * DATA_DIR so a single dev machine keeps its tokens readable across restarts. Replicas sharing a
 * PostgreSQL database must all be given the same TOKEN_ENCRYPTION_KEY.
 */
function resolveEncryptionKey(value: string | undefined, dataDir: string): Buffer {
  if (value !== undefined) {
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32) {
      throw new ConfigError(['TOKEN_ENCRYPTION_KEY: must be 32 bytes, base64-encoded (value not shown)']);
    }
    return key;
  }
  const file = join(dataDir, 'token-encryption.key');
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length === 32) return key;
    throw new ConfigError([
      `${file}: does not hold a 32-byte base64 key; remove it or set TOKEN_ENCRYPTION_KEY`,
    ]);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process booting at the same moment wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return resolveEncryptionKey(undefined, dataDir);
    throw err;
  }
  return key;
}
