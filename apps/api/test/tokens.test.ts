import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../src/app.ts';
import type { AppConfig } from '../src/config/config.ts';
import { APP_CONFIG } from '../src/config/config.module.ts';
import { accountRow, expireAccessTokenLocally, forgetCreatorInfo, setAccessExpiresIn } from './support/db.ts';
import { sandboxTokens } from './support/oauth.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount, connectViaOAuth } from './support/tiktok.ts';

const ACCESS_TTL = 900;
const REFRESH_TTL = 86_400;

describe('TikTok tokens', () => {
  let stack: Stack;
  let config: AppConfig;

  beforeAll(async () => {
    stack = await startStack({ sandbox: { accessTtl: ACCESS_TTL, refreshTtl: REFRESH_TTL } });
    config = stack.api.app.get<symbol, AppConfig>(APP_CONFIG);
  });
  afterAll(() => stack?.close());
  afterEach(async () => {
    await stack.sandbox.clearFaults();
  });

  let n = 0;
  /** A freshly connected account: its own tokens, so rate limits and expiries are its own. */
  const account = () => connectedAccount(stack, 'dev|alice', { nickname: `Creator ${++n}` });
  const creatorInfo = (token: string, accountId: string) =>
    stack.call(`/tiktok/creator-info/${accountId}`, { token });
  const advanceTikTokClock = (seconds: number) => stack.sandbox.advanceClock(seconds);
  const byType = async (openId: string, type: 'access' | 'refresh') =>
    (await sandboxTokens(stack, openId)).filter((t) => t.type === type).map((t) => t.state);
  const listed = async (token: string, accountId: string) =>
    ((await (await stack.call('/social-accounts', { token })).json()).data as any[]).find(
      (a) => a.id === accountId,
    );

  it('stores TikTok’s tokens encrypted: the database never holds an act./rft. string', async () => {
    const { accountId, openId } = await account();
    const row = await accountRow(stack, accountId);
    expect(row.access_token_enc).toMatch(/^v1\./);
    expect(row.refresh_token_enc).toMatch(/^v1\./);
    const dump = JSON.stringify(row);
    expect(dump).not.toMatch(/act\.|rft\./);
    const issued = await sandboxTokens(stack, openId);
    expect(issued).toHaveLength(2);
    for (const t of issued) expect(dump).not.toContain(t.token.slice(4));
  });

  it('takes the token lifetimes from TikTok’s expires_in and refresh_expires_in', async () => {
    const { accountId } = await account();
    const row = await accountRow(stack, accountId);
    const inSec = (d: Date) => (new Date(d).getTime() - Date.now()) / 1000;
    expect(inSec(row.access_expires_at)).toBeGreaterThan(ACCESS_TTL - 60);
    expect(inSec(row.access_expires_at)).toBeLessThanOrEqual(ACCESS_TTL);
    expect(inSec(row.refresh_expires_at)).toBeGreaterThan(REFRESH_TTL - 60);
    expect(inSec(row.refresh_expires_at)).toBeLessThanOrEqual(REFRESH_TTL);
  });

  it('creator info keeps working after TikTok’s access token expired: refreshed invisibly, tokens rotated', async () => {
    const { token, accountId, openId } = await account();
    expect((await creatorInfo(token, accountId)).status).toBe(200);
    const before = await accountRow(stack, accountId);

    await advanceTikTokClock(ACCESS_TTL + 1);
    await forgetCreatorInfo(stack, accountId); // its short window passed too: TikTok is asked
    const res = await creatorInfo(token, accountId);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json()).data.creator_nickname).toMatch(/^Creator /);

    expect(await byType(openId, 'refresh')).toEqual(['rotated', 'active']);
    expect(await byType(openId, 'access')).toEqual(['expired', 'active']);
    const after = await accountRow(stack, accountId);
    expect(after.token_version).toBe(before.token_version + 1);
    expect(after.refresh_token_enc).not.toBe(before.refresh_token_enc);

    // The rotated refresh token was stored: the next expiry refreshes from it.
    await advanceTikTokClock(ACCESS_TTL + 1);
    await forgetCreatorInfo(stack, accountId);
    expect((await creatorInfo(token, accountId)).status).toBe(200);
    expect(await byType(openId, 'refresh')).toEqual(['rotated', 'rotated', 'active']);
  });

  it('a creator-info request TikTok answers with access_token_invalid succeeds after exactly one refresh', async () => {
    const { token, accountId, openId } = await account();
    await stack.sandbox.addFault({
      endpoint: 'creator_info',
      http_status: 401,
      error_code: 'access_token_invalid',
      open_id: openId,
    });
    const res = await creatorInfo(token, accountId);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await byType(openId, 'refresh')).toEqual(['rotated', 'active']);
    expect(await byType(openId, 'access')).toHaveLength(2);
  });

  it('refreshes ahead of time when the token expires within minutes, before TikTok refuses it', async () => {
    const { token, accountId, openId } = await account();
    await setAccessExpiresIn(stack, accountId, 120);
    expect((await creatorInfo(token, accountId)).status).toBe(200);
    expect(await byType(openId, 'refresh')).toEqual(['rotated', 'active']);
    const row = await accountRow(stack, accountId);
    expect(new Date(row.access_expires_at).getTime()).toBeGreaterThan(Date.now() + (ACCESS_TTL - 60) * 1000);
  });

  // creator_info allows 20 requests per minute per access token: 20 requests all retried with
  // the one new token fit exactly; a second refresh would show as a second rotated token.
  it('20 creator-info requests at once on a token we know has expired all succeed with ONE refresh', async () => {
    const { token, accountId, openId } = await account();
    await expireAccessTokenLocally(stack, accountId);
    const responses = await Promise.all(Array.from({ length: 20 }, () => creatorInfo(token, accountId)));
    const statuses = await Promise.all(
      responses.map(async (r) => `${r.status} ${r.status === 200 ? '' : await r.text()}`),
    );
    expect(statuses).toEqual(Array(20).fill('200 '));
    expect(await byType(openId, 'refresh')).toEqual(['rotated', 'active']);
  });

  it('20 creator-info requests at once on a token TikTok says has expired all succeed with ONE refresh', async () => {
    const { token, accountId, openId } = await account();
    await advanceTikTokClock(ACCESS_TTL + 1);
    const responses = await Promise.all(Array.from({ length: 20 }, () => creatorInfo(token, accountId)));
    const statuses = await Promise.all(
      responses.map(async (r) => `${r.status} ${r.status === 200 ? '' : await r.text()}`),
    );
    expect(statuses).toEqual(Array(20).fill('200 '));
    expect(await byType(openId, 'refresh')).toEqual(['rotated', 'active']);
  });

  it('two API replicas on one database refresh a shared account once between them', async () => {
    const replica = await startApi({ ...config, port: 0 }, { logDestination: devNull() });
    try {
      const { token, accountId, openId } = await account();
      await expireAccessTokenLocally(stack, accountId);
      const urls = [stack.apiUrl, replica.url];
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(`${urls[i % 2]}/tiktok/creator-info/${accountId}`, {
            headers: { authorization: `Bearer ${token}` },
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(await byType(openId, 'refresh')).toEqual(['rotated', 'active']);
    } finally {
      await replica.close();
    }
  });

  it('when the user removed the app on TikTok, the account asks to be reconnected, and reconnecting fixes it', async () => {
    const { token, accountId, openId } = await account();
    const [access] = (await sandboxTokens(stack, openId)).filter((t) => t.type === 'access');
    const revoke = await fetch(`${stack.sandboxUrl}/v2/oauth/revoke/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_key: config.tiktok.clientKey,
        client_secret: config.tiktok.clientSecret,
        token: access!.token,
      }),
    });
    expect(revoke.status).toBe(200);

    const res = await creatorInfo(token, accountId);
    const body = await res.json();
    expect(res.status).toBe(404);
    expect(body).toMatchObject({ statusCode: 404, code: 'ACCOUNT_RECONNECT_REQUIRED' });
    expect(body.message).toMatch(/reconnect/i);
    expect(await listed(token, accountId)).toMatchObject({ id: accountId, status: 'reconnect_required' });

    // Later requests say the same without another round trip to TikTok.
    const tokensBefore = await sandboxTokens(stack, openId);
    expect((await creatorInfo(token, accountId)).status).toBe(404);
    expect(await sandboxTokens(stack, openId)).toEqual(tokensBefore);

    const again = await connectViaOAuth(stack, token, openId);
    expect(again.accountId).toBe(accountId);
    expect(await listed(token, accountId)).toMatchObject({ status: 'active' });
    expect((await creatorInfo(token, accountId)).status).toBe(200);
  });

  it('a refresh token TikTok refuses with invalid_grant marks the account reconnect_required', async () => {
    const { token, accountId, openId } = await account();
    await stack.sandbox.addFault({ endpoint: 'token', error_code: 'invalid_grant', open_id: openId });
    await expireAccessTokenLocally(stack, accountId);
    const res = await creatorInfo(token, accountId);
    const body = await res.json();
    expect(res.status).toBe(404);
    expect(body.code).toBe('ACCOUNT_RECONNECT_REQUIRED');
    expect(body.message).toMatch(/reconnect/i);
    expect(await listed(token, accountId)).toMatchObject({ status: 'reconnect_required' });
  });

  it('a refresh that fails on the way (TikTok down) does not lose the account: the next request works', async () => {
    const { token, accountId, openId } = await account();
    await stack.sandbox.addFault({ endpoint: 'token', reset: true, open_id: openId });
    await expireAccessTokenLocally(stack, accountId);
    const failed = await creatorInfo(token, accountId);
    expect(failed.status).toBe(500);
    expect((await failed.json()).code).toBe('TIKTOK_UNAVAILABLE');
    expect(await listed(token, accountId)).toMatchObject({ status: 'active' });
    expect((await creatorInfo(token, accountId)).status).toBe(200);
    expect(await byType(openId, 'refresh')).toEqual(['rotated', 'active']);
  });

  it('an account with a token well within its lifetime is used as is, without a refresh', async () => {
    const { token, accountId, openId } = await account();
    await setAccessExpiresIn(stack, accountId, 600);
    expect((await creatorInfo(token, accountId)).status).toBe(200);
    expect(await byType(openId, 'refresh')).toEqual(['active']);
  });

  it('a reconnect_required account can still be disconnected', async () => {
    const { token, accountId, openId } = await account();
    await stack.sandbox.addFault({ endpoint: 'token', error_code: 'invalid_grant', open_id: openId });
    await expireAccessTokenLocally(stack, accountId);
    expect((await creatorInfo(token, accountId)).status).toBe(404);
    const res = await stack.call(`/social-accounts/${accountId}`, { method: 'DELETE', token });
    expect(res.status).toBe(200);
    expect(await listed(token, accountId)).toBeUndefined();
    expect((await sandboxTokens(stack, openId)).every((t) => t.state === 'revoked')).toBe(true);
  });

  // Last: moves TikTok's clock past every refresh token issued so far.
  it('once TikTok’s refresh token lifetime has run out, the account asks to be reconnected', async () => {
    const { token, accountId } = await account();
    await advanceTikTokClock(REFRESH_TTL + 1);
    const res = await creatorInfo(token, accountId);
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe('ACCOUNT_RECONNECT_REQUIRED');
    expect(await listed(token, accountId)).toMatchObject({ status: 'reconnect_required' });
  });
});

function devNull(): NodeJS.WritableStream {
  return new Writable({ write: (_c, _e, cb) => cb() });
}
