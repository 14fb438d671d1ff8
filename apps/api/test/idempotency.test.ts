/**
 * `Idempotency-Key` on the publishing writes (src/publish/idempotency.ts): one key, one TikTok
 * post — a repeat answers the first success, a different request under the key is a 422, an
 * attempt still under way is a 409, and an attempt that failed for good lets Try again run anew.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiB, type TestFile, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';
import {
  addFault,
  body,
  initBody,
  listPosts,
  type MediaHost,
  sandboxPublishesOf,
  startMediaHost,
  upload,
  uploadForm,
  waitForStatus,
} from './support/publish.ts';
import { queryDb } from './support/db.ts';
import { MEDIA_PREFIX, type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';

describe('Idempotency-Key', () => {
  let stack: Stack;
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let host: MediaHost;
  let video: TestFile;

  beforeAll(async () => {
    files = await testFilesDir();
    video = await writeMp4(files.dir, 'clip.mp4', { durationSec: 6, size: MiB });
    host = await startMediaHost(files.dir);
    stack = await startStack({
      sandbox: { allowHttpPull: true, verifiedPrefix: [MEDIA_PREFIX, host.prefix], activeUserCap: 10_000 },
      env: { TIKTOK_VERIFIED_URL_PREFIXES: [MEDIA_PREFIX, host.prefix].join(',') },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await host?.close();
    await files?.remove();
  });

  const pull = (accountId: string, title = 'Once only') =>
    initBody(accountId, {
      source_type: 'PULL_FROM_URL',
      video_url: `${host.prefix}clip.mp4`,
      video_size: undefined,
      title,
    });
  const initWithKey = (token: string, key: string, json: unknown) =>
    stack.call('/tiktok/publish/init', { method: 'POST', token, json, headers: { 'idempotency-key': key } });

  it('the same key and request answers the first success again, and TikTok gets one post', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice');
    const key = randomUUID();
    const first = await initWithKey(token, key, pull(accountId));
    const firstBody = await body(first);
    expect(first.status, JSON.stringify(firstBody)).toBe(200);
    const again = await initWithKey(token, key, pull(accountId));
    expect(again.status).toBe(200);
    expect(await body(again)).toEqual(firstBody);
    expect(await sandboxPublishesOf(stack, openId)).toHaveLength(1);
  });

  it('the same key with a different request is a 422, and sends nothing', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice');
    const key = randomUUID();
    expect((await initWithKey(token, key, pull(accountId, 'First'))).status).toBe(200);
    const other = await initWithKey(token, key, pull(accountId, 'Something else'));
    expect(other.status).toBe(422);
    expect(await body(other)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await sandboxPublishesOf(stack, openId)).toHaveLength(1);
  });

  it('keys are per user: the same key from another user is another publish', async () => {
    const alice = await connectedAccount(stack, 'dev|alice');
    const bob = await connectedAccount(stack, 'dev|bob');
    const key = randomUUID();
    expect((await initWithKey(alice.token, key, pull(alice.accountId))).status).toBe(200);
    expect((await initWithKey(bob.token, key, pull(bob.accountId))).status).toBe(200);
    expect(await sandboxPublishesOf(stack, bob.openId)).toHaveLength(1);
  });

  it('while the first attempt runs, a repeat is a 409 and never a second TikTok init', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice');
    await addFault(stack, { endpoint: 'video_init', delay_ms: 1500, open_id: openId });
    const key = randomUUID();
    const slow = initWithKey(token, key, pull(accountId));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const meanwhile = await initWithKey(token, key, pull(accountId));
    expect(meanwhile.status).toBe(409);
    expect(await body(meanwhile)).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE', retryable: true });
    expect((await slow).status).toBe(200);
    expect(await sandboxPublishesOf(stack, openId)).toHaveLength(1);
  });

  it('an attempt TikTok refused runs anew under the same key (Try again)', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice');
    await addFault(stack, {
      endpoint: 'video_init',
      error_code: 'spam_risk_too_many_posts',
      open_id: openId,
    });
    const key = randomUUID();
    const refused = await initWithKey(token, key, pull(accountId));
    expect(refused.status).toBe(400);
    const retried = await initWithKey(token, key, pull(accountId));
    const retriedBody = await body(retried);
    expect(retried.status, JSON.stringify(retriedBody)).toBe(200);
    expect(await sandboxPublishesOf(stack, openId)).toHaveLength(1);

    // The history shows the submit once: its latest attempt, with the refused one under it.
    const unkeyed = await stack.call('/tiktok/publish/init', {
      method: 'POST',
      token,
      json: pull(accountId, 'Another'),
    });
    expect(unkeyed.status).toBe(200);
    const rows = (await listPosts(stack, token)).filter((p) => p.social_account_id === accountId);
    expect(rows.map((r) => [r.title, r.earlier_attempts.length])).toEqual([
      ['Another', 0],
      ['Once only', 1],
    ]);
    const submit = rows[1];
    expect(submit.id).toBe(retriedBody.data.post_id);
    expect(submit.local_status).not.toBe('failed');
    expect(submit.earlier_attempts[0]).toMatchObject({
      local_status: 'failed',
      error_code: 'TIKTOK_REJECTED',
      publish_id: null,
      user_message: expect.any(String),
    });
  });

  it('a post TikTok failed after answering its init runs anew under the same key, as one submit', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice');
    await addFault(stack, { endpoint: 'processing', error_code: 'duration_check_failed', open_id: openId });
    const key = randomUUID();
    const first = await initWithKey(token, key, pull(accountId));
    const firstBody = await body(first);
    expect(first.status, JSON.stringify(firstBody)).toBe(200);
    expect(await waitForStatus(stack, token, firstBody.data.publish_id)).toMatchObject({
      status: 'FAILED',
      local_status: 'failed',
    });

    // Try again under the key: not the first answer replayed, but a new init.
    const again = await initWithKey(token, key, pull(accountId));
    const againBody = await body(again);
    expect(again.status, JSON.stringify(againBody)).toBe(200);
    expect(againBody.data.publish_id).not.toBe(firstBody.data.publish_id);
    expect(await sandboxPublishesOf(stack, openId)).toHaveLength(2);
    // The second answer is the one a repeat replays now.
    expect(await body(await initWithKey(token, key, pull(accountId)))).toEqual(againBody);
    const rows = (await listPosts(stack, token)).filter((p) => p.social_account_id === accountId);
    expect(rows.map((r) => [r.id, r.earlier_attempts.length])).toEqual([[againBody.data.post_id, 1]]);
  });

  it('a key refused before TikTok (bad settings) is free again at once', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice');
    const key = randomUUID();
    const bad = await initWithKey(token, key, { ...pull(accountId), privacy_level: 'PUBLIC_TO_EVERYONE' });
    expect(bad.status).toBe(400);
    expect((await initWithKey(token, key, pull(accountId))).status).toBe(200);
  });

  it('works on the multipart upload too: a repeat with the same key sends TikTok nothing more', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice');
    const key = randomUUID();
    const send = async () =>
      upload(
        stack,
        token,
        accountId,
        await uploadForm({ privacy_level: 'SELF_ONLY', title: 'Upload once' }, video),
        {
          'idempotency-key': key,
        },
      );
    const first = await send();
    const firstBody = await body(first);
    expect(first.status, JSON.stringify(firstBody)).toBe(200);
    const again = await send();
    expect(again.status).toBe(200);
    expect(await body(again)).toEqual(firstBody);
    expect(await sandboxPublishesOf(stack, openId)).toHaveLength(1);
  });

  it('a PULL_FROM_URL whose init died unanswered never runs again under its key', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice');
    const key = randomUUID();
    const first = await initWithKey(token, key, pull(accountId, 'Unknown outcome'));
    const { data } = await body(first);
    // As recovery leaves it when the process died before TikTok's answer came back.
    await queryDb(
      stack,
      `update posts set local_status = 'failed', error_code = 'OUTCOME_UNKNOWN', publish_id = null where id = $1`,
      [data.post_id],
    );
    await queryDb(stack, 'update idempotency_keys set response = null where key = $1', [key]);
    const again = await initWithKey(token, key, pull(accountId, 'Unknown outcome'));
    const json = await body(again);
    expect(again.status).toBe(409);
    expect(json).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE', retryable: false });
    expect(json.message).toMatch(/cannot tell whether this video was posted/);
    expect(await sandboxPublishesOf(stack, openId)).toHaveLength(1);
  });

  it('a PULL_FROM_URL init TikTok did not answer (a 5xx) is never run again by itself', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice');
    await addFault(stack, { endpoint: 'video_init', http_status: 502, open_id: openId });
    const key = randomUUID();
    const first = await initWithKey(token, key, pull(accountId, 'No answer'));
    const json = await body(first);
    expect(first.status).toBe(500);
    expect(json).toMatchObject({ code: 'TIKTOK_UNAVAILABLE', retryable: false });
    expect(json.message).toMatch(/cannot tell whether this video is being posted/);
    const [post] = (await listPosts(stack, token)).filter((p) => p.social_account_id === accountId);
    expect(post).toMatchObject({
      local_status: 'failed',
      error_code: 'OUTCOME_UNKNOWN',
      user_message: json.message,
    });

    const initsBefore = (await stack.sandbox.calls()).video_init ?? 0;
    const again = await initWithKey(token, key, pull(accountId, 'No answer'));
    expect(again.status).toBe(409);
    expect((await stack.sandbox.calls()).video_init ?? 0).toBe(initsBefore);
  });

  it('a malformed key is a 400', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice');
    const res = await initWithKey(token, 'has spaces in it', pull(accountId));
    expect(res.status).toBe(400);
    expect(await body(res)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
