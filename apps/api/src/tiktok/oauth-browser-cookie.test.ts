import type { Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/config.ts';
import { OAUTH_BROWSER_COOKIE, OAuthBrowserCookie } from './oauth-browser-cookie.ts';

const cookieFor = (redirectUri: string) =>
  new OAuthBrowserCookie({ tiktok: { redirectUri } } as unknown as AppConfig);
const request = (over: Partial<Request> = {}) => ({ secure: false, headers: {}, ...over }) as Request;
const response = () => ({ cookie: vi.fn(), clearCookie: vi.fn() });

describe('OAuthBrowserCookie', () => {
  it('is scoped to the registered callback’s path, HttpOnly and SameSite=Lax, for the state’s ten minutes', () => {
    const res = response();
    cookieFor('http://localhost:4000/api/tiktok/oauth/callback').set(
      request(),
      res as unknown as Response,
      'n',
    );
    expect(res.cookie).toHaveBeenCalledWith(OAUTH_BROWSER_COOKIE, 'n', {
      httpOnly: true,
      sameSite: 'lax',
      secure: false,
      path: '/api/tiktok/oauth/callback',
      maxAge: 600_000,
    });
  });

  it('is Secure when the callback is https, even if the proxy in front did not say so', () => {
    const res = response();
    cookieFor('https://api.example.com/tiktok/oauth/callback').set(
      request(),
      res as unknown as Response,
      'n',
    );
    expect(res.cookie.mock.calls[0]?.[2]).toMatchObject({ secure: true });
  });

  it('reads its own cookie among others, and nothing from a request without one', () => {
    const cookie = cookieFor('http://localhost:4000/tiktok/oauth/callback');
    expect(cookie.read(request({ headers: { cookie: `a=1; ${OAUTH_BROWSER_COOKIE}=abc; b=2` } }))).toBe(
      'abc',
    );
    expect(cookie.read(request({ headers: { cookie: 'a=1' } }))).toBeUndefined();
    expect(cookie.read(request())).toBeUndefined();
  });
});
