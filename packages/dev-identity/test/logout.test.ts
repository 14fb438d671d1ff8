import { describe, expect, it } from 'vitest';
import type { RunningDevIdentity } from '../src/index.ts';
import {
  authorizeUrl,
  type Browser,
  CALLBACK,
  loginAction,
  openLoginPage,
  SPA_ORIGIN,
  startIdp,
} from './helpers.ts';

/** Signs dev|alice in with a browser that keeps its session cookie. */
async function signedInBrowser(idp: RunningDevIdentity): Promise<Browser> {
  const { browser, page, url } = await openLoginPage(idp);
  const action = loginAction(page, url);
  const { res } = await browser.follow(await browser.post(action, { sub: 'dev|alice' }), action, idp.url);
  expect(res.headers.get('location')).toMatch(/[?&]code=/);
  return browser;
}

/** Where a new authorization request lands for this browser: the app (signed in) or the login page. */
async function authorizeAgain(idp: RunningDevIdentity, browser: Browser): Promise<'app' | 'login page'> {
  const start = await authorizeUrl(idp);
  const { res } = await browser.follow(await browser.request(start), start, idp.url);
  await res.body?.cancel();
  if (res.status === 303 && res.headers.get('location')?.startsWith(CALLBACK)) return 'app';
  if (res.status === 200) return 'login page';
  throw new Error(`unexpected ${res.status}`);
}

describe('logout', () => {
  it('end_session ends the session and returns to the post-logout redirect URI with state', async () => {
    const idp = await startIdp();
    const browser = await signedInBrowser(idp);
    expect(await authorizeAgain(idp, browser)).toBe('app');

    const endSession = new URL('/oidc/logout', idp.url);
    endSession.search = new URLSearchParams({
      client_id: 'cliprelay-web',
      post_logout_redirect_uri: `${SPA_ORIGIN}/`,
      state: 'bye',
    }).toString();
    const page = await browser.request(endSession);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('Signing out');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-/);
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(body)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(body)?.[1];
    expect(action && xsrf).toBeTruthy();

    const confirmed = await browser.post(action!, { xsrf: xsrf!, logout: 'yes' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe(`${SPA_ORIGIN}/?state=bye`);
    expect(await authorizeAgain(idp, browser)).toBe('login page');
  });

  it('refuses a post-logout redirect URI the client did not register', async () => {
    const idp = await startIdp();
    const endSession = new URL('/oidc/logout', idp.url);
    endSession.search = new URLSearchParams({
      client_id: 'cliprelay-web',
      post_logout_redirect_uri: 'https://evil.example/',
    }).toString();
    const res = await fetch(endSession);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('post_logout_redirect_uri not registered');
  });

  it("maps Auth0's /v2/logout?returnTo= onto end_session", async () => {
    const idp = await startIdp();
    const res = await fetch(
      `${idp.url}/v2/logout?client_id=cliprelay-web&returnTo=${encodeURIComponent(`${SPA_ORIGIN}/`)}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(302);
    const target = new URL(res.headers.get('location')!, idp.url);
    expect(target.pathname).toBe('/oidc/logout');
    expect(target.searchParams.get('client_id')).toBe('cliprelay-web');
    expect(target.searchParams.get('post_logout_redirect_uri')).toBe(`${SPA_ORIGIN}/`);
  });

  it('shows a signed-out page when no redirect URI is given', async () => {
    const idp = await startIdp();
    const browser = await signedInBrowser(idp);
    const page = await (await browser.request(new URL('/oidc/logout', idp.url))).text();
    const action = /action="([^"]+)"/.exec(page)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)![1]!;
    const { res } = await browser.follow(
      await browser.post(action, { xsrf, logout: 'yes' }),
      action,
      idp.url,
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are signed out');
  });
});
