import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/**
 * Signing keys and bearer tokens made in tests, and a tiny OIDC issuer (discovery + JWKS over
 * real HTTP) serving whichever keys a test chooses, so that tests can mint any token an
 * identity provider could, rotate keys, and count how often the API fetches the JWKS.
 */

export interface SigningKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  /** The public half as a JWK (kid, alg, use set). */
  publicJwk: JWK;
}

export async function newSigningKey(kid = `test-${randomBytes(6).toString('hex')}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** Writes the key as dev-identity's `keyFile` (a private RSA JWK), so tests can sign as it does. */
export async function writeDevIdentityKeyFile(file: string, key: SigningKey): Promise<void> {
  const jwk = { ...(await exportJWK(key.privateKey)), kid: key.kid, alg: 'RS256', use: 'sig' };
  await writeFile(file, JSON.stringify(jwk), { mode: 0o600 });
}

export interface MintOptions {
  iss: string;
  aud: string | string[];
  sub?: string;
  /** Seconds from now (negative: already expired); null for a token without `exp`. Default 3600. */
  expiresInSec?: number | null;
  /** `iat`, in seconds from now (positive: in the future). Default 0. */
  issuedInSec?: number;
  /** `nbf`, in seconds from now; none by default. */
  notBeforeInSec?: number;
  /** The header's kid: the key's own by default, null for none, or any string. */
  kid?: string | null;
  extra?: JWTPayload;
}

/** An RS256 access token as an identity provider would issue it. */
export function mintToken(key: SigningKey, opts: MintOptions): Promise<string> {
  const kid = opts.kid === undefined ? key.kid : opts.kid;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: 'openid profile email', ...opts.extra })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', ...(kid === null ? {} : { kid }) })
    .setIssuer(opts.iss)
    .setAudience(opts.aud)
    .setIssuedAt(now + (opts.issuedInSec ?? 0));
  if (opts.expiresInSec !== null) jwt.setExpirationTime(now + (opts.expiresInSec ?? 3600));
  if (opts.notBeforeInSec !== undefined) jwt.setNotBefore(now + opts.notBeforeInSec);
  if (opts.sub !== undefined) jwt.setSubject(opts.sub);
  return jwt.sign(key.privateKey);
}

export interface TestIssuer {
  /** Auth0-style, with a trailing slash: `http://127.0.0.1:<port>/`. */
  issuer: string;
  /** How many times each document was fetched. */
  fetches: { discovery: number; jwks: number };
  /** Publishes exactly these keys from now on (rotation). */
  serve(keys: SigningKey[]): void;
  close(): Promise<void>;
}

export async function startTestIssuer(keys: SigningKey[]): Promise<TestIssuer> {
  let served = keys;
  const fetches = { discovery: 0, jwks: 0 };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let body: unknown;
    if (path === '/.well-known/openid-configuration') {
      fetches.discovery++;
      body = {
        issuer,
        jwks_uri: `${issuer}.well-known/jwks.json`,
        authorization_endpoint: `${issuer}authorize`,
        token_endpoint: `${issuer}oauth/token`,
        id_token_signing_alg_values_supported: ['RS256'],
      };
    } else if (path === '/.well-known/jwks.json') {
      fetches.jwks++;
      body = { keys: served.map((k) => k.publicJwk) };
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    issuer,
    fetches,
    serve(next) {
      served = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
