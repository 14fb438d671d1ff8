/**
 * The seed's §6 error tables, row by row, over real HTTP against the sandbox: our status codes
 * (401, 404, 413, 500) and the TikTok patterns the SPA looks for in `message`
 * (spam_risk_too_many_posts, scope_not_authorized, rate_limit_exceeded, publish failures), each
 * with our `code`, `retryable`, and TikTok's log id kept on the post.
 */
import { describeFailReason, describeTikTokError } from '@cliprelay/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_TIKTOK_CLIENT_KEY, DEV_TIKTOK_CLIENT_SECRET } from '../src/config/config.ts';
import {
  addFault,
  body,
  init,
  initBody,
  listPosts,
  postByPublishId,
  sandboxPublishesOf,
  status,
  tempFiles,
  upload,
  uploadForm,
  waitForStatus,
} from './support/publish.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { MiB, type TestFile, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';

interface Expected {
  status: number;
  code: string;
  tiktokCode?: string;
  retryable?: boolean;
}

/** Checks an error body against the contract's shape; returns it. */
async function expectError(res: Response, expected: Expected): Promise<any> {
  const json = await body(res);
  expect(res.status, JSON.stringify(json)).toBe(expected.status);
  expect(json.statusCode).toBe(expected.status);
  expect(json.code).toBe(expected.code);
  expect(json.requestId).toEqual(expect.any(String));
  expect(res.headers.get('x-request-id')).toBe(json.requestId);
  if (expected.tiktokCode) {
    expect(json.tiktok.code).toBe(expected.tiktokCode);
    // The SPA matches TikTok's code inside `message` (seed §6).
    expect(json.message).toContain(expected.tiktokCode);
  }
  if (expected.retryable !== undefined) expect(json.retryable).toBe(expected.retryable);
  return json;
}

describe('publish errors', () => {
  let stack: Stack;
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let video: TestFile;

  beforeAll(async () => {
    files = await testFilesDir();
    video = await writeMp4(files.dir, 'clip.mp4', { size: MiB, durationSec: 30 });
    stack = await startStack({ sandbox: { activeUserCap: 10_000 } });
  });
  afterAll(async () => {
    await stack?.close();
    await files?.remove();
  });

  const account = (creator: Record<string, unknown> = {}) => connectedAccount(stack, 'dev|alice', creator);

  describe('401: no valid bearer token', () => {
    it.each([
      ['GET', '/tiktok/creator-info/00000000-0000-4000-8000-000000000000'],
      ['POST', '/tiktok/publish/init'],
      ['POST', '/tiktok/publish/upload/00000000-0000-4000-8000-000000000000'],
      ['GET', '/tiktok/publish/status/v_pub_file~v2-1.7493784938978805793'],
      ['GET', '/tiktok/posts'],
    ])('%s %s answers 401 UNAUTHENTICATED without a token or with a bad one', async (method, path) => {
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer not-a-jwt' },
        { authorization: 'Basic abc' },
      ];
      for (const headers of attempts) {
        const res = await stack.call(path, { method, headers });
        await expectError(res, { status: 401, code: 'UNAUTHENTICATED' });
      }
    });
  });

  describe('404: account not found, not yours, or needing reconnection', () => {
    it("answers 404 ACCOUNT_NOT_FOUND for another user's account on every publishing endpoint", async () => {
      const { accountId, openId } = await account();
      const bob = await stack.tokenFor('dev|bob');
      const answers = [
        await stack.call(`/tiktok/creator-info/${accountId}`, { token: bob }),
        await init(stack, bob, initBody(accountId)),
        await upload(stack, bob, accountId, await uploadForm({ privacy_level: 'SELF_ONLY' }, video)),
      ];
      for (const res of answers) {
        const json = await expectError(res, { status: 404, code: 'ACCOUNT_NOT_FOUND' });
        expect(json.message).toMatch(/not connected/i);
      }
      expect(await sandboxPublishesOf(stack, openId)).toEqual([]);
      expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
    });

    it('answers 404 ACCOUNT_RECONNECT_REQUIRED once the user removed our access on TikTok', async () => {
      const { token, accountId, openId } = await account();
      const pending = await body(await init(stack, token, initBody(accountId)));
      expect(pending.data.publish_id).toEqual(expect.any(String));

      // The user removes the app in TikTok: every token of the grant dies, refresh included.
      const tokens = await stack.sandbox.tokens(openId);
      const access = tokens.find((t) => t.type === 'access' && t.state === 'active');
      if (!access) throw new Error('the creator has no active access token');
      const revoked = await fetch(`${stack.sandboxUrl}/v2/oauth/revoke/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_key: DEV_TIKTOK_CLIENT_KEY,
          client_secret: DEV_TIKTOK_CLIENT_SECRET,
          token: access.token,
        }),
      });
      expect(revoked.status).toBe(200);

      // The next call finds out (access_token_invalid, then invalid_grant on the one refresh).
      const first = await expectError(await stack.call(`/tiktok/creator-info/${accountId}`, { token }), {
        status: 404,
        code: 'ACCOUNT_RECONNECT_REQUIRED',
        retryable: false,
      });
      expect(first.message).toMatch(/reconnect/i);
      const accounts = (await body(await stack.call('/social-accounts', { token }))).data;
      expect(accounts.find((a: any) => a.id === accountId).status).toBe('reconnect_required');

      // From then on every publishing endpoint says so without bothering TikTok.
      const publishesBefore = (await sandboxPublishesOf(stack, openId)).length;
      for (const res of [
        await stack.call(`/tiktok/creator-info/${accountId}`, { token }),
        await init(stack, token, initBody(accountId)),
        await upload(stack, token, accountId, await uploadForm({ privacy_level: 'SELF_ONLY' }, video)),
        await status(stack, token, pending.data.publish_id),
      ]) {
        await expectError(res, { status: 404, code: 'ACCOUNT_RECONNECT_REQUIRED' });
      }
      expect(await sandboxPublishesOf(stack, openId)).toHaveLength(publishesBefore);
      expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
    });

    it('answers 404 NOT_FOUND for a publish id that is not one of yours', async () => {
      const { token } = await account();
      const res = await status(stack, token, 'v_pub_file~v2-1.7493784938978805793');
      await expectError(res, { status: 404, code: 'NOT_FOUND' });
    });
  });

  describe('413: file too large', () => {
    it("answers 413 FILE_TOO_LARGE with the seed's message, not retryable", async () => {
      const { token, accountId } = await account();
      const json = await expectError(
        await init(stack, token, initBody(accountId, { video_size: 4 * 1024 ** 3 + 1 })),
        {
          status: 413,
          code: 'FILE_TOO_LARGE',
        },
      );
      expect(json.message).toBe('Video file is too large. Maximum size is 4 GB.');
    });
  });

  describe('500: TikTok or upstream failure', () => {
    it('answers 500 with retryable and a generic message when TikTok init fails with a 5xx page', async () => {
      const { token, accountId, openId } = await account();
      await addFault(stack, { endpoint: 'video_init', http_status: 502, open_id: openId });
      const json = await expectError(await init(stack, token, initBody(accountId)), {
        status: 500,
        code: 'TIKTOK_UNAVAILABLE',
        retryable: true,
      });
      expect(json.error).toBe('Internal Server Error');
      expect(json.message).toMatch(/try again/i);
      expect(json.message).not.toMatch(/Bad Gateway|<html|stack|Error:/);
      const [post] = await listPosts(stack, token);
      expect(post).toMatchObject({
        social_account_id: accountId,
        local_status: 'failed',
        error_code: 'TIKTOK_UNAVAILABLE',
        publish_id: null,
      });
      expect(post.user_message).toMatch(/try again/i);
    });

    it("answers 500 with TikTok's internal_error code and log id, kept on the failed post", async () => {
      const { token, accountId, openId } = await account();
      await addFault(stack, { endpoint: 'video_init', error_code: 'internal_error', open_id: openId });
      const json = await expectError(await init(stack, token, initBody(accountId)), {
        status: 500,
        code: 'TIKTOK_UNAVAILABLE',
        tiktokCode: 'internal_error',
        retryable: true,
      });
      expect(json.tiktok.logId).toMatch(/^\d{14}[0-9A-F]{20}$/);
      const [post] = await listPosts(stack, token);
      expect(post).toMatchObject({
        local_status: 'failed',
        error_code: 'TIKTOK_UNAVAILABLE',
        fail_reason: 'internal_error',
        tiktok_log_id: json.tiktok.logId,
        user_message: describeTikTokError('internal_error').userMessage,
      });
    });

    it('answers 500 retryable when TikTok cannot be reached at init, and marks the post failed', async () => {
      const { token, accountId, openId } = await account();
      await addFault(stack, { endpoint: 'video_init', reset: true, open_id: openId });
      const json = await expectError(await init(stack, token, initBody(accountId)), {
        status: 500,
        code: 'TIKTOK_UNAVAILABLE',
        retryable: true,
      });
      expect(json.message).toMatch(/TikTok cannot be reached/);
      expect(json).not.toHaveProperty('tiktok');
      const [post] = await listPosts(stack, token);
      expect(post).toMatchObject({
        social_account_id: accountId,
        local_status: 'failed',
        error_code: 'TIKTOK_UNAVAILABLE',
      });
    });

    it('answers 500 retryable when TikTok cannot be reached for creator info, storing nothing', async () => {
      const { token, accountId, openId } = await account();
      const before = (await listPosts(stack, token)).length;
      await addFault(stack, { endpoint: 'creator_info', reset: true, open_id: openId });
      await expectError(await init(stack, token, initBody(accountId)), {
        status: 500,
        code: 'TIKTOK_UNAVAILABLE',
        retryable: true,
      });
      expect(await listPosts(stack, token)).toHaveLength(before);
      expect(await sandboxPublishesOf(stack, openId)).toEqual([]);
    });
  });

  describe("TikTok's error patterns (seed §6)", () => {
    it('spam_risk_too_many_posts at init: 400, retryable later, log id kept on the post', async () => {
      const { token, accountId, openId } = await account();
      await addFault(stack, {
        endpoint: 'video_init',
        error_code: 'spam_risk_too_many_posts',
        open_id: openId,
      });
      const json = await expectError(await init(stack, token, initBody(accountId)), {
        status: 400,
        code: 'TIKTOK_REJECTED',
        tiktokCode: 'spam_risk_too_many_posts',
        retryable: true,
      });
      expect(json.message).toContain(
        "You've posted too many videos recently. Please wait and try again later.",
      );
      const [post] = await listPosts(stack, token);
      expect(post).toMatchObject({
        local_status: 'failed',
        error_code: 'TIKTOK_REJECTED',
        fail_reason: 'spam_risk_too_many_posts',
        tiktok_log_id: json.tiktok.logId,
      });
      expect(json.tiktok.logId).toEqual(expect.any(String));
    });

    it("spam_risk_too_many_posts for real: TikTok's daily cap stops the 16th post of the day", async () => {
      const { token, accountId } = await account({ posts_today: 14 });
      expect((await init(stack, token, initBody(accountId))).status).toBe(200);
      const before = (await listPosts(stack, token)).length;
      // creator_info now reports the cap (HTTP 200 + code): the attempt stops before init.
      await expectError(await init(stack, token, initBody(accountId)), {
        status: 400,
        code: 'TIKTOK_REJECTED',
        tiktokCode: 'spam_risk_too_many_posts',
        retryable: true,
      });
      expect(await listPosts(stack, token)).toHaveLength(before);
    });

    it('scope_not_authorized at init: 400, reconnect (not retryable), no token refresh attempted', async () => {
      const { token, accountId, openId } = await account();
      await addFault(stack, { endpoint: 'video_init', error_code: 'scope_not_authorized', open_id: openId });
      const json = await expectError(await init(stack, token, initBody(accountId)), {
        status: 400,
        code: 'TIKTOK_REJECTED',
        tiktokCode: 'scope_not_authorized',
        retryable: false,
      });
      expect(json.message).toContain(
        "Your TikTok account doesn't have permission for this action. Please reconnect your account.",
      );
      const [post] = await listPosts(stack, token);
      expect(post).toMatchObject({
        local_status: 'failed',
        fail_reason: 'scope_not_authorized',
        tiktok_log_id: json.tiktok.logId,
      });
      // TikTok's 401 here is about scope, not the token: the tokens were not rotated.
      const tokens = await stack.sandbox.tokens(openId);
      expect(tokens.map((t) => t.state)).not.toContain('rotated');
    });

    // Our own count refuses a 7th init a minute before TikTok is asked (test/rate-limits.test.ts);
    // TikTok may still refuse sooner (its count is per token, and other apps' calls count too).
    it('rate_limit_exceeded from TikTok: 429 with Retry-After', async () => {
      const { token, accountId, openId } = await account();
      await addFault(stack, {
        endpoint: 'video_init',
        http_status: 429,
        error_code: 'rate_limit_exceeded',
        open_id: openId,
      });
      const res = await init(stack, token, initBody(accountId));
      const json = await expectError(res, {
        status: 429,
        code: 'TIKTOK_RATE_LIMITED',
        tiktokCode: 'rate_limit_exceeded',
        retryable: true,
      });
      expect(json.message).toContain('TikTok rate limit reached. Please try again in a few minutes.');
      expect(json.retryAfterSec).toBeGreaterThan(0);
      expect(res.headers.get('retry-after')).toBe(String(json.retryAfterSec));
      const [post] = await listPosts(stack, token);
      expect(post).toMatchObject({
        local_status: 'failed',
        error_code: 'TIKTOK_RATE_LIMITED',
        fail_reason: 'rate_limit_exceeded',
        tiktok_log_id: json.tiktok.logId,
      });
    });

    it('a video longer than the creator may post ends FAILED with duration_check_failed and a user message', async () => {
      const { token, accountId } = await account({ max_video_post_duration_sec: 10 });
      const res = await upload(
        stack,
        token,
        accountId,
        await uploadForm({ privacy_level: 'SELF_ONLY' }, video),
      );
      const sent = await body(res);
      expect(res.status, JSON.stringify(sent)).toBe(200);
      const done = await waitForStatus(stack, token, sent.data.publish_id);
      const entry = describeFailReason('duration_check_failed');
      expect(done).toMatchObject({
        status: 'FAILED',
        fail_reason: 'duration_check_failed',
        local_status: 'failed',
        user_message: entry.userMessage,
        post_ids: [],
      });
      const post = await postByPublishId(stack, token, sent.data.publish_id);
      expect(post).toMatchObject({
        local_status: 'failed',
        tiktok_status: 'FAILED',
        fail_reason: 'duration_check_failed',
        error_code: entry.errorCode,
        user_message: entry.userMessage,
        tiktok_log_id: expect.any(String),
      });
    });

    it("a video TikTok cannot process ends FAILED with the seed's publish_failed message", async () => {
      const { token, accountId, openId } = await account();
      await addFault(stack, {
        endpoint: 'processing',
        error_code: 'file_format_check_failed',
        open_id: openId,
      });
      const res = await upload(
        stack,
        token,
        accountId,
        await uploadForm({ privacy_level: 'SELF_ONLY' }, video),
      );
      const sent = await body(res);
      expect(res.status, JSON.stringify(sent)).toBe(200);
      const done = await waitForStatus(stack, token, sent.data.publish_id);
      expect(done).toMatchObject({
        status: 'FAILED',
        fail_reason: 'file_format_check_failed',
        local_status: 'failed',
        user_message: 'TikTok could not process this video. Please check the format and try again.',
      });
    });
  });
});
