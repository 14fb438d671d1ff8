/**
 * Crash-safe publishing: the API, a built process, is killed with SIGKILL at each stage of a
 * FILE_UPLOAD — while the browser's bytes arrive, after TikTok's init before the first chunk,
 * while chunks go to TikTok, after TikTok took the last chunk but before its answer, while the
 * job follows the status — and started again. Every post
 * reaches a true final state on its own, the boot sweep leaves no temp file, a retry under the
 * same Idempotency-Key returns the recovered outcome or runs anew, and TikTok (the sandbox) never
 * gets a second post.
 */
import type { ChildProcess } from 'node:child_process';
import { ensureApiBuilt, spawnApi, stopChild, waitForHealth } from '@cliprelay/test-kit/processes';
import { MiB, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTARTED_RELAY_MESSAGE } from '../src/publish/post-follower.ts';
import { queryDb } from './support/db.ts';
import { body, rawMultipart, rawPost, sandboxPublishesOf, tempFiles, waitFor } from './support/publish.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { tusCreate, tusOffset, tusPatch } from './support/tus.ts';

type Files = Awaited<ReturnType<typeof testFilesDir>>;

/** A video of three chunks (10 MB each, the last one longer): "while chunks go" has a middle. */
const VIDEO_BYTES = 31 * MiB;

describe('SIGKILL at every stage of a publish', () => {
  let stack: Stack;
  let files: Files;
  let api: { child: ChildProcess; url: string } | undefined;
  let bigSha256: string;

  beforeAll(async () => {
    files = await testFilesDir();
    bigSha256 = (await writeMp4(files.dir, 'big.mp4', { durationSec: 20, size: VIDEO_BYTES })).sha256;
    stack = await startStack({ sandbox: { processingDelayMs: 3000, activeUserCap: 10_000 } });
    // Only the processes this suite starts and kills may serve or follow anything.
    await stack.api.close();
    await ensureApiBuilt();
  }, 180_000);
  afterAll(async () => {
    if (api) await stopChild(api.child);
    await stack?.close();
    await files?.remove();
  });

  /** The API as a process of its own, on the suite's port (TikTok's redirect URI points there). */
  async function startApiProcess(): Promise<{ child: ChildProcess; url: string }> {
    const child = spawnApi({ ...stack.apiEnv, LOG_LEVEL: 'warn' }, 'pipe');
    await waitForHealth(stack.apiUrl, child);
    api = { child, url: stack.apiUrl };
    return api;
  }

  async function kill(): Promise<void> {
    const { child } = api!;
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise((resolve) => child.once('exit', resolve));
    }
    api = undefined;
  }

  /** Stops the API as a deploy does (SIGTERM), and waits for it to exit. */
  async function stopApi(): Promise<void> {
    await stopChild(api!.child);
    api = undefined;
  }

  /** The multipart upload the web app sends, written by hand so that it can be cut anywhere. */
  function startUpload(who: { token: string; accountId: string }, key: string) {
    const parts = rawMultipart(
      { title: 'crash test', privacy_level: 'SELF_ONLY' },
      { name: 'big.mp4', type: 'video/mp4' },
    );
    const exchange = rawPost(`${api!.url}/tiktok/publish/upload/${who.accountId}`, {
      authorization: `Bearer ${who.token}`,
      'content-type': parts.contentType,
      'idempotency-key': key,
      'content-length': String(parts.head.length + VIDEO_BYTES + parts.tail.length),
    });
    exchange.req.write(parts.head);
    return { ...exchange, parts };
  }

  /** The whole upload, answered (a replay may be answered before the file is all sent). */
  async function upload(who: { token: string; accountId: string }, key: string) {
    const started = startUpload(who, key);
    const file = createReadStream(join(files.dir, 'big.mp4'));
    file.pipe(started.req, { end: false });
    const sent = new Promise<void>((resolve) => file.once('end', () => resolve())).then(() => {
      started.req.end(started.parts.tail);
    });
    try {
      await Promise.race([started.response, sent]);
      const res = await started.response;
      return { status: res.status, json: JSON.parse(res.body) };
    } finally {
      file.destroy();
    }
  }

  async function postsOf(accountId: string) {
    return queryDb<{
      id: string;
      local_status: string;
      publish_id: string | null;
      user_message: string | null;
      relay_heartbeat_at: Date | null;
    }>(
      stack,
      'select id, local_status, publish_id, user_message, relay_heartbeat_at from posts where social_account_id = $1 order by created_at',
      [accountId],
    );
  }

  /** Waits (polling our database, not the API) until the account's first post reaches `status`. */
  const untilFirstPost = (accountId: string, status: string, what: string) =>
    waitFor(what, async () => (await postsOf(accountId))[0]?.local_status === status, 30_000, 100);

  const completedAtTikTok = async (openId: string) =>
    (await sandboxPublishesOf(stack, openId)).filter((p) => p.status === 'PUBLISH_COMPLETE');

  it('while the browser’s bytes arrive: no temp file after the boot sweep, and the same key runs anew', async () => {
    await startApiProcess();
    const who = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const key = randomUUID();
    const cut = startUpload(who, key);
    const handle = await open(join(files.dir, 'big.mp4'));
    const { buffer } = await handle.read(Buffer.alloc(4 * MiB), 0, 4 * MiB, 0);
    await handle.close();
    cut.req.write(buffer);
    await waitFor(
      'the upload to reach our disk',
      async () => (await tempFiles(stack.uploadTmpDir)).length > 0,
    );
    await kill();
    cut.req.destroy();
    expect(await tempFiles(stack.uploadTmpDir)).not.toEqual([]);

    await startApiProcess();
    expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
    // Nothing reached TikTok, so the same key runs anew at once (its owner is gone).
    expect(await sandboxPublishesOf(stack, who.openId)).toEqual([]);
    const retried = await upload(who, key);
    expect(retried.status, JSON.stringify(retried.json)).toBe(200);
    await waitFor(
      'TikTok to publish the retry',
      async () => (await completedAtTikTok(who.openId)).length === 1,
      20_000,
      200,
    );
    expect(await sandboxPublishesOf(stack, who.openId)).toHaveLength(1);
    expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
  });

  for (const [stage, chunkIndex] of [
    ['after TikTok’s init, before the first chunk', 0],
    ['while chunks go to TikTok', 1],
  ] as const) {
    it(`${stage}: the post fails saying the server restarted, and Try again posts once`, async () => {
      if (!api) await startApiProcess();
      const who = await connectedAccount(stack, 'dev|bob', { private_account: true });
      // TikTok holds this chunk's answer: the relay is stuck on it when the process dies.
      await stack.sandbox.addFault({
        endpoint: 'upload',
        chunk_index: chunkIndex,
        delay_ms: 60_000,
        open_id: who.openId,
      });
      const key = randomUUID();
      const pending = upload(who, key).catch(() => undefined);
      await waitFor(
        'the relay to be sending',
        async () => {
          const [post] = await postsOf(who.accountId);
          if (post?.local_status !== 'uploading' || !post.publish_id) return false;
          const atTikTok = await stack.sandbox.publish(post.publish_id);
          return atTikTok.received_bytes === chunkIndex * 10_000_000;
        },
        30_000,
        50,
      );
      await kill();
      await pending;

      await startApiProcess();
      // Recovery at boot: the relay's owner is gone; TikTok says its bytes never all arrived.
      await untilFirstPost(who.accountId, 'failed', 'the cut-short upload to be marked failed');
      const [cutShort] = await postsOf(who.accountId);
      expect(cutShort).toMatchObject({ local_status: 'failed', user_message: RESTARTED_RELAY_MESSAGE });
      expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
      const history = await body(await stack.call('/tiktok/posts', { token: who.token }));
      expect(history.data[0]).toMatchObject({
        local_status: 'failed',
        user_message: RESTARTED_RELAY_MESSAGE,
      });

      // Try again under the same key: the cut-short attempt failed for good, so it runs anew.
      const retried = await upload(who, key);
      expect(retried.status, JSON.stringify(retried.json)).toBe(200);
      await waitFor(
        'TikTok to publish the retry',
        async () => (await completedAtTikTok(who.openId)).length === 1,
        20_000,
        200,
      );
      // Two inits at TikTok, one post: the first never got all its bytes, so it never posts.
      const atTikTok = await sandboxPublishesOf(stack, who.openId);
      expect(atTikTok.map((p) => p.status).sort()).toEqual(['PROCESSING_UPLOAD', 'PUBLISH_COMPLETE']);
      // The history shows the submit once, with its cut-short attempt under it.
      const after = await body(await stack.call('/tiktok/posts', { token: who.token }));
      const rows = after.data.filter((p: any) => p.social_account_id === who.accountId);
      expect(rows).toHaveLength(1);
      expect(rows[0].earlier_attempts).toMatchObject([
        { local_status: 'failed', user_message: RESTARTED_RELAY_MESSAGE },
      ]);
    });
  }

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`a resumable upload whose API got ${signal} mid-way: the next process takes its relay over, the client resumes`, async () => {
      if (!api) await startApiProcess();
      const who = await connectedAccount(stack, 'dev|alice', { private_account: true });
      const big = { path: join(files.dir, 'big.mp4'), size: VIDEO_BYTES };
      const created = await tusCreate(api!.url, who, VIDEO_BYTES, {}, { 'idempotency-key': randomUUID() });
      expect(created.status, await created.clone().text()).toBe(201);
      const location = created.headers.get('location')!;
      // 60 % in (TikTok has its first chunk), the API goes away under the PATCH.
      let stopping: Promise<void> | undefined;
      const cut = await tusPatch(api!.url, who.token, location, big, 0, {
        holdAfter: Math.floor(VIDEO_BYTES * 0.6),
        onHold: () => void (stopping = signal === 'SIGKILL' ? kill() : stopApi()),
      });
      await stopping;
      expect(cut.status).toBe(0);
      const [first] = await sandboxPublishesOf(stack, who.openId);
      expect(first?.status).toBe('PROCESSING_UPLOAD');
      // Set aside, not failed: the post still uploads and its file stays.
      expect((await postsOf(who.accountId))[0]?.local_status).toBe('uploading');
      expect(await tempFiles(join(stack.uploadTmpDir, 'tus'))).not.toEqual([]);

      await startApiProcess();
      const { status, offset } = await tusOffset(api!.url, who.token, location);
      expect(status).toBe(200);
      expect(offset).toBeGreaterThan(VIDEO_BYTES * 0.3);
      const rest = await tusPatch(api!.url, who.token, location, big, offset);
      expect(rest).toEqual({ status: 204, sent: VIDEO_BYTES - offset });
      await untilFirstPost(who.accountId, 'published', 'the taken-over relay’s post to be published');
      const [post] = await postsOf(who.accountId);
      // TikTok has the file once, byte for byte; the session the old process held never completed.
      const completed = await completedAtTikTok(who.openId);
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ publish_id: post?.publish_id, sha256: bigSha256 });
      expect(await sandboxPublishesOf(stack, who.openId)).toHaveLength(2);
      await waitFor(
        'the upload file to go',
        async () => (await tempFiles(join(stack.uploadTmpDir, 'tus'))).length === 0,
      );
    });
  }

  it('after TikTok took the last chunk, before its answer came back: published here too, and a retry answers it', async () => {
    if (!api) await startApiProcess();
    const who = await connectedAccount(stack, 'dev|alice', { private_account: true });
    // TikTok keeps the last chunk, then its answer is slow: the process dies waiting for it.
    await stack.sandbox.addFault({
      endpoint: 'upload',
      chunk_index: 2,
      after_receive: true,
      delay_ms: 60_000,
      open_id: who.openId,
    });
    const key = randomUUID();
    const pending = upload(who, key).catch(() => undefined);
    await waitFor(
      'TikTok to have every byte',
      async () => (await sandboxPublishesOf(stack, who.openId))[0]?.received_bytes === VIDEO_BYTES,
      30_000,
      50,
    );
    await kill();
    await pending;
    expect((await postsOf(who.accountId))[0]?.local_status).toBe('uploading');

    await startApiProcess();
    await untilFirstPost(
      who.accountId,
      'published',
      'the restarted process to learn from TikTok that the post was made',
    );
    // The same key answers with that post; TikTok has exactly one.
    const [post] = await postsOf(who.accountId);
    const retried = await upload(who, key);
    expect(retried.status, JSON.stringify(retried.json)).toBe(200);
    expect(retried.json.data).toMatchObject({ post_id: post?.id, publish_id: post?.publish_id });
    expect(await sandboxPublishesOf(stack, who.openId)).toHaveLength(1);
  });

  it('while the job follows the status: the restarted process sees the post published, and a retry replays it', async () => {
    if (!api) await startApiProcess();
    const who = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const key = randomUUID();
    const first = await upload(who, key);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    // TikTok processes for 3 s: the process dies while its job follows the post.
    await kill();
    const [post] = await postsOf(who.accountId);
    expect(post?.local_status).toBe('processing');

    await startApiProcess();
    await untilFirstPost(who.accountId, 'published', 'the restarted process to follow the post to its end');
    const replay = await upload(who, key);
    expect(replay).toEqual({ status: 200, json: first.json });
    expect(await sandboxPublishesOf(stack, who.openId)).toHaveLength(1);
    expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
  });

  it('while a status call is in flight: the next process follows that post and every other at once', async () => {
    if (!api) await startApiProcess();
    const who = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const other = await connectedAccount(stack, 'dev|bob', { private_account: true });
    // TikTok holds the answer to the post's first status call: the process dies inside its job.
    await stack.sandbox.addFault({ endpoint: 'status_fetch', delay_ms: 60_000, open_id: who.openId });
    const before = (await stack.sandbox.calls()).status_fetch ?? 0;
    const first = await upload(who, randomUUID());
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    await waitFor(
      'the follow job to be asking TikTok',
      async () => ((await stack.sandbox.calls()).status_fetch ?? 0) > before,
      30_000,
      50,
    );
    await kill();

    // The dead job stays "running" at the job engine until it expires (minutes): neither this
    // post nor anyone else's may wait for that.
    await startApiProcess();
    const second = await upload(other, randomUUID());
    expect(second.status, JSON.stringify(second.json)).toBe(200);
    await untilFirstPost(other.accountId, 'published', 'another account’s post to be followed to its end');
    await untilFirstPost(who.accountId, 'published', 'the post whose job died to be followed to its end');
    expect(await sandboxPublishesOf(stack, who.openId)).toHaveLength(1);
  });
});
