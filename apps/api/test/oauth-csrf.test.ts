/**
 * The connect flow is bound to the browser that began it (issue 15, defect 3: account-linking
 * CSRF). POST /tiktok/connect sets an HttpOnly cookie whose nonce's hash is stored with the state;
 * TikTok's redirect to the callback links an account only when the browser brings that cookie.
 * Every refusal below links nothing: no account for anyone, and TikTok's code is never exchanged.
 */
import { randomBytes } from 'node:crypto';
import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '@cliprelay/test-kit/cookies';
import { queryDb } from './support/db.ts';
import {
  consent,
  followCallback,
  outcomeOf,
  sandboxTokens,
  startConnect,
  stateHash,
} from './support/oauth.ts';
import { ReliabilityReport } from './support/reliability.ts';
import { type Stack, startStack } from './support/stack.ts';
import { createCreator } from './support/tiktok.ts';

const COOKIE = 'cliprelay_tiktok_oauth';
const WEB_ORIGIN = 'http://localhost:5173';
const MISMATCH = { tiktok_connect: 'error', code: 'OAUTH_BROWSER_MISMATCH' };
const STATE_INVALID = { tiktok_connect: 'error', code: 'OAUTH_STATE_INVALID' };

const report = new ReliabilityReport('oauth-csrf');

/** Files one callback's outcome: a link, or our refusal's code (each refusal linked nothing). */
function recordCallback(category: string, location: URL): void {
  const outcome = outcomeOf(location);
  report.record(
    category,
    outcome.tiktok_connect === 'success' ? 'linked' : `refused ${outcome.code}, nothing linked`,
  );
}

describe('OAuth connect bound to the browser (account-linking CSRF)', () => {
  let stack: Stack;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    stack = await startStack();
    alice = await stack.tokenFor('dev|alice');
    bob = await stack.tokenFor('dev|bob');
  });
  afterAll(async () => {
    await report.write();
    await stack?.close();
  });

  const openIdsOf = async (token: string): Promise<string[]> => {
    const res = await stack.call('/social-accounts', { token });
    expect(res.status).toBe(200);
    return ((await res.json()).data as { open_id: string }[]).map((a) => a.open_id);
  };
  /** Nobody has the creator's account, and TikTok never issued a token for it. */
  const linkedNowhere = async (openId: string) => {
    expect(await openIdsOf(alice)).not.toContain(openId);
    expect(await openIdsOf(bob)).not.toContain(openId);
    expect(await sandboxTokens(stack, openId)).toHaveLength(0);
  };
  const callbackPath = () => `${stack.apiUrl}/tiktok/oauth/callback`;

  it('POST /tiktok/connect sets an HttpOnly, SameSite=Lax cookie for the callback path only, for the state’s ten minutes', async () => {
    const res = await stack.call('/tiktok/connect', { method: 'POST', token: alice });
    expect(res.status).toBe(200);
    const [header, ...more] = res.headers.getSetCookie();
    expect(more).toEqual([]);
    const cookie = parseSetCookie(header!);
    expect(cookie).toMatchObject({
      name: COOKIE,
      value: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      httpOnly: true,
      sameSite: 'lax',
      path: '/tiktok/oauth/callback',
      maxAge: 600,
    });
    expect(cookie.secure).toBeUndefined();
    expect(cookie.domain).toBeUndefined();
    // Only its hash is stored, beside the state's.
    const { data } = await res.json();
    const [row] = await queryDb(stack, 'select * from oauth_states where state_hash = $1', [
      stateHash(new URL(data.authorizeUrl)),
    ]);
    expect(row!.browser_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(row)).not.toContain(cookie.value);
  });

  it('the cookie is Secure when the request came over https through a trusted proxy', async () => {
    const res = await stack.call('/tiktok/connect', {
      method: 'POST',
      token: alice,
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(parseSetCookie(res.headers.getSetCookie()[0]!).secure).toBe(true);
  });

  it('CORS lets the web app send and receive cookies, and no other origin', async () => {
    const preflight = await stack.call('/tiktok/connect', {
      method: 'OPTIONS',
      headers: {
        origin: WEB_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(WEB_ORIGIN);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await stack.call('/tiktok/connect', {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    // Without its origin allowed, a browser gives the page neither the answer nor its cookies.
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the normal flow still links, in the browser that began it, and then clears the cookie', async () => {
    const { open_id } = await createCreator(stack);
    const browser = new CookieJar();
    const back = await followCallback(
      await consent(stack, await startConnect(stack, alice, browser), open_id),
      browser,
    );
    expect(outcomeOf(back.location)).toEqual({ tiktok_connect: 'success', account: expect.any(String) });
    recordCallback('the normal flow, in the browser that began it', back.location);
    expect(await openIdsOf(alice)).toContain(open_id);
    const cleared = parseSetCookie(back.setCookie[0]!);
    expect(cleared).toMatchObject({ name: COOKIE, value: '', path: '/tiktok/oauth/callback' });
    expect(cleared.expires!.getTime()).toBeLessThan(Date.now());
    expect(browser.header(back.location)).toBeUndefined();
    expect(browser.header(callbackPath())).toBeUndefined();
  });

  it('Bob’s attack fails: Alice approving TikTok’s consent for Bob’s connect URL links her account to nobody', async () => {
    const alicesTikTok = await createCreator(stack, { nickname: 'Alice on TikTok' });
    const bobsBrowser = new CookieJar();
    const alicesBrowser = new CookieJar();
    // Bob starts a connect and sends Alice its consent URL; Alice approves it with her TikTok account.
    const bait = await startConnect(stack, bob, bobsBrowser);
    const redirect = await consent(stack, bait, alicesTikTok.open_id);
    // TikTok redirects Alice's browser, which never called POST /tiktok/connect, to our callback.
    const back = await followCallback(redirect, alicesBrowser);
    expect(back.status).toBe(302);
    expect(`${back.location.origin}${back.location.pathname}`).toBe(`${WEB_ORIGIN}/`);
    expect(outcomeOf(back.location)).toEqual(MISMATCH);
    await linkedNowhere(alicesTikTok.open_id);
    recordCallback('account-linking CSRF: the victim approves the attacker’s consent URL', back.location);
    // The state is spent: Bob cannot finish it in his own browser with Alice's code either.
    const spent = (await followCallback(redirect, bobsBrowser)).location;
    expect(outcomeOf(spent)).toEqual(STATE_INVALID);
    await linkedNowhere(alicesTikTok.open_id);
    recordCallback('the attacker finishing the spent state in his own browser', spent);
  });

  it('Bob’s attack fails also while Alice has a connect of her own under way, which still works', async () => {
    const alicesTikTok = await createCreator(stack);
    const alicesBrowser = new CookieJar();
    const own = await startConnect(stack, alice, alicesBrowser);
    const bait = await startConnect(stack, bob, new CookieJar());
    const back = await followCallback(await consent(stack, bait, alicesTikTok.open_id), alicesBrowser);
    expect(outcomeOf(back.location)).toEqual(MISMATCH);
    recordCallback('account-linking CSRF while the victim has a connect of her own', back.location);
    // The stray callback leaves her cookie for her own flow.
    expect(back.setCookie).toEqual([]);
    await linkedNowhere(alicesTikTok.open_id);
    const mine = await followCallback(await consent(stack, own, alicesTikTok.open_id), alicesBrowser);
    expect(outcomeOf(mine.location).tiktok_connect).toBe('success');
    expect(await openIdsOf(alice)).toContain(alicesTikTok.open_id);
    expect(await openIdsOf(bob)).not.toContain(alicesTikTok.open_id);
  });

  it('a callback without the cookie is refused and spends the state', async () => {
    const { open_id } = await createCreator(stack);
    const browser = new CookieJar();
    const redirect = await consent(stack, await startConnect(stack, alice, browser), open_id);
    const withoutCookie = (await followCallback(redirect, new CookieJar())).location;
    expect(outcomeOf(withoutCookie)).toEqual(MISMATCH);
    await linkedNowhere(open_id);
    recordCallback('a callback without the cookie', withoutCookie);
    // Even the right browser cannot use it now.
    expect(outcomeOf((await followCallback(redirect, browser)).location)).toEqual(STATE_INVALID);
    await linkedNowhere(open_id);
  });

  it('a cookie of another flow is refused: another browser’s, the same user’s, or a forged value', async () => {
    const { open_id } = await createCreator(stack);
    const other = new CookieJar();
    await startConnect(stack, alice, other);
    const theirs = other.get(callbackPath(), COOKIE);
    expect(theirs).toBeTruthy();

    const viaOtherBrowser = await consent(stack, await startConnect(stack, alice), open_id);
    expect(outcomeOf((await followCallback(viaOtherBrowser, other)).location)).toEqual(MISMATCH);

    const forged = await consent(stack, await startConnect(stack, alice), open_id);
    const res = await fetch(forged, {
      redirect: 'manual',
      headers: { cookie: `${COOKIE}=${randomBytes(32).toString('base64url')}` },
    });
    expect(outcomeOf(new URL(res.headers.get('location')!))).toEqual(MISMATCH);
    await linkedNowhere(open_id);
    recordCallback('a forged cookie value', new URL(res.headers.get('location')!));
  });

  it('in one browser the newest connect wins: the earlier one’s callback is refused', async () => {
    const { open_id } = await createCreator(stack);
    const browser = new CookieJar();
    const first = await startConnect(stack, alice, browser);
    const second = await startConnect(stack, alice, browser);
    expect(outcomeOf((await followCallback(await consent(stack, first, open_id), browser)).location)).toEqual(
      MISMATCH,
    );
    await linkedNowhere(open_id);
    const back = await followCallback(await consent(stack, second, open_id), browser);
    expect(outcomeOf(back.location).tiktok_connect).toBe('success');
  });

  it('cross-user: Bob finishing Alice’s flow in his browser, with his own connect’s cookie, links nothing', async () => {
    const alicesTikTok = await createCreator(stack);
    const bobsTikTok = await createCreator(stack);
    const alicesBrowser = new CookieJar();
    const bobsBrowser = new CookieJar();
    const alicesFlow = await consent(
      stack,
      await startConnect(stack, alice, alicesBrowser),
      alicesTikTok.open_id,
    );
    const bobsFlow = await startConnect(stack, bob, bobsBrowser);

    const crossUser = (await followCallback(alicesFlow, bobsBrowser)).location;
    expect(outcomeOf(crossUser)).toEqual(MISMATCH);
    await linkedNowhere(alicesTikTok.open_id);
    recordCallback('cross-user: another user finishing the flow with his own cookie', crossUser);
    // Alice's flow is spent; Bob's own is untouched.
    expect(outcomeOf((await followCallback(alicesFlow, alicesBrowser)).location)).toEqual(STATE_INVALID);
    await linkedNowhere(alicesTikTok.open_id);
    const bobsBack = await followCallback(await consent(stack, bobsFlow, bobsTikTok.open_id), bobsBrowser);
    expect(outcomeOf(bobsBack.location).tiktok_connect).toBe('success');
    expect(await openIdsOf(bob)).toContain(bobsTikTok.open_id);
    expect(await openIdsOf(alice)).not.toContain(bobsTikTok.open_id);
  });

  it('replay: a callback URL works once, even with a copy of the cookie kept from before', async () => {
    const { open_id } = await createCreator(stack);
    const browser = new CookieJar();
    const redirect = await consent(stack, await startConnect(stack, alice, browser), open_id);
    const kept = browser.header(redirect)!;
    expect(outcomeOf((await followCallback(redirect, browser)).location).tiktok_connect).toBe('success');
    const replay = await fetch(redirect, { redirect: 'manual', headers: { cookie: kept } });
    expect(outcomeOf(new URL(replay.headers.get('location')!))).toEqual(STATE_INVALID);
    recordCallback('state replay with a kept cookie', new URL(replay.headers.get('location')!));
    expect(await sandboxTokens(stack, open_id)).toHaveLength(2);
    expect((await openIdsOf(alice)).filter((id) => id === open_id)).toHaveLength(1);
  });

  it('forgery: a made-up state is refused even with a live cookie, which stays for its own flow', async () => {
    const { open_id } = await createCreator(stack);
    const browser = new CookieJar();
    const redirect = await consent(stack, await startConnect(stack, alice, browser), open_id);
    const forged = new URL(redirect);
    forged.searchParams.set('state', randomBytes(32).toString('base64url'));
    const back = await followCallback(forged, browser);
    expect(outcomeOf(back.location)).toEqual(STATE_INVALID);
    recordCallback('state forgery with a live cookie', back.location);
    expect(back.setCookie).toEqual([]);
    await linkedNowhere(open_id);
    expect(outcomeOf((await followCallback(redirect, browser)).location).tiktok_connect).toBe('success');
  });

  it('a state stored without a browser binding (made before it existed) is refused', async () => {
    const { open_id } = await createCreator(stack);
    const browser = new CookieJar();
    const authorizeUrl = await startConnect(stack, alice, browser);
    await queryDb(stack, 'update oauth_states set browser_hash = null where state_hash = $1', [
      stateHash(authorizeUrl),
    ]);
    const back = await followCallback(await consent(stack, authorizeUrl, open_id), browser);
    expect(outcomeOf(back.location)).toEqual(MISMATCH);
    await linkedNowhere(open_id);
    recordCallback('a state stored without a browser binding', back.location);
  });

  it('a denial on TikTok in a foreign browser is refused as such too', async () => {
    const { open_id } = await createCreator(stack);
    const denied = await consent(stack, await startConnect(stack, bob), open_id, { approve: false });
    const deniedBack = (await followCallback(denied, new CookieJar())).location;
    expect(outcomeOf(deniedBack)).toEqual(MISMATCH);
    recordCallback('a denial on TikTok in a foreign browser', deniedBack);
    await linkedNowhere(open_id);
  });
});
