import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthStatesRepository } from '../src/tiktok/oauth-states.repository.ts';
import { queryDb } from './support/db.ts';
import {
  consent,
  followCallback,
  outcomeOf,
  sandboxTokens,
  startConnect,
  stateHash,
} from './support/oauth.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectViaOAuth, createCreator } from './support/tiktok.ts';

const WEB_APP = 'http://localhost:5173';
const ACCOUNT_FIELDS = ['id', 'provider', 'open_id', 'username', 'display_name', 'avatar_url', 'status'];

describe('connecting TikTok accounts', () => {
  let stack: Stack;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    stack = await startStack();
    alice = await stack.tokenFor('dev|alice');
    bob = await stack.tokenFor('dev|bob');
  });
  afterAll(() => stack?.close());

  const accounts = async (token: string): Promise<any[]> => {
    const res = await stack.call('/social-accounts', { token });
    expect(res.status).toBe(200);
    return (await res.json()).data;
  };
  const creator = (input: Parameters<typeof createCreator>[1] = {}) => createCreator(stack, input);

  it('POST /tiktok/connect gives the TikTok consent URL with our client_key, scopes, redirect_uri and a fresh state', async () => {
    const url = await startConnect(stack, alice);
    expect(url.origin).toBe(new URL(stack.sandboxUrl).origin);
    expect(url.pathname).toBe('/v2/auth/authorize/');
    const q = url.searchParams;
    expect(q.get('client_key')).toBe('sbawcliprelaydev0');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toBe(`${stack.apiUrl}/tiktok/oauth/callback`);
    expect(q.get('scope')?.split(',')).toEqual(expect.arrayContaining(['user.info.basic', 'video.publish']));
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    const again = await startConnect(stack, alice);
    expect(again.searchParams.get('state')).not.toBe(q.get('state'));
  });

  it('stores the account and sends the browser back to the web app with success and the account id', async () => {
    const { open_id } = await creator({ username: 'ana.films', nickname: 'Ana Films' });
    const callback = await consent(stack, await startConnect(stack, alice), open_id);
    const { status, location } = await followCallback(callback);
    expect(status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(`${WEB_APP}/`);
    const outcome = outcomeOf(location);
    expect(outcome).toEqual({ tiktok_connect: 'success', account: expect.any(String) });

    const mine = (await accounts(alice)).find((a) => a.id === outcome.account);
    expect(mine).toMatchObject({
      id: outcome.account,
      provider: 'tiktok',
      open_id,
      username: 'ana.films',
      display_name: 'Ana Films',
      avatar_url: expect.stringMatching(/^https?:\/\//),
      status: 'active',
    });
    expect(Object.keys(mine)).toEqual(expect.arrayContaining(ACCOUNT_FIELDS));
  });

  it('lists accounts without any token, scope or secret', async () => {
    const { open_id } = await creator();
    await connectViaOAuth(stack, alice, open_id);
    const res = await stack.call('/social-accounts', { token: alice });
    const text = await res.text();
    for (const t of await sandboxTokens(stack, open_id)) expect(text).not.toContain(t.token);
    expect(text).not.toMatch(/act\.|rft\./);
    for (const account of JSON.parse(text).data) {
      expect(Object.keys(account).filter((k) => /token|secret|scope|enc/i.test(k))).toEqual([]);
    }
  });

  it('a connect link works once: replaying the callback sends the user back with OAUTH_STATE_INVALID', async () => {
    const { open_id } = await creator();
    const callback = await consent(stack, await startConnect(stack, alice), open_id);
    const first = await followCallback(callback);
    expect(outcomeOf(first.location).tiktok_connect).toBe('success');
    const replay = await followCallback(callback);
    expect(replay.status).toBe(302);
    expect(outcomeOf(replay.location)).toEqual({ tiktok_connect: 'error', code: 'OAUTH_STATE_INVALID' });
    // The replay never reached TikTok: one authorization, one token pair.
    expect(await sandboxTokens(stack, open_id)).toHaveLength(2);
    expect((await accounts(alice)).filter((a) => a.open_id === open_id)).toHaveLength(1);
  });

  it('a callback arriving several times at once (double click, prefetch) connects once', async () => {
    const { open_id } = await creator();
    const callback = await consent(stack, await startConnect(stack, alice), open_id);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => followCallback(callback)));
    const results = outcomes.map((o) => outcomeOf(o.location).tiktok_connect).sort();
    expect(results).toEqual(['error', 'error', 'error', 'error', 'success']);
    expect(await sandboxTokens(stack, open_id)).toHaveLength(2);
    expect((await accounts(alice)).filter((a) => a.open_id === open_id)).toHaveLength(1);
  });

  it('refuses a callback with an unknown or missing state', async () => {
    const { open_id } = await creator();
    const callback = await consent(stack, await startConnect(stack, alice), open_id);
    const forged = new URL(callback);
    forged.searchParams.set('state', randomBytes(32).toString('base64url'));
    expect(outcomeOf((await followCallback(forged)).location)).toEqual({
      tiktok_connect: 'error',
      code: 'OAUTH_STATE_INVALID',
    });
    const stateless = new URL(callback);
    stateless.searchParams.delete('state');
    expect(outcomeOf((await followCallback(stateless)).location).code).toBe('OAUTH_STATE_INVALID');
    expect(await sandboxTokens(stack, open_id)).toHaveLength(0);
    expect((await accounts(alice)).some((a) => a.open_id === open_id)).toBe(false);
  });

  it('a connect link expires after ten minutes', async () => {
    const { open_id } = await creator();
    const authorizeUrl = await startConnect(stack, alice);
    const hash = stateHash(authorizeUrl);
    const [row] = await queryDb(stack, 'select expires_at from oauth_states where state_hash = $1', [hash]);
    const ttl = new Date(row!.expires_at).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);

    // Eleven minutes later, as far as the stored state is concerned.
    await queryDb(
      stack,
      `update oauth_states set expires_at = now() - interval '1 minute', created_at = now() - interval '11 minutes' where state_hash = $1`,
      [hash],
    );
    const { location } = await followCallback(await consent(stack, authorizeUrl, open_id));
    expect(outcomeOf(location)).toEqual({ tiktok_connect: 'error', code: 'OAUTH_STATE_INVALID' });
    expect(await sandboxTokens(stack, open_id)).toHaveLength(0);
  });

  it('the state repository honours the expiry to the millisecond', async () => {
    const states = stack.api.app.get(OAuthStatesRepository);
    const [user] = await queryDb(stack, "select id from users where sub = 'dev|alice'");
    const expiresAt = new Date(Date.now() + 600_000);
    await states.create('late-hash', 'browser-hash', user!.id, expiresAt);
    expect(await states.consume('late-hash', new Date(expiresAt.getTime() + 1))).toBeUndefined();
    await states.create('timely-hash', 'browser-hash', user!.id, expiresAt);
    expect(await states.consume('timely-hash', new Date(expiresAt.getTime() - 1))).toEqual({
      userId: user!.id,
      browserHash: 'browser-hash',
    });
    expect(await states.consume('timely-hash', new Date(expiresAt.getTime() - 1))).toBeUndefined();
  });

  it('the account lands on the user who started the connect, even when another user connects at the same time', async () => {
    const aliceCreator = await creator({ nickname: 'Alice on TikTok' });
    const bobCreator = await creator({ nickname: 'Bob on TikTok' });
    const aliceStart = await startConnect(stack, alice);
    const bobStart = await startConnect(stack, bob);
    const bobBack = await followCallback(await consent(stack, bobStart, bobCreator.open_id));
    const aliceBack = await followCallback(await consent(stack, aliceStart, aliceCreator.open_id));
    const aliceAccount = outcomeOf(aliceBack.location).account;
    const bobAccount = outcomeOf(bobBack.location).account;

    const aliceList = await accounts(alice);
    const bobList = await accounts(bob);
    expect(aliceList.find((a) => a.id === aliceAccount)?.open_id).toBe(aliceCreator.open_id);
    expect(bobList.find((a) => a.id === bobAccount)?.open_id).toBe(bobCreator.open_id);
    expect(aliceList.some((a) => a.open_id === bobCreator.open_id)).toBe(false);
    expect(bobList.some((a) => a.open_id === aliceCreator.open_id)).toBe(false);
  });

  it('denying consent on TikTok sends the user back with OAUTH_DENIED and stores nothing', async () => {
    const { open_id } = await creator();
    const { location } = await connectViaOAuth(stack, alice, open_id, { approve: false });
    expect(`${location.origin}${location.pathname}`).toBe(`${WEB_APP}/`);
    expect(outcomeOf(location)).toEqual({ tiktok_connect: 'error', code: 'OAUTH_DENIED' });
    expect((await accounts(alice)).some((a) => a.open_id === open_id)).toBe(false);
  });

  it('a user who unticks "post content" gets OAUTH_SCOPES_MISSING, no account, and the grant revoked at TikTok', async () => {
    const { open_id } = await creator();
    const callback = await consent(stack, await startConnect(stack, alice), open_id, {
      scopes: ['user.info.basic', 'user.info.profile'],
    });
    const { location } = await followCallback(callback);
    expect(outcomeOf(location)).toEqual({ tiktok_connect: 'error', code: 'OAUTH_SCOPES_MISSING' });
    expect((await accounts(alice)).some((a) => a.open_id === open_id)).toBe(false);
    const tokens = await sandboxTokens(stack, open_id);
    expect(tokens).toHaveLength(2);
    expect(tokens.map((t) => t.state)).toEqual(['revoked', 'revoked']);
  });

  it('granting only user.info.basic gets OAUTH_SCOPES_MISSING and the tokens revoked', async () => {
    const { open_id } = await creator();
    const { location } = await connectViaOAuth(stack, alice, open_id, { scopes: 'user.info.basic' });
    expect(outcomeOf(location)).toEqual({ tiktok_connect: 'error', code: 'OAUTH_SCOPES_MISSING' });
    expect((await accounts(alice)).some((a) => a.open_id === open_id)).toBe(false);
    expect((await sandboxTokens(stack, open_id)).every((t) => t.state === 'revoked')).toBe(true);
  });

  it('connecting the same TikTok account twice updates it and never duplicates it', async () => {
    const { open_id } = await creator({ nickname: 'Before' });
    const first = await connectViaOAuth(stack, alice, open_id);
    await stack.sandbox.updateCreator(open_id, { nickname: 'After' });
    const second = await connectViaOAuth(stack, alice, open_id);
    expect(second.accountId).toBe(first.accountId);
    const mine = (await accounts(alice)).filter((a) => a.open_id === open_id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: first.accountId, display_name: 'After', status: 'active' });
  });

  it('disconnecting revokes the authorization at TikTok and removes the account from the list', async () => {
    const { open_id } = await creator();
    const { accountId } = await connectViaOAuth(stack, alice, open_id);
    const res = await stack.call(`/social-accounts/${accountId}`, { method: 'DELETE', token: alice });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, data: { id: accountId } });

    expect((await sandboxTokens(stack, open_id)).map((t) => t.state)).toEqual(['revoked', 'revoked']);
    expect((await accounts(alice)).some((a) => a.id === accountId)).toBe(false);
    const info = await stack.call(`/tiktok/creator-info/${accountId}`, { token: alice });
    expect(info.status).toBe(404);
    expect((await info.json()).code).toBe('ACCOUNT_NOT_FOUND');
    const again = await stack.call(`/social-accounts/${accountId}`, { method: 'DELETE', token: alice });
    expect(again.status).toBe(404);
  });

  it('the tokens of a disconnected account are forgotten', async () => {
    const { open_id } = await creator();
    const { accountId } = await connectViaOAuth(stack, alice, open_id);
    await stack.call(`/social-accounts/${accountId}`, { method: 'DELETE', token: alice });
    const [row] = await queryDb(
      stack,
      'select access_token_enc, refresh_token_enc, status from social_accounts where id = $1',
      [accountId],
    );
    expect(row).toEqual({ access_token_enc: null, refresh_token_enc: null, status: 'disconnected' });
  });

  it('a disconnected account can be connected again and comes back active', async () => {
    const { open_id } = await creator();
    const { accountId } = await connectViaOAuth(stack, alice, open_id);
    await stack.call(`/social-accounts/${accountId}`, { method: 'DELETE', token: alice });
    const again = await connectViaOAuth(stack, alice, open_id);
    expect(outcomeOf(again.location).tiktok_connect).toBe('success');
    expect((await accounts(alice)).filter((a) => a.open_id === open_id)).toEqual([
      expect.objectContaining({ id: again.accountId, status: 'active' }),
    ]);
    expect((await stack.call(`/tiktok/creator-info/${again.accountId}`, { token: alice })).status).toBe(200);
  });

  it('deleting another user’s account is a 404 ACCOUNT_NOT_FOUND and leaves it working for its owner', async () => {
    const { open_id } = await creator();
    const { accountId } = await connectViaOAuth(stack, alice, open_id);
    const res = await stack.call(`/social-accounts/${accountId}`, { method: 'DELETE', token: bob });
    expect(res.status).toBe(404);
    const body = await res.json();
    expect(body).toMatchObject({ statusCode: 404, code: 'ACCOUNT_NOT_FOUND' });

    expect((await sandboxTokens(stack, open_id)).every((t) => t.state === 'active')).toBe(true);
    expect((await accounts(alice)).some((a) => a.id === accountId)).toBe(true);
    expect((await stack.call(`/tiktok/creator-info/${accountId}`, { token: alice })).status).toBe(200);
    const own = await stack.call(`/social-accounts/${accountId}`, { method: 'DELETE', token: alice });
    expect(own.status).toBe(200);
  });
});
