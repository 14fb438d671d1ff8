import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { DevIdentityConfigError, headlessLogin } from '../src/index.ts';
import { discovery, freePort, startIdp } from './helpers.ts';

async function tempFile(name: string): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'dev-identity-')), name);
}

describe('signing keys', () => {
  it('keyFile keeps the same kid across restarts, so tokens issued before still verify', async () => {
    const keyFile = await tempFile('nested/dir/signing-key.json');
    const port = await freePort();
    const first = await startIdp({ port, keyFile });
    const tokens = await headlessLogin({ issuerUrl: first.issuer, sub: 'dev|alice' });
    await first.close();

    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(keyFile, 'utf8')) as Record<string, string>;
    expect(saved).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: first.kid });
    expect(saved.d).toEqual(expect.any(String));

    const second = await startIdp({ port, keyFile });
    expect(second.kid).toBe(first.kid);
    const jwks = (await (await fetch((await discovery(second)).jwks_uri)).json()) as { keys: any[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([first.kid]);
    const { payload } = await jwtVerify(tokens.access_token, createLocalJWKSet(jwks), {
      issuer: second.issuer,
      audience: 'cliprelay-api',
    });
    expect(payload.sub).toBe('dev|alice');
  });

  it('uses a fresh key on each start without a keyFile', async () => {
    const a = await startIdp();
    const b = await startIdp();
    expect(a.kid).not.toBe(b.kid);
  });

  it('refuses a key file that is not an RSA private JWK, naming the file', async () => {
    const keyFile = await tempFile('bad.json');
    await writeFile(keyFile, JSON.stringify({ kty: 'EC', crv: 'P-256' }));
    const error = await startIdp({ keyFile }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevIdentityConfigError);
    expect((error as Error).message).toContain(keyFile);
    await writeFile(keyFile, 'not json');
    await expect(startIdp({ keyFile })).rejects.toThrow(/is not an RSA private key/);
  });
});
