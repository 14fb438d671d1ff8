import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headlessLogin, startDevIdentity, type RunningDevIdentity } from '../src/index.ts';
import { authorizeUrl, Browser, CALLBACK, CLIENT_ID, discovery, SPA_ORIGIN } from './helpers.ts';

let idp: RunningDevIdentity;
let doc: Record<string, any>;
beforeAll(async () => {
  idp = await startDevIdentity({ port: 0 });
  doc = await discovery(idp);
});
afterAll(() => idp.close());

async function tokenRequest(
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(doc.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/** Where an authorization request sends the browser back to, without signing in. */
async function redirectBack(params: Record<string, string | undefined>): Promise<URL> {
  const browser = new Browser();
  const start = await authorizeUrl(idp, params);
  const { res } = await browser.follow(await browser.request(start), start, new URL(idp.url).origin);
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location') ?? '');
}

describe('tokens', () => {
  it('headlessLogin yields an RS256 access token that jose verifies with the JWKS, issuer, audience cliprelay-api and the right sub', async () => {
    const tokens = await headlessLogin({ issuerUrl: idp.issuer, sub: 'dev|alice' });
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.expires_in).toBe(3600);
    const jwks = createRemoteJWKSet(new URL(doc.jwks_uri));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: idp.issuer,
      audience: 'cliprelay-api',
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: idp.kid });
    expect(payload.sub).toBe('dev|alice');
    expect(payload.aud).toBe('cliprelay-api');
    expect(payload.client_id).toBe(CLIENT_ID);
    expect(payload.scope).toBe('openid profile email offline_access');
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('issues an ID token for the client that names the user', async () => {
    const tokens = await headlessLogin({ issuerUrl: idp.issuer, sub: 'dev|bob' });
    const { payload } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(doc.jwks_uri)), {
      issuer: idp.issuer,
      audience: CLIENT_ID,
      algorithms: ['RS256'],
    });
    expect(payload).toMatchObject({
      sub: 'dev|bob',
      name: 'Bob Example',
      email: 'bob@example.com',
      email_verified: true,
    });
    expect(payload.nonce).toEqual(expect.any(String));
  });

  it('refuses an authorize request without code_challenge', async () => {
    const back = await redirectBack({ code_challenge: undefined, code_challenge_method: undefined });
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(back.searchParams.has('code')).toBe(false);
  });

  it('refuses the plain PKCE method', async () => {
    const back = await redirectBack({ code_challenge_method: 'plain' });
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.has('code')).toBe(false);
  });

  it('refuses an unregistered redirect URI with its own page instead of redirecting', async () => {
    const start = await authorizeUrl(idp, { redirect_uri: 'https://evil.example/callback' });
    const res = await fetch(start, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain(
      'redirect_uri did not match any of the client&#39;s registered redirect_uris',
    );
  });

  it('refuses an audience parameter naming another API', async () => {
    const back = await redirectBack({ audience: 'https://someone-else.example/' });
    expect(back.searchParams.get('error')).toBe('invalid_target');
  });

  it('accepts the audience parameter Auth0 SDKs send when it is ours', async () => {
    const back = await redirectBack({ audience: 'cliprelay-api', prompt: 'none' });
    // Not signed in, so prompt=none ends in login_required: the audience itself was accepted.
    expect(back.searchParams.get('error')).toBe('login_required');
  });

  it('refresh_token grant returns a new access token and rotates the refresh token', async () => {
    const first = await headlessLogin({ issuerUrl: idp.issuer, sub: 'dev|alice' });
    expect(first.refresh_token).toEqual(expect.any(String));
    const res = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token!,
      client_id: CLIENT_ID,
    });
    expect(res.status).toBe(200);
    const refreshed = (await res.json()) as Record<string, any>;
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    const { payload } = await jwtVerify(refreshed.access_token, createRemoteJWKSet(new URL(doc.jwks_uri)), {
      issuer: idp.issuer,
      audience: 'cliprelay-api',
    });
    expect(payload.sub).toBe('dev|alice');

    const reused = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token!,
      client_id: CLIENT_ID,
    });
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as Record<string, any>).error).toBe('invalid_grant');
  });

  it('revoking a refresh token ends it', async () => {
    const { refresh_token } = await headlessLogin({ issuerUrl: idp.issuer, sub: 'dev|bob' });
    const revoke = await fetch(doc.revocation_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: SPA_ORIGIN },
      body: new URLSearchParams({ token: refresh_token!, client_id: CLIENT_ID }).toString(),
    });
    expect(revoke.status).toBe(200);
    expect(revoke.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
    const after = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: refresh_token!,
      client_id: CLIENT_ID,
    });
    expect(after.status).toBe(400);
  });

  it('gives no refresh token when offline_access was not asked for', async () => {
    const tokens = await headlessLogin({ issuerUrl: idp.issuer, sub: 'dev|alice', scope: 'openid profile' });
    expect(tokens.refresh_token).toBeUndefined();
    expect(decodeJwt(tokens.access_token).scope).toBe('openid profile');
  });

  it('refuses a code exchange with the wrong code_verifier', async () => {
    const browser = new Browser();
    const start = await authorizeUrl(idp);
    const { res, url } = await browser.follow(await browser.request(start), start, new URL(idp.url).origin);
    const action = new URL(/action="([^"]+\/login)"/.exec(await res.text())![1]!, url);
    const { res: back } = await browser.follow(
      await browser.post(action, { sub: 'dev|alice' }),
      action,
      new URL(idp.url).origin,
    );
    const code = new URL(back.headers.get('location')!).searchParams.get('code')!;
    const exchange = await tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      client_id: CLIENT_ID,
      code_verifier: 'x'.repeat(43),
    });
    expect(exchange.status).toBe(400);
    expect(((await exchange.json()) as Record<string, any>).error).toBe('invalid_grant');
  });

  it('answers CORS on the token endpoint for the SPA origin only', async () => {
    const preflight = await fetch(doc.token_endpoint, {
      method: 'OPTIONS',
      headers: {
        origin: SPA_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    const tokens = await headlessLogin({ issuerUrl: idp.issuer, sub: 'dev|alice' });
    const form = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: CLIENT_ID };
    const ok = await tokenRequest(form, { origin: SPA_ORIGIN });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
    const foreign = await tokenRequest(form, { origin: 'https://evil.example' });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('headlessLogin names an unknown user in its error', async () => {
    await expect(headlessLogin({ issuerUrl: idp.issuer, sub: 'dev|nobody' })).rejects.toThrow(
      /signing in as "dev\|nobody" gave 400: There is no dev user "dev\|nobody"/,
    );
  });

  it('headlessLogin reports a redirect URI the client does not have', async () => {
    await expect(
      headlessLogin({ issuerUrl: idp.issuer, sub: 'dev|alice', redirectUri: 'http://localhost:9/cb' }),
    ).rejects.toThrow(/redirect_uri did not match/);
  });

  it('headlessLogin is quick enough to call in every test', async () => {
    await headlessLogin({ issuerUrl: idp.issuer, sub: 'dev|alice' });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        headlessLogin({ issuerUrl: idp.issuer, sub: i % 2 ? 'dev|bob' : 'dev|alice' }),
      ),
    );
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
