import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.ts';

const dirs: string[] = [];
async function dataDir() {
  const d = await mkdtemp(join(tmpdir(), 'cliprelay-config-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('runs on embedded dev defaults with no environment at all', async () => {
    const c = loadConfig({ DATA_DIR: await dataDir() });
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.auth).toEqual({ issuerUrl: 'http://localhost:4020', audience: 'cliprelay-api' });
    expect(c.tiktok.redirectUri).toBe('http://localhost:3000/tiktok/oauth/callback');
    expect(c.corsOrigins).toEqual(['http://localhost:5173']);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('generates the token key once into DATA_DIR and reuses it on the next boot', async () => {
    const dir = await dataDir();
    const first = loadConfig({ DATA_DIR: dir }).tokenEncryptionKey;
    const second = loadConfig({ DATA_DIR: dir }).tokenEncryptionKey;
    expect(first.length).toBe(32);
    expect(second.equals(first)).toBe(true);
    const file = join(dir, 'token-encryption.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64').equals(first)).toBe(true);
  });

  it('names every bad variable at once and never echoes a value', async () => {
    const secret = 'not-base64-and-secret';
    let error: unknown;
    try {
      loadConfig({
        DATA_DIR: await dataDir(),
        PORT: 'eighty',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        CORS_ORIGINS: 'ftp://x',
        TOKEN_ENCRYPTION_KEY: secret,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('CORS_ORIGINS');
    expect(message).not.toContain('hunter2');
  });

  it('rejects a TOKEN_ENCRYPTION_KEY that is not 32 bytes without showing it', () => {
    const key = Buffer.alloc(16, 7).toString('base64');
    expect(() => loadConfig({ DATA_DIR: 'unused', TOKEN_ENCRYPTION_KEY: key })).toThrow(
      /TOKEN_ENCRYPTION_KEY/,
    );
    try {
      loadConfig({ DATA_DIR: 'unused', TOKEN_ENCRYPTION_KEY: key });
    } catch (e) {
      expect((e as Error).message).not.toContain(key);
    }
  });

  it('splits comma lists and describes itself without secrets', async () => {
    const c = loadConfig({
      DATA_DIR: await dataDir(),
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      TIKTOK_CLIENT_SECRET: 'top-secret-value',
      DATABASE_URL: 'postgres://app:db-password@db.internal:5432/cliprelay',
      TIKTOK_VERIFIED_URL_PREFIXES: 'https://cdn.example.com/v/, https://media.example.com/',
      CORS_ORIGINS: 'https://app.example.com/,https://admin.example.com',
    });
    expect(c.tiktok.verifiedUrlPrefixes).toEqual([
      'https://cdn.example.com/v/',
      'https://media.example.com/',
    ]);
    expect(c.corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
    const described = JSON.stringify(describeConfig(c));
    expect(described).not.toContain('top-secret-value');
    expect(described).not.toContain('db-password');
    expect(described).toContain('db.internal:5432');
  });
});
