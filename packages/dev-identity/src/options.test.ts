import { describe, expect, it } from 'vitest';
import { DevIdentityConfigError, parseDevIdentityOptions, type DevIdentityOptions } from './options.ts';

function problems(input: unknown): string[] {
  try {
    parseDevIdentityOptions(input as DevIdentityOptions);
  } catch (error) {
    if (error instanceof DevIdentityConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseDevIdentityOptions', () => {
  it('fills in the documented defaults', () => {
    expect(parseDevIdentityOptions()).toEqual({
      port: 4020,
      host: '127.0.0.1',
      issuer: undefined,
      audience: 'cliprelay-api',
      clients: [
        {
          client_id: 'cliprelay-web',
          client_name: 'Cliprelay',
          redirect_uris: ['http://localhost:5173/', 'http://localhost:5173/callback'],
          post_logout_redirect_uris: ['http://localhost:5173/'],
        },
      ],
      users: [
        { sub: 'dev|alice', name: 'Alice Example', email: 'alice@example.com' },
        { sub: 'dev|bob', name: 'Bob Example', email: 'bob@example.com' },
      ],
      accessTokenTtl: 3600,
      keyFile: undefined,
    });
  });

  it('keeps a trailing slash on the issuer and drops nothing else', () => {
    expect(parseDevIdentityOptions({ issuer: 'https://tenant.auth0.com/' }).issuer).toBe(
      'https://tenant.auth0.com/',
    );
    expect(parseDevIdentityOptions({ issuer: 'http://localhost:4020' }).issuer).toBe('http://localhost:4020');
  });

  it('derives the SPA client from webOrigin, with or without a slash', () => {
    const { clients } = parseDevIdentityOptions({ webOrigin: 'https://app.example.com/' });
    expect(clients[0]?.redirect_uris).toEqual([
      'https://app.example.com/',
      'https://app.example.com/callback',
    ]);
  });

  it('names every bad option at once', () => {
    expect(
      problems({
        port: 70000,
        host: '',
        issuer: 'https://tenant.auth0.com/some/path',
        audience: 'two words',
        accessTokenTtl: 0,
        keyFile: 42,
        webOrign: 'http://x',
      }),
    ).toEqual([
      'unknown option "webOrign"',
      'port must be an integer from 0 to 65535, got 70000',
      'host must be a non-empty string',
      expect.stringContaining('issuer must be an http(s) origin'),
      'audience must be a non-empty string without spaces',
      'accessTokenTtl must be a positive whole number of seconds, got 0',
      'keyFile must be a file path',
    ]);
  });

  it('refuses clients and webOrigin together', () => {
    expect(problems({ webOrigin: 'http://localhost:1', clients: [] })).toEqual([
      'give either clients or webOrigin, not both',
    ]);
  });

  it('checks clients and users field by field', () => {
    expect(
      problems({
        clients: [
          { client_id: 'a', redirect_uris: ['not a url', 'http://ok/#frag'] },
          { client_id: 'a', redirect_uris: [], client_secret: 's' },
        ],
        users: [
          { sub: 'dev|x', name: 'X', email: 'nope' },
          { sub: 'dev|x', name: '', email: 'x@example.com' },
        ],
      }),
    ).toEqual([
      'clients[0].redirect_uris: "not a url" is not an http(s) URL without a fragment',
      'clients[0].redirect_uris: "http://ok/#frag" is not an http(s) URL without a fragment',
      'clients[1]: unknown field "client_secret"',
      'clients[1].client_id "a" is used twice',
      'clients[1].redirect_uris must be a non-empty array of URLs',
      'users[0].email must be an email address',
      'users[1].sub "dev|x" is used twice',
      'users[1].name must be a non-empty string',
    ]);
  });
});
