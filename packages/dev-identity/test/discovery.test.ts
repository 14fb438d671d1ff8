import { describe, expect, it } from 'vitest';
import { discovery, SPA_ORIGIN, startIdp } from './helpers.ts';

describe('discovery and JWKS', () => {
  it('serves a discovery document with issuer, jwks_uri, endpoints and S256 PKCE', async () => {
    const idp = await startIdp();
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, any>;
    expect(doc.issuer).toBe(idp.issuer);
    expect(idp.issuer).toBe(idp.url);
    expect(idp.url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(doc.jwks_uri).toBe(`${idp.url}/.well-known/jwks.json`);
    expect(doc.authorization_endpoint).toBe(`${idp.url}/authorize`);
    expect(doc.token_endpoint).toBe(`${idp.url}/oauth/token`);
    expect(doc.userinfo_endpoint).toBe(`${idp.url}/userinfo`);
    expect(doc.end_session_endpoint).toBe(`${idp.url}/oidc/logout`);
    expect(doc.code_challenge_methods_supported).toContain('S256');
    expect(doc.code_challenge_methods_supported).not.toContain('plain');
    expect(doc.response_types_supported).toEqual(['code']);
    expect(doc.id_token_signing_alg_values_supported).toContain('RS256');
    expect(doc.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']),
    );
  });

  it('publishes the signing key as a public RS256 JWK without private parts', async () => {
    const idp = await startIdp();
    const jwks = (await (await fetch((await discovery(idp)).jwks_uri)).json()) as { keys: any[] };
    expect(jwks.keys).toHaveLength(1);
    const [key] = jwks.keys;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: idp.kid });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
  });

  it('lets the SPA read discovery and JWKS cross-origin', async () => {
    const idp = await startIdp();
    const doc = await discovery(idp);
    for (const url of [idp.discoveryUrl, doc.jwks_uri as string]) {
      const res = await fetch(url, { headers: { origin: SPA_ORIGIN } });
      expect(res.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:5173)$/);
    }
  });

  it('has a home page naming the issuer, audience, client and dev users', async () => {
    const idp = await startIdp();
    const res = await fetch(`${idp.url}/`);
    expect(res.status).toBe(200);
    const page = await res.text();
    for (const text of [idp.issuer, 'cliprelay-api', 'cliprelay-web', 'dev|alice', 'bob@example.com']) {
      expect(page).toContain(text);
    }
  });
});
