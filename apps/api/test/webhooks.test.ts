/**
 * TikTok's webhooks (POST /tiktok/webhooks, src/webhooks/): the sandbox sends them as TikTok does
 * (signed, retried until a 200), and with them on a post reaches its end in our history without
 * one status call at TikTok. Deliveries are checked (signature, age, app) and idempotent; with
 * webhooks off, the job that follows each post gets there by polling alone.
 */
import { createHmac } from 'node:crypto';
import { testFilesDir, writeMp4, MiB } from '@cliprelay/test-kit/videos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDb } from './support/db.ts';
import { body, listPosts, upload, uploadForm, waitFor } from './support/publish.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';

type Files = Awaited<ReturnType<typeof testFilesDir>>;

async function postRow(stack: Stack, postId: string) {
  const [row] = await queryDb<{
    local_status: string;
    tiktok_status: string | null;
    fail_reason: string | null;
    post_ids: string[];
    user_message: string | null;
    updated_at: Date;
  }>(
    stack,
    'select local_status, tiktok_status, fail_reason, post_ids, user_message, updated_at from posts where id = $1',
    [postId],
  );
  return row!;
}

/** Sends the multipart upload the web app sends; returns the post's id and publish id. */
async function publishFile(
  stack: Stack,
  files: Files,
  who: { token: string; accountId: string },
  privacy = 'SELF_ONLY',
): Promise<{ postId: string; publishId: string }> {
  const form = await uploadForm(
    { title: 'webhooks', privacy_level: privacy },
    { path: `${files.dir}/clip.mp4`, name: 'clip.mp4' },
  );
  const res = await upload(stack, who.token, who.accountId, form);
  const json = await body(res);
  expect(res.status, JSON.stringify(json)).toBe(200);
  return { postId: json.data.post_id, publishId: json.data.publish_id };
}

/** A delivery as TikTok would sign it, for cases the sandbox does not send on its own. */
function signed(stack: Stack, payload: unknown, opts: { secret?: string; ageSec?: number } = {}) {
  const raw = JSON.stringify(payload);
  const t = Math.floor(Date.now() / 1000) - (opts.ageSec ?? 0);
  const s = createHmac('sha256', opts.secret ?? stack.apiEnv.TIKTOK_CLIENT_SECRET!)
    .update(`${t}.${raw}`)
    .digest('hex');
  return { raw, signature: `t=${t},s=${s}` };
}

function deliver(stack: Stack, raw: string, signature?: string, contentType = 'application/json') {
  return stack.call('/tiktok/webhooks', {
    method: 'POST',
    body: raw,
    headers: { 'content-type': contentType, ...(signature ? { 'tiktok-signature': signature } : {}) },
  });
}

describe('with TikTok webhooks on', () => {
  let stack: Stack;
  let files: Files;

  beforeAll(async () => {
    files = await testFilesDir();
    await writeMp4(files.dir, 'clip.mp4', { durationSec: 3, size: MiB });
    stack = await startStack({ webhooks: true, sandbox: { audited: true, activeUserCap: 10_000 } });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await files?.remove();
  });

  const settledRow = (postId: string, done: (row: Awaited<ReturnType<typeof postRow>>) => boolean) =>
    waitFor('the webhook to settle the post', async () => done(await postRow(stack, postId)), 15_000, 100);

  it('a post reaches its final state in the history with no status call at TikTok', async () => {
    const before = (await stack.sandbox.calls()).status_fetch ?? 0;
    const alice = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const { postId, publishId } = await publishFile(stack, files, alice);
    await settledRow(postId, (r) => r.local_status === 'published');

    const [row] = (await listPosts(stack, alice.token)).filter((p) => p.id === postId);
    expect(row).toMatchObject({ local_status: 'published', tiktok_status: 'PUBLISH_COMPLETE' });
    expect((await stack.sandbox.calls()).status_fetch ?? 0).toBe(before);
    expect((await stack.sandbox.publish(publishId)).status_fetches).toBe(0);
    const deliveries = (await stack.sandbox.webhooks()).data.filter(
      (d) => d.content.publish_id === publishId,
    );
    expect(deliveries.map((d) => [d.event, d.state])).toEqual([['post.publish.complete', 'delivered']]);
  });

  it('a public post is settled once publicly_available brings its post id', async () => {
    const before = (await stack.sandbox.calls()).status_fetch ?? 0;
    const bob = await connectedAccount(stack, 'dev|bob', { private_account: false });
    const { postId, publishId } = await publishFile(stack, files, bob, 'PUBLIC_TO_EVERYONE');
    await settledRow(postId, (r) => r.post_ids.length > 0);
    const atTikTok = await stack.sandbox.publish(publishId);
    expect((await postRow(stack, postId)).post_ids).toEqual(atTikTok.post_ids);
    expect((await stack.sandbox.calls()).status_fetch ?? 0).toBe(before);
  });

  it('a failure arrives with its reason and the message that says what to do', async () => {
    const carol = await connectedAccount(stack, 'dev|bob', { private_account: true });
    await stack.sandbox.addFault({
      endpoint: 'processing',
      error_code: 'duration_check_failed',
      open_id: carol.openId,
    });
    const { postId } = await publishFile(stack, files, carol);
    await settledRow(postId, (r) => r.local_status === 'failed');
    expect(await postRow(stack, postId)).toMatchObject({
      tiktok_status: 'FAILED',
      fail_reason: 'duration_check_failed',
      user_message: expect.stringMatching(/length.*trim it/),
    });
  });

  it('a repeated delivery changes nothing', async () => {
    const alice = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const { postId, publishId } = await publishFile(stack, files, alice);
    await settledRow(postId, (r) => r.local_status === 'published');
    const settled = await postRow(stack, postId);
    const [delivery] = (await stack.sandbox.webhooks()).data.filter(
      (d) => d.content.publish_id === publishId,
    );
    await stack.sandbox.redeliverWebhook(delivery!.id);
    await waitFor('the repeat to be answered', async () => {
      const again = (await stack.sandbox.webhooks()).data.find((d) => d.id === delivery!.id);
      return again?.state === 'delivered' && again.attempts.length === 2;
    });
    expect(await postRow(stack, postId)).toEqual(settled);

    // A late, out-of-order "failed" for a post TikTok completed changes nothing either.
    const late = signed(stack, {
      client_key: stack.apiEnv.TIKTOK_CLIENT_KEY,
      event: 'post.publish.failed',
      create_time: Math.floor(Date.now() / 1000),
      user_openid: alice.openId,
      content: JSON.stringify({ publish_id: publishId, reason: 'internal', publish_type: 'DIRECT_PUBLISH' }),
    });
    const res = await deliver(stack, late.raw, late.signature);
    expect(res.status).toBe(200);
    expect((await body(res)).data).toEqual({ outcome: 'unchanged' });
    expect(await postRow(stack, postId)).toEqual(settled);
  });

  it('authorization.removed marks the account for reconnecting', async () => {
    const dave = await connectedAccount(stack, 'dev|bob');
    await stack.sandbox.deauthorize(dave.openId, { reason: 1 });
    await waitFor('the account to need reconnecting', async () => {
      const res = await stack.call('/social-accounts', { token: dave.token });
      const accounts = (await body(res)).data as { id: string; status: string }[];
      return accounts.find((a) => a.id === dave.accountId)?.status === 'reconnect_required';
    });
  });

  it('a late webhook settles a post we had stopped following ("not confirmed")', async () => {
    const alice = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const publishId = 'v_pub_file~v2-1.1000000000000000042';
    const [post] = await queryDb<{ id: string }>(
      stack,
      `insert into posts (user_id, social_account_id, source_type, privacy_level, local_status, publish_id,
         tiktok_status, follow_ended_at, user_message, created_at)
       select user_id, id, 'FILE_UPLOAD', 'SELF_ONLY', 'processing', $2, 'PROCESSING_UPLOAD', now(),
         'TikTok has not confirmed this post yet.', now() - interval '25 hours'
       from social_accounts where id = $1 returning id`,
      [alice.accountId, publishId],
    );
    const late = signed(stack, {
      client_key: stack.apiEnv.TIKTOK_CLIENT_KEY,
      event: 'post.publish.complete',
      create_time: Math.floor(Date.now() / 1000),
      user_openid: alice.openId,
      content: JSON.stringify({ publish_id: publishId, publish_type: 'DIRECT_PUBLISH' }),
    });
    const res = await deliver(stack, late.raw, late.signature);
    expect((await body(res)).data).toEqual({ outcome: 'applied' });
    const [row] = (await listPosts(stack, alice.token)).filter((p) => p.id === post?.id);
    expect(row).toMatchObject({ local_status: 'published', unconfirmed: false, user_message: null });
  });

  it('refuses deliveries without a valid, fresh signature, and bodies TikTok would not send', async () => {
    const payload = {
      client_key: stack.apiEnv.TIKTOK_CLIENT_KEY,
      event: 'post.publish.complete',
      create_time: Math.floor(Date.now() / 1000),
      user_openid: 'someone',
      content: JSON.stringify({ publish_id: 'v_pub_file~v2-1.1', publish_type: 'DIRECT_PUBLISH' }),
    };
    const good = signed(stack, payload);
    const refusals = [
      ['no signature', await deliver(stack, good.raw)],
      ['another secret', await deliver(stack, good.raw, signed(stack, payload, { secret: 'x' }).signature)],
      ['a changed body', await deliver(stack, good.raw.replace('someone', 'someone-else'), good.signature)],
      ['ten minutes old', await deliver(stack, good.raw, signed(stack, payload, { ageSec: 600 }).signature)],
      ['garbage', await deliver(stack, good.raw, 'garbage')],
    ] as const;
    for (const [what, res] of refusals) {
      const json = await body(res);
      expect({ what, status: res.status, code: json.code }).toEqual({
        what,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
      expect(json.message).toMatch(/TikTok-Signature/);
    }

    const wrongApp = signed(stack, { ...payload, client_key: 'another-app' });
    expect((await deliver(stack, wrongApp.raw, wrongApp.signature)).status).toBe(400);
    const notJson = signed(stack, payload);
    expect((await deliver(stack, notJson.raw, notJson.signature, 'text/plain')).status).toBe(400);
    const badContent = signed(stack, { ...payload, content: 'not json' });
    expect((await deliver(stack, badContent.raw, badContent.signature)).status).toBe(400);
    const missing = signed(stack, { event: 'post.publish.complete' });
    expect((await deliver(stack, missing.raw, missing.signature)).status).toBe(400);

    // Signed and well-formed, for a publish that is not ours: accepted (no retry), nothing changes.
    const res = await deliver(stack, good.raw, good.signature);
    expect(res.status).toBe(200);
    expect((await body(res)).data).toEqual({ outcome: 'unknown_publish' });
    // Secrets never reach the log.
    expect(stack.logs.join('\n')).not.toContain(stack.apiEnv.TIKTOK_CLIENT_SECRET);
  });
});

describe('with TikTok webhooks off', () => {
  let stack: Stack;
  let files: Files;

  beforeAll(async () => {
    files = await testFilesDir();
    await writeMp4(files.dir, 'clip.mp4', { durationSec: 3, size: MiB });
    stack = await startStack();
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    await files?.remove();
  });

  it('polling alone brings the post to its end', async () => {
    const alice = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const { postId, publishId } = await publishFile(stack, files, alice);
    await waitFor(
      'the job to see the post published',
      async () => (await postRow(stack, postId)).local_status === 'published',
      15_000,
      100,
    );
    expect((await stack.sandbox.webhooks()).data).toEqual([]);
    expect((await stack.sandbox.publish(publishId)).status_fetches).toBeGreaterThan(0);
  });
});
