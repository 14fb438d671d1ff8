import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryDb } from './support/db.ts';
import {
  mintToken,
  newSigningKey,
  type SigningKey,
  startTestIssuer,
  type TestIssuer,
  writeDevIdentityKeyFile,
} from './support/issuer.ts';
import { outcomeOf, ReliabilityReport } from './support/reliability.ts';
import { type JsonResponse, type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';

const AUDIENCE = 'cliprelay-api';
const PUBLIC_PATHS = new Set(['/health', '/tiktok/oauth/callback']);

/** Every operation of our OpenAPI document, path parameters filled in. */
async function operations(stack: Stack): Promise<{ method: string; path: string }[]> {
  const doc = await (await stack.call('/docs/openapi.json')).json();
  return Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => ({ method: m.toUpperCase(), path: path.replace(/\{[^}]+\}/g, randomUUID()) })),
  );
}

/** The auth matrix's summary (test-results/reliability/auth-matrix.json): each credential × endpoint. */
const report = new ReliabilityReport('auth-matrix');

async function expectUnauthenticated(res: JsonResponse, what: string): Promise<unknown> {
  const body = await res.json();
  expect(res.status, `${what}: ${JSON.stringify(body)}`).toBe(401);
  expect(body, what).toEqual({
    statusCode: 401,
    error: 'Unauthorized',
    message: expect.any(String),
    code: 'UNAUTHENTICATED',
    requestId: res.headers.get('x-request-id'),
  });
  expect(body.requestId, what).toBeTruthy();
  return body;
}

describe('auth', () => {
  let stack: Stack;
  let keyDir: string;
  /** dev-identity's own signing key (given to it as its keyFile), to mint tokens it could have issued. */
  let identityKey: SigningKey;
  let foreignKey: SigningKey;
  let privateOps: { method: string; path: string }[];

  beforeAll(async () => {
    keyDir = await mkdtemp(join(tmpdir(), 'cliprelay-auth-test-'));
    identityKey = await newSigningKey('dev-identity-test-key');
    foreignKey = await newSigningKey('someone-elses-key');
    await writeDevIdentityKeyFile(join(keyDir, 'signing-key.json'), identityKey);
    stack = await startStack({ identity: { keyFile: join(keyDir, 'signing-key.json') } });
    privateOps = (await operations(stack)).filter((op) => !PUBLIC_PATHS.has(op.path));
  });
  afterAll(async () => {
    await stack?.close();
    await rm(keyDir, { recursive: true, force: true });
    await report.write();
  });

  const asIdentity = (overrides: Partial<Parameters<typeof mintToken>[1]> = {}) =>
    mintToken(identityKey, { iss: stack.identityIssuer, aud: AUDIENCE, sub: 'dev|alice', ...overrides });

  /** Each way a request can fail to prove who it is: the Authorization header it sends. */
  const badCredentials: [string, () => Promise<string | undefined>][] = [
    ['no Authorization header', () => Promise.resolve(undefined)],
    ['a Basic instead of a Bearer credential', () => Promise.resolve('Basic ZGV2OmRldg==')],
    ['a bare "Bearer"', () => Promise.resolve('Bearer ')],
    ['a garbage bearer token', () => Promise.resolve('Bearer not-a-jwt')],
    [
      'a token signed by a foreign key without a kid',
      async () =>
        `Bearer ${await mintToken(foreignKey, { iss: stack.identityIssuer, aud: AUDIENCE, sub: 'dev|alice', kid: null })}`,
    ],
    [
      'a token signed by a foreign key with its own kid',
      async () =>
        `Bearer ${await mintToken(foreignKey, { iss: stack.identityIssuer, aud: AUDIENCE, sub: 'dev|alice' })}`,
    ],
    [
      'a token signed by a foreign key claiming the provider’s kid',
      async () =>
        `Bearer ${await mintToken(foreignKey, { iss: stack.identityIssuer, aud: AUDIENCE, sub: 'dev|alice', kid: identityKey.kid })}`,
    ],
    ['a token for another audience', async () => `Bearer ${await asIdentity({ aud: 'another-api' })}`],
    [
      'a token from another issuer',
      async () => `Bearer ${await asIdentity({ iss: 'https://evil.example/' })}`,
    ],
    ['an expired token', async () => `Bearer ${await asIdentity({ expiresInSec: -120 })}`],
    ['a token without an expiry', async () => `Bearer ${await asIdentity({ expiresInSec: null })}`],
    [
      'a token not valid before a minute from now',
      async () => `Bearer ${await asIdentity({ notBeforeInSec: 60 })}`,
    ],
    ['a token issued a minute from now', async () => `Bearer ${await asIdentity({ issuedInSec: 60 })}`],
    ['a token without a subject', async () => `Bearer ${await asIdentity({ sub: undefined })}`],
    [
      'a token whose subject holds a NUL',
      async () => `Bearer ${await asIdentity({ sub: 'dev|al\u0000ice' })}`,
    ],
    [
      'a token whose subject holds a lone surrogate',
      async () => `Bearer ${await asIdentity({ sub: 'dev|al\ud800ice' })}`,
    ],
    [
      'a token whose name claim holds a NUL',
      async () => `Bearer ${await asIdentity({ sub: 'dev|nul-name', extra: { name: 'Mal\u0000lory' } })}`,
    ],
    [
      'an HS256 token keyed with the provider’s public key',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(identityKey.publicJwk));
        const jwt = await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', kid: identityKey.kid })
          .setIssuer(stack.identityIssuer)
          .setAudience(AUDIENCE)
          .setSubject('dev|alice')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(secret);
        return `Bearer ${jwt}`;
      },
    ],
    [
      'an unsigned (alg "none") token',
      () =>
        Promise.resolve(
          `Bearer ${new UnsecuredJWT({})
            .setIssuer(stack.identityIssuer)
            .setAudience(AUDIENCE)
            .setSubject('dev|alice')
            .setIssuedAt()
            .setExpirationTime('1h')
            .encode()}`,
        ),
    ],
  ];

  it('covers every private endpoint of the OpenAPI document', () => {
    const paths = privateOps.map((op) => `${op.method} ${op.path.replace(/[0-9a-f-]{36}/g, ':id')}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /social-accounts',
        'DELETE /social-accounts/:id',
        'POST /tiktok/connect',
        'GET /tiktok/creator-info/:id',
        'POST /tiktok/publish/init',
        'POST /tiktok/publish/upload/:id',
        'GET /tiktok/publish/status/:id',
        'GET /tiktok/posts',
        'GET /media',
        'POST /media',
      ]),
    );
  });

  it.each(badCredentials)(
    'every endpoint but health and the OAuth callback refuses %s with 401',
    async (what, make) => {
      const authorization = await make();
      for (const op of privateOps) {
        const res = await stack.call(op.path, {
          method: op.method,
          headers: authorization === undefined ? {} : { authorization },
          ...(op.method === 'POST' ? { json: {} } : {}),
        });
        report.record(what, outcomeOf(res.status, await res.clone().json()));
        await expectUnauthenticated(res, `${op.method} ${op.path}`);
      }
    },
  );

  it('allows the clock tolerance: a token issued or valid from 3 s from now is accepted', async () => {
    for (const token of [
      await asIdentity({ sub: 'dev|skewed', issuedInSec: 3 }),
      await asIdentity({ sub: 'dev|skewed', notBeforeInSec: 3 }),
    ]) {
      const res = await stack.call('/social-accounts', { token });
      report.record('a token issued 3 s from now (clock skew)', outcomeOf(res.status, await res.json()));
      expect(res.status).toBe(200);
    }
  });

  it('stores no user for a refused token', async () => {
    const rows = await queryDb(stack, 'select sub from users where sub = any($1)', [
      ['dev|al\ufffdice', 'dev|nul-name'],
    ]);
    expect(rows).toEqual([]);
  });

  it('tells a user whose session expired to sign in again', async () => {
    const res = await stack.call('/social-accounts', { token: await asIdentity({ expiresInSec: -120 }) });
    const body = await res.json();
    expect(res.status).toBe(401);
    expect(body.message).toMatch(/sign in again/i);
  });

  it('health and the OAuth callback need no token', async () => {
    expect((await stack.call('/health')).status).toBe(200);
    const callback = await stack.call('/tiktok/oauth/callback?state=nope&code=nope');
    expect(callback.status).toBe(302);
  });

  it('accepts a token from the sign-in flow of the identity provider', async () => {
    const token = await stack.tokenFor('dev|alice');
    expect(decodeProtectedHeader(token).kid).toBe(identityKey.kid);
    const res = await stack.call('/social-accounts', { token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, data: [] });
  });

  it('accepts a token the provider’s key signed for our audience (the negative cases differ only in one claim)', async () => {
    const res = await stack.call('/social-accounts', { token: await asIdentity({ sub: 'dev|minted' }) });
    expect(res.status).toBe(200);
  });

  it('creates the user on first sight, once per sub, even when the first requests arrive together', async () => {
    const sub = `auth0|${randomUUID()}`;
    expect(await queryDb(stack, 'select id from users where sub = $1', [sub])).toHaveLength(0);
    const token = await asIdentity({ sub, extra: { email: 'carol@example.com', name: 'Carol' } });
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async () => (await stack.call('/social-accounts', { token })).status),
    );
    expect(statuses).toEqual(Array(8).fill(200));
    const rows = await queryDb(stack, 'select id, email, name from users where sub = $1', [sub]);
    expect(rows).toEqual([{ id: expect.any(String), email: 'carol@example.com', name: 'Carol' }]);
  });

  it('two signed-in users see only their own TikTok accounts', async () => {
    const alice = await connectedAccount(stack, 'dev|alice', { nickname: 'Alice' });
    const bob = await connectedAccount(stack, 'dev|bob', { nickname: 'Bob' });
    const list = async (token: string) =>
      ((await (await stack.call('/social-accounts', { token })).json()).data as any[]).map((a) => a.id);
    expect(await list(alice.token)).toEqual([alice.accountId]);
    expect(await list(bob.token)).toEqual([bob.accountId]);
    const users = await queryDb(
      stack,
      "select sub from users where sub in ('dev|alice', 'dev|bob') order by sub",
    );
    expect(users.map((u) => u.sub)).toEqual(['dev|alice', 'dev|bob']);
  });
});

describe('auth against an Auth0-style issuer with a trailing slash', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ identity: { trailingSlashIssuer: true } });
  });
  afterAll(() => stack?.close());

  it('accepts the provider’s tokens', async () => {
    expect(stack.identityIssuer).toMatch(/^http:\/\/localhost:\d+\/$/);
    const token = await stack.tokenFor('dev|alice');
    expect(decodeJwt(token).iss).toBe(stack.identityIssuer);
    const res = await stack.call('/social-accounts', { token });
    expect(res.status).toBe(200);
  });
});

describe('auth against an issuer that rotates its keys', () => {
  let stack: Stack;
  let issuer: TestIssuer;
  let first: SigningKey;

  beforeAll(async () => {
    first = await newSigningKey('key-2025');
    issuer = await startTestIssuer([first]);
    stack = await startStack({ env: { AUTH_ISSUER_URL: issuer.issuer } });
  });
  afterAll(async () => {
    await stack?.close();
    await issuer?.close();
  });

  const get = async (token: string) => (await stack.call('/social-accounts', { token })).status;

  it('accepts a token whose aud is an array containing our audience, as Auth0 issues with openid scopes', async () => {
    const token = await mintToken(first, {
      iss: issuer.issuer,
      aud: [AUDIENCE, `${issuer.issuer}userinfo`],
      sub: 'auth0|array-aud',
    });
    expect(await get(token)).toBe(200);
    expect(issuer.fetches).toEqual({ discovery: 1, jwks: 1 });
  });

  it('refuses an array aud without our audience', async () => {
    const token = await mintToken(first, { iss: issuer.issuer, aud: ['other-api', 'x'], sub: 'auth0|x' });
    expect(await get(token)).toBe(401);
  });

  it('accepts tokens of a newly rotated key after refetching the JWKS once', async () => {
    const second = await newSigningKey('key-2026');
    const before = { ...issuer.fetches };
    issuer.serve([second]);
    // jose refetches the JWKS for an unknown kid at most once per 30 s (its cooldown); a rotation
    // comes long after the API fetched the keys, so move the process's clock past the cooldown.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    try {
      vi.setSystemTime(Date.now() + 31_000);
      const token = await mintToken(second, { iss: issuer.issuer, aud: AUDIENCE, sub: 'auth0|rotated' });
      expect(await get(token)).toBe(200);
      expect(issuer.fetches.jwks).toBe(before.jwks + 1);
      expect(await get(token)).toBe(200);
      expect(issuer.fetches.jwks).toBe(before.jwks + 1);

      // The retired key is gone, and unknown kids do not make the API hammer the provider.
      const retired = await mintToken(first, { iss: issuer.issuer, aud: AUDIENCE, sub: 'auth0|rotated' });
      expect(await get(retired)).toBe(401);
      const stranger = await newSigningKey('never-published');
      for (let i = 0; i < 3; i++) {
        const t = await mintToken(stranger, { iss: issuer.issuer, aud: AUDIENCE, sub: 'auth0|rotated' });
        expect(await get(t)).toBe(401);
      }
      expect(issuer.fetches.jwks).toBe(before.jwks + 1);
      expect(issuer.fetches.discovery).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
