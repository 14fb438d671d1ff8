/**
 * GET /tiktok/creator-info/:socialAccountId over real HTTP against the sandbox: the seed's fields
 * plus the creator's names, options by account type, and TikTok's "cannot post now" answers
 * (HTTP 200 with an error code, tiktok-api.md §2.1) and rate limit turned into our errors.
 */
import { describeTikTokError } from '@cliprelay/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetCreatorInfo, queryDb } from './support/db.ts';
import { freePort } from '@cliprelay/test-kit/ports';
import { ensureApiBuilt, spawnApi, stopChild, waitForHealth } from '@cliprelay/test-kit/processes';
import { addFault, body, init, initBody, waitFor } from './support/publish.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';

const SEED_FIELDS = [
  'privacy_level_options',
  'comment_disabled',
  'duet_disabled',
  'stitch_disabled',
  'max_video_post_duration_sec',
];
const NAME_FIELDS = ['creator_nickname', 'creator_username', 'creator_avatar_url'];

describe('creator info', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Audited, so that public and private accounts get their own privacy options (§2.1).
    stack = await startStack({ sandbox: { audited: true } });
  });
  afterAll(() => stack?.close());

  const creatorInfo = (token: string | undefined, accountId: string) =>
    stack.call(`/tiktok/creator-info/${accountId}`, { token });

  it("returns exactly the seed's fields plus the creator's nickname, username and avatar", async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice', {
      nickname: 'Ana Films',
      username: 'ana.films',
      private_account: false,
      comment_disabled: true,
      max_video_post_duration_sec: 180,
    });
    const res = await creatorInfo(token, accountId);
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(json.success).toBe(true);
    expect(Object.keys(json.data).sort()).toEqual([...SEED_FIELDS, ...NAME_FIELDS].sort());
    expect(json.data).toEqual({
      privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      comment_disabled: true,
      duet_disabled: false,
      stitch_disabled: false,
      max_video_post_duration_sec: 180,
      creator_nickname: 'Ana Films',
      creator_username: 'ana.films',
      creator_avatar_url: `${stack.sandboxUrl}/_sandbox/avatars/${encodeURIComponent(openId)}.svg`,
    });
  });

  it('offers a private account the private options, with duet and stitch off as TikTok says', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const res = await creatorInfo(token, accountId);
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(json.data.privacy_level_options).toEqual([
      'FOLLOWER_OF_CREATOR',
      'MUTUAL_FOLLOW_FRIENDS',
      'SELF_ONLY',
    ]);
    expect(json.data.privacy_level_options).not.toContain('PUBLIC_TO_EVERYONE');
    expect(json.data.duet_disabled).toBe(true);
    expect(json.data.stitch_disabled).toBe(true);
  });

  it('asks TikTok at most once per short window, however often the form loads', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice', {
      private_account: false,
    });
    const asked = async () => (await stack.sandbox.calls()).creator_info ?? 0;
    const before = await asked();
    const answers = await Promise.all(Array.from({ length: 5 }, () => creatorInfo(token, accountId)));
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill(200));
    expect((await body(await creatorInfo(token, accountId))).data.comment_disabled).toBe(false);
    expect((await asked()) - before).toBe(1);

    // The creator changes a setting on TikTok: within the window, the kept answer stands…
    await stack.sandbox.updateCreator(openId, { comment_disabled: true, private_account: true });
    expect((await body(await creatorInfo(token, accountId))).data.comment_disabled).toBe(false);
    // …and once it has passed, TikTok is asked again.
    await queryDb(
      stack,
      "update social_accounts set creator_info_at = now() - interval '31 seconds' where id = $1",
      [accountId],
    );
    const json = await body(await creatorInfo(token, accountId));
    expect(json.data.comment_disabled).toBe(true);
    expect(json.data.privacy_level_options).not.toContain('PUBLIC_TO_EVERYONE');
    expect((await asked()) - before).toBe(2);
  });

  it('after TikTok refuses a privacy level the kept answer allowed, says so with the current options', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice', {
      private_account: false,
    });
    expect((await body(await creatorInfo(token, accountId))).data.privacy_level_options).toContain(
      'PUBLIC_TO_EVERYONE',
    );
    await stack.sandbox.updateCreator(openId, { private_account: true });
    const res = await init(stack, token, initBody(accountId, { privacy_level: 'PUBLIC_TO_EVERYONE' }));
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(400);
    expect(json).toMatchObject({ code: 'PRIVACY_LEVEL_NOT_ALLOWED' });
    expect(json.message).toMatch(/Choose one of: FOLLOWER_OF_CREATOR, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY/);
    // The form, loaded again, shows TikTok's options as they are now.
    const again = await body(await creatorInfo(token, accountId));
    expect(again.data.privacy_level_options).not.toContain('PUBLIC_TO_EVERYONE');
  });

  it('turns the daily post cap (HTTP 200 with spam_risk_too_many_posts) into a 400 the user can wait out', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice', { posts_today: 15 });
    const res = await creatorInfo(token, accountId);
    const json = await body(res);
    const entry = describeTikTokError('spam_risk_too_many_posts');
    expect(res.status, JSON.stringify(json)).toBe(400);
    expect(entry).toMatchObject({ errorCode: 'TIKTOK_REJECTED', retryable: true });
    expect(json).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      code: entry.errorCode,
      retryable: entry.retryable,
      tiktok: { code: 'spam_risk_too_many_posts' },
    });
    expect(json.message).toContain('spam_risk_too_many_posts');
    expect(json.message).toContain(entry.userMessage);
    expect(json.tiktok.logId).toMatch(/^\d{14}[0-9A-F]{20}$/);
    expect(json.requestId).toEqual(expect.any(String));
  });

  it('turns a banned creator (HTTP 200 with spam_risk_user_banned_from_posting) into a final 400', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice', { banned: true });
    const res = await creatorInfo(token, accountId);
    const json = await body(res);
    const entry = describeTikTokError('spam_risk_user_banned_from_posting');
    expect(entry).toMatchObject({ errorCode: 'TIKTOK_REJECTED', retryable: false });
    expect(res.status, JSON.stringify(json)).toBe(400);
    expect(json).toMatchObject({
      code: entry.errorCode,
      retryable: entry.retryable,
      tiktok: { code: 'spam_risk_user_banned_from_posting', logId: expect.any(String) },
    });
    expect(json.message).toContain('spam_risk_user_banned_from_posting');
    expect(json.message).toContain(entry.userMessage);
  });

  it("answers TikTok's rate limit with 429, a Retry-After header and retryAfterSec", async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice');
    await addFault(stack, { endpoint: 'creator_info', error_code: 'rate_limit_exceeded', open_id: openId });
    const res = await creatorInfo(token, accountId);
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(429);
    expect(json).toMatchObject({
      statusCode: 429,
      code: 'TIKTOK_RATE_LIMITED',
      retryable: true,
      tiktok: { code: 'rate_limit_exceeded' },
    });
    expect(json.message).toContain('rate_limit_exceeded');
    expect(json.retryAfterSec).toBeGreaterThan(0);
    expect(res.headers.get('retry-after')).toBe(String(json.retryAfterSec));
  });

  it('an account changed by any process or by hand is seen by every replica within a second', async () => {
    await ensureApiBuilt();
    const port = await freePort();
    const replica = spawnApi({ ...stack.apiEnv, PORT: String(port), LOG_LEVEL: 'warn' }, 'pipe');
    try {
      const replicaUrl = `http://127.0.0.1:${port}`;
      await waitForHealth(replicaUrl, replica);
      const viaReplica = (token: string, accountId: string) =>
        fetch(`${replicaUrl}/tiktok/creator-info/${accountId}`, {
          headers: { authorization: `Bearer ${token}` },
        });
      const codeOf = async (res: Response) =>
        res.status === 200 ? 'OK' : ((await res.json()) as { code: string }).code;

      // Disconnected through the other process: the replica's copy of the row goes at once.
      const alice = await connectedAccount(stack, 'dev|alice');
      expect(await codeOf(await viaReplica(alice.token, alice.accountId))).toBe('OK');
      const removed = await stack.call(`/social-accounts/${alice.accountId}`, {
        method: 'DELETE',
        token: alice.token,
      });
      expect(removed.status).toBe(200);
      await waitFor(
        'the replica to see the disconnect',
        async () => (await codeOf(await viaReplica(alice.token, alice.accountId))) === 'ACCOUNT_NOT_FOUND',
        1000,
        50,
      );

      // Changed by hand in the database: the same.
      const bob = await connectedAccount(stack, 'dev|bob');
      expect(await codeOf(await viaReplica(bob.token, bob.accountId))).toBe('OK');
      await queryDb(stack, "update social_accounts set status = 'reconnect_required' where id = $1", [
        bob.accountId,
      ]);
      await waitFor(
        'the replica to see the change',
        async () =>
          (await codeOf(await viaReplica(bob.token, bob.accountId))) === 'ACCOUNT_RECONNECT_REQUIRED',
        1000,
        50,
      );
    } finally {
      await stopChild(replica);
    }
  });

  it("hits TikTok's real limit of 20 creator_info calls a minute with the same 429", async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice');
    // Each read past the API's short window (forgotten here), so that each one asks TikTok.
    for (let i = 0; i < 20; i++) {
      await forgetCreatorInfo(stack, accountId);
      expect((await creatorInfo(token, accountId)).status).toBe(200);
    }
    await forgetCreatorInfo(stack, accountId);
    const res = await creatorInfo(token, accountId);
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(429);
    expect(json.code).toBe('TIKTOK_RATE_LIMITED');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('answers 401 without a bearer token', async () => {
    const { accountId } = await connectedAccount(stack, 'dev|alice');
    const res = await creatorInfo(undefined, accountId);
    expect(res.status).toBe(401);
    expect((await body(res)).code).toBe('UNAUTHENTICATED');
  });

  it("answers 404 for another user's account, and for an id that is no account at all", async () => {
    const { accountId } = await connectedAccount(stack, 'dev|alice');
    const bob = await stack.tokenFor('dev|bob');
    for (const id of [accountId, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await creatorInfo(bob, id);
      const json = await body(res);
      expect(res.status, id).toBe(404);
      expect(json.code).toBe('ACCOUNT_NOT_FOUND');
    }
  });
});
