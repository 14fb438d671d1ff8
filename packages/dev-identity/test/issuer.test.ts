import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { headlessLogin } from '../src/index.ts';
import { discovery, freePort, openLoginPage, startIdp } from './helpers.ts';

describe('issuer, audience and clients', () => {
  it('works end to end with an issuer that ends in a slash, like Auth0', async () => {
    const port = await freePort();
    const issuer = `http://localhost:${port}/`;
    const idp = await startIdp({ port, issuer });
    expect(idp.issuer).toBe(issuer);
    expect(idp.url).toBe(`http://localhost:${port}`);

    // Clients find discovery by appending to the issuer, with or without its slash.
    const doc = (await (await fetch(`${issuer}.well-known/openid-configuration`)).json()) as Record<
      string,
      any
    >;
    expect(doc.issuer).toBe(issuer);
    expect(doc.authorization_endpoint).toBe(`http://localhost:${port}/authorize`);

    const tokens = await headlessLogin({ issuerUrl: issuer, sub: 'dev|bob' });
    const jwks = createRemoteJWKSet(new URL(doc.jwks_uri));
    const access = await jwtVerify(tokens.access_token, jwks, { issuer, audience: 'cliprelay-api' });
    expect(access.payload.iss).toBe(issuer);
    expect(access.payload.sub).toBe('dev|bob');
    const id = await jwtVerify(tokens.id_token, jwks, { issuer, audience: 'cliprelay-web' });
    expect(id.payload.iss).toBe(issuer);
  });

  it('issues tokens for a configured audience, including a URL audience', async () => {
    const idp = await startIdp({ audience: 'https://api.cliprelay.test/', accessTokenTtl: 120 });
    const tokens = await headlessLogin({ issuerUrl: idp.issuer, sub: 'dev|alice' });
    expect(tokens.expires_in).toBe(120);
    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL((await discovery(idp)).jwks_uri)),
      { issuer: idp.issuer, audience: 'https://api.cliprelay.test/' },
    );
    expect(payload.exp! - payload.iat!).toBe(120);
  });

  it('webOrigin registers the SPA client on that origin', async () => {
    const idp = await startIdp({ webOrigin: 'http://127.0.0.1:4173' });
    expect(idp.clients).toEqual([
      expect.objectContaining({
        client_id: 'cliprelay-web',
        redirect_uris: ['http://127.0.0.1:4173/', 'http://127.0.0.1:4173/callback'],
        post_logout_redirect_uris: ['http://127.0.0.1:4173/'],
      }),
    ]);
    const tokens = await headlessLogin({
      issuerUrl: idp.url,
      sub: 'dev|alice',
      redirectUri: 'http://127.0.0.1:4173/',
    });
    expect(tokens.access_token).toEqual(expect.any(String));
    await expect(headlessLogin({ issuerUrl: idp.url, sub: 'dev|alice' })).rejects.toThrow(/redirect_uri/);
  });

  it('serves extra clients and users given as options', async () => {
    const idp = await startIdp({
      clients: [
        { client_id: 'cliprelay-web', redirect_uris: ['http://localhost:5173/callback'] },
        { client_id: 'e2e', client_name: 'E2E runner', redirect_uris: ['http://localhost:9999/cb'] },
      ],
      users: [{ sub: 'auth0|carol', name: 'Carol', email: 'carol@example.com' }],
    });
    const { page } = await openLoginPage(idp, { client_id: 'e2e', redirect_uri: 'http://localhost:9999/cb' });
    expect(page).toContain('E2E runner');
    expect(page).toContain('Carol');
    expect(page).not.toContain('Alice');
    const tokens = await headlessLogin({
      issuerUrl: idp.url,
      sub: 'auth0|carol',
      clientId: 'e2e',
      redirectUri: 'http://localhost:9999/cb',
    });
    expect(tokens.id_token).toEqual(expect.any(String));
  });

  it('reports a busy port with EADDRINUSE and a clear message', async () => {
    const idp = await startIdp();
    const port = Number(new URL(idp.url).port);
    await expect(startIdp({ port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: `port ${port} on 127.0.0.1 is already in use`,
    });
  });

  it('closes cleanly, even when asked twice', async () => {
    const idp = await startIdp();
    await headlessLogin({ issuerUrl: idp.url, sub: 'dev|alice' });
    await Promise.all([idp.close(), idp.close()]);
    await expect(fetch(idp.discoveryUrl)).rejects.toThrow();
  });
});
