/**
 * The RS256 signing key. With a key file it is generated once and reused, so a restart keeps the
 * same `kid` and tokens issued before it stay verifiable; without one, each start has a fresh key.
 */
import { createHash, createPrivateKey, generateKeyPair, type JsonWebKey } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { DevIdentityConfigError } from './options.ts';

export interface SigningJwk {
  kty: 'RSA';
  kid: string;
  alg: 'RS256';
  use: 'sig';
  n: string;
  e: string;
  d: string;
  p: string;
  q: string;
  dp: string;
  dq: string;
  qi: string;
}

const PRIVATE_MEMBERS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/** RFC 7638 JWK thumbprint: a stable kid derived from the public key. */
function thumbprint(n: string, e: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}

const generateRsa = promisify(generateKeyPair);

/** A new 2048-bit RSA key (generated off the main thread: it can take a few hundred ms). */
export async function generateSigningKey(): Promise<SigningJwk> {
  const { privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
  return toSigningJwk(privateKey.export({ format: 'jwk' }));
}

function toSigningJwk(jwk: JsonWebKey): SigningJwk {
  const members = {} as Record<(typeof PRIVATE_MEMBERS)[number], string>;
  for (const name of PRIVATE_MEMBERS) {
    const value: unknown = jwk[name];
    if (typeof value !== 'string' || value === '') throw new Error(`RSA private JWK lacks "${name}"`);
    members[name] = value;
  }
  const kid = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : thumbprint(members.n, members.e);
  return { kty: 'RSA', kid, alg: 'RS256', use: 'sig', ...members };
}

function parseKeyFile(file: string, text: string): SigningJwk {
  try {
    const parsed = JSON.parse(text) as JsonWebKey;
    if (parsed.kty !== 'RSA') throw new Error('kty is not "RSA"');
    const key = toSigningJwk(parsed);
    createPrivateKey({ key: { ...key }, format: 'jwk' });
    return key;
  } catch (error) {
    throw new DevIdentityConfigError([
      `keyFile ${file} is not an RSA private key in JWK form (${(error as Error).message}); delete it to get a new one`,
    ]);
  }
}

/** Reads the key file, or creates it (mode 600) when missing. Without a file: a fresh key. */
export async function loadSigningKey(file: string | undefined): Promise<SigningJwk> {
  if (file === undefined) return generateSigningKey();
  try {
    return parseKeyFile(file, await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = await generateSigningKey();
  await mkdir(dirname(file), { recursive: true });
  try {
    // 'wx': when two processes start at once, the second one reads the first one's key.
    await writeFile(file, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseKeyFile(file, await readFile(file, 'utf8'));
  }
}
