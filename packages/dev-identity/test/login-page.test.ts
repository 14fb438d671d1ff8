import { describe, expect, it } from 'vitest';
import { CALLBACK, loginAction, openLoginPage, SPA_ORIGIN, startIdp } from './helpers.ts';

describe('the login page', () => {
  it('lists both dev users as buttons with name and email, and says it stands in for Auth0', async () => {
    const idp = await startIdp();
    const { page, status } = await openLoginPage(idp);
    expect(status).toBe(200);
    for (const text of ['Alice Example', 'alice@example.com', 'Bob Example', 'bob@example.com']) {
      expect(page).toContain(text);
    }
    expect(page.match(/<button[^>]*name="sub"/g)).toHaveLength(2);
    expect(page).toContain('value="dev|alice"');
    expect(page).toMatch(/development identity provider standing in for Auth0/);
    expect(page).toContain(SPA_ORIGIN);
  });

  it('is self-contained and sized for a 390 px phone', async () => {
    const idp = await startIdp();
    const { page } = await openLoginPage(idp);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1" />');
    expect(page).toMatch(/max-width: 440px/);
    expect(page).not.toMatch(/<link|<script|<img|@import|url\(|src=/i);
  });

  it('signs the picked user in and returns to the app with a code, with no consent page', async () => {
    const idp = await startIdp();
    const { browser, page, url } = await openLoginPage(idp, { state: 'abc' });
    const posted = await browser.post(loginAction(page, url), { sub: 'dev|bob' });
    expect(posted.status).toBe(303);
    const { res } = await browser.follow(posted, loginAction(page, url), new URL(idp.url).origin);
    const back = new URL(res.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get('code')).toBeTruthy();
    expect(back.searchParams.get('state')).toBe('abc');
    expect(back.searchParams.get('iss')).toBe(idp.issuer);
  });

  it('refuses an unknown user with the page again and an error, not a 500', async () => {
    const idp = await startIdp();
    const { browser, page, url } = await openLoginPage(idp);
    const res = await browser.post(loginAction(page, url), { sub: 'dev|mallory' });
    expect(res.status).toBe(400);
    const again = await res.text();
    expect(again).toContain('There is no dev user &quot;dev|mallory&quot;');
    expect(again).toContain('role="alert"');
    expect(again).toContain('Alice Example');
    // The same sign-in can still go on with a real user.
    const ok = await browser.post(loginAction(again, url), { sub: 'dev|alice' });
    expect(ok.status).toBe(303);
  });

  it('refuses an empty or malformed submission without a 500', async () => {
    const idp = await startIdp();
    const { browser, page, url } = await openLoginPage(idp);
    const empty = await browser.post(loginAction(page, url), {});
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Pick a user to sign in.');
    const json = await browser.request(loginAction(page, url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sub":"dev|alice"}',
    });
    expect(json.status).toBe(400);
    expect(await json.text()).toContain('application/x-www-form-urlencoded');
  });

  it('escapes every user-supplied value in the page', async () => {
    const idp = await startIdp({
      users: [{ sub: 'dev|"x"><b>', name: '<script>alert(1)</script>', email: 'e<i>@example.com' }],
    });
    const { page } = await openLoginPage(idp, { login_hint: '"><img src=x>' });
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('value="dev|&quot;x&quot;&gt;&lt;b&gt;"');
    expect(page).toContain('e&lt;i&gt;@example.com');
    expect(page).not.toContain('<img');
  });

  it('shows a readable error page, not a 500, when the sign-in cookie is gone', async () => {
    const idp = await startIdp();
    const { page, url } = await openLoginPage(idp);
    const stranger = await fetch(url);
    expect(stranger.status).toBe(400);
    expect(await stranger.text()).toContain('This sign-in has expired');
    const post = await fetch(loginAction(page, url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'sub=dev%7Calice',
    });
    expect(post.status).toBe(400);
  });

  it('cancelling returns to the app with error=access_denied', async () => {
    const idp = await startIdp();
    const { browser, url } = await openLoginPage(idp);
    const abort = new URL(`${url.pathname}/abort`, url);
    const { res } = await browser.follow(await browser.post(abort, {}), abort, new URL(idp.url).origin);
    const back = new URL(res.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.has('code')).toBe(false);
  });

  it('focuses the user named by login_hint', async () => {
    const idp = await startIdp();
    const { page } = await openLoginPage(idp, { login_hint: 'dev|bob' });
    expect(page).toMatch(/value="dev\|bob"\s+autofocus/);
  });
});
