/**
 * The pipelined relay: with `video_size` sent before `file`, the API inits at TikTok at once and
 * forwards each chunk while the next is still arriving. Each test drives a raw multipart upload by
 * hand, so it can hold the client mid-file and look at what TikTok (the sandbox) already has, or
 * make the client lie, vanish, or meet a TikTok failure mid-stream. Every end leaves no temp file
 * and a post whose state tells the truth.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { MiB, type TestFile, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryDb } from './support/db.ts';
import {
  addFault,
  listPosts,
  rawMultipart,
  rawPost,
  sandboxPublish,
  sandboxPublishesOf,
  status,
  body,
  waitFor,
  waitForEmptyDir,
  waitForStatus,
} from './support/publish.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';

/** Three 10 MB chunks, the last one longer: a relay has a beginning, a middle and an end. */
const VIDEO_BYTES = 31 * MiB + 1234;
const CHUNK = 10_000_000;

describe('the pipelined relay (video_size before file)', () => {
  let stack: Stack;
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let video: TestFile;

  beforeAll(async () => {
    files = await testFilesDir();
    video = await writeMp4(files.dir, 'gig.mp4', { durationSec: 20, size: VIDEO_BYTES });
    stack = await startStack({ sandbox: { activeUserCap: 10_000 } });
  });
  afterAll(async () => {
    await stack?.close();
    await files?.remove();
  });
  afterEach(async () => {
    await waitForEmptyDir(stack.uploadTmpDir);
  });

  const account = () => connectedAccount(stack, 'dev|alice', { private_account: true });

  /** Reads `length` bytes of the video from `start`. */
  async function bytesOf(start: number, length: number): Promise<Buffer> {
    const handle = await open(video.path);
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, start);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  /** An upload whose body the test writes; `declared` is the video_size field (and the body's file length). */
  function startUpload(who: { token: string; accountId: string }, declared: number, sent = declared) {
    const parts = rawMultipart(
      { title: 'Live #gig', privacy_level: 'SELF_ONLY', video_size: String(declared) },
      { name: 'gig.mp4', type: 'video/mp4' },
    );
    const exchange = rawPost(`${stack.apiUrl}/tiktok/publish/upload/${who.accountId}`, {
      authorization: `Bearer ${who.token}`,
      'content-type': parts.contentType,
      'content-length': String(parts.head.length + sent + parts.tail.length),
    });
    exchange.req.write(parts.head);
    return { ...exchange, parts };
  }

  const postRow = async (accountId: string) =>
    (
      await queryDb<{ local_status: string; publish_id: string | null; user_message: string | null }>(
        stack,
        'select local_status, publish_id, user_message from posts where social_account_id = $1',
        [accountId],
      )
    )[0];

  it('TikTok has the first chunks while the client is still sending, and the status says how many bytes it accepted', async () => {
    const who = await account();
    const upload = startUpload(who, VIDEO_BYTES);
    // Two chunks' worth, then the client pauses.
    upload.req.write(await bytesOf(0, 2 * CHUNK + 5));
    let publishId = '';
    await waitFor(
      'TikTok to have the first two chunks before the rest of the file is sent',
      async () => {
        const [publish] = await sandboxPublishesOf(stack, who.openId);
        publishId = publish?.publish_id ?? '';
        return publish?.received_bytes === 2 * CHUNK;
      },
      20_000,
      50,
    );
    // The backend reports TikTok's accepted bytes: the honest progress of the second leg.
    await waitFor('the status to report the accepted bytes', async () => {
      const res = await status(stack, who.token, publishId);
      return (await body(res)).data?.uploaded_bytes === 2 * CHUNK;
    });
    expect(await postRow(who.accountId)).toMatchObject({ local_status: 'uploading', publish_id: publishId });

    const rest = createReadStream(video.path, { start: 2 * CHUNK + 5 });
    rest.pipe(upload.req, { end: false });
    rest.once('end', () => upload.req.end(upload.parts.tail));
    const res = await upload.response;
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body).data).toMatchObject({ publish_id: publishId });
    const atTikTok = await sandboxPublish(stack, publishId);
    expect(atTikTok).toMatchObject({ received_bytes: VIDEO_BYTES, sha256: video.sha256 });
    const done = await waitForStatus(stack, who.token, publishId);
    expect(done).toMatchObject({ local_status: 'published', uploaded_bytes: VIDEO_BYTES });
  });

  it('a file shorter than its video_size: a clear 400, the post failed, TikTok never gets the rest', async () => {
    const who = await account();
    const sent = 12 * MiB;
    const upload = startUpload(who, VIDEO_BYTES, sent);
    upload.req.end(Buffer.concat([await bytesOf(0, sent), upload.parts.tail]));
    const res = await upload.response;
    expect(res.status, res.body).toBe(400);
    const message = `The video has only ${sent} bytes, but video_size said ${VIDEO_BYTES}. Send the file's exact size in video_size.`;
    expect(JSON.parse(res.body)).toMatchObject({ code: 'VALIDATION_FAILED', message: [message] });
    const row = await postRow(who.accountId);
    expect(row).toMatchObject({ local_status: 'failed', user_message: message });
    const atTikTok = await sandboxPublish(stack, row!.publish_id!);
    expect(atTikTok.received_bytes).toBeLessThan(VIDEO_BYTES);
    expect(atTikTok.sha256).toBeNull();
  });

  it('a file longer than its video_size is refused as soon as the extra byte arrives', async () => {
    const who = await account();
    const declared = 11 * MiB;
    const upload = startUpload(who, declared, VIDEO_BYTES);
    const all = createReadStream(video.path);
    all.pipe(upload.req, { end: false });
    all.once('end', () => upload.req.end(upload.parts.tail));
    const res = await upload.response;
    all.destroy();
    expect(res.status, res.body).toBe(400);
    expect(JSON.parse(res.body).message).toEqual([
      `The video has more than ${declared} bytes, but video_size said ${declared}. Send the file's exact size in video_size.`,
    ]);
    expect(await postRow(who.accountId)).toMatchObject({ local_status: 'failed' });
  });

  it('a client that goes away mid-file: the post fails as cancelled, nothing is left on disk', async () => {
    const who = await account();
    const upload = startUpload(who, VIDEO_BYTES);
    upload.req.write(await bytesOf(0, CHUNK + 100));
    await waitFor('the first chunk at TikTok', async () => {
      const [publish] = await sandboxPublishesOf(stack, who.openId);
      return publish?.received_bytes === CHUNK;
    });
    upload.req.destroy();
    await waitForEmptyDir(stack.uploadTmpDir);
    await waitFor(
      'the post to be marked failed',
      async () => (await postRow(who.accountId))?.local_status === 'failed',
    );
    const [row] = (await listPosts(stack, who.token)).filter((p) => p.social_account_id === who.accountId);
    expect(row).toMatchObject({ error_code: 'UPLOAD_FAILED', user_message: 'The upload was cancelled.' });
    expect((await sandboxPublishesOf(stack, who.openId))[0]?.received_bytes).toBe(CHUNK);
  });

  it('TikTok refuses a chunk mid-stream: the client hears why at once, the post fails with it', async () => {
    const who = await account();
    // A 400: TikTok refuses the request itself (a 403, an expired URL, would be renewed instead).
    await addFault(stack, { endpoint: 'upload', http_status: 400, chunk_index: 1, open_id: who.openId });
    const upload = startUpload(who, VIDEO_BYTES);
    const all = createReadStream(video.path);
    all.pipe(upload.req, { end: false });
    all.once('end', () => upload.req.end(upload.parts.tail));
    const res = await upload.response;
    all.destroy();
    // 500: TikTok's failure (architecture §4), with what to do.
    expect(res.status, res.body).toBe(500);
    const message =
      'TikTok rejected the upload request. Please start the upload again. If it keeps failing, contact support.';
    expect(JSON.parse(res.body)).toMatchObject({ code: 'UPLOAD_FAILED', message });
    expect((await sandboxPublishesOf(stack, who.openId))[0]?.received_bytes).toBe(CHUNK);
    expect(await postRow(who.accountId)).toMatchObject({ local_status: 'failed', user_message: message });
  });

  it('TikTok refuses the settings at init: the answer comes before the file is read', async () => {
    const who = await account();
    await addFault(stack, {
      endpoint: 'video_init',
      error_code: 'spam_risk_too_many_posts',
      open_id: who.openId,
    });
    const upload = startUpload(who, VIDEO_BYTES);
    // Only the first megabyte: the refusal does not wait for the rest.
    upload.req.write(await bytesOf(0, MiB));
    const res = await upload.response;
    upload.req.destroy();
    expect(res.status, res.body).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      code: 'TIKTOK_REJECTED',
      message:
        "You've posted too many videos recently. Please wait and try again later. (TikTok: spam_risk_too_many_posts)",
    });
    expect(await postRow(who.accountId)).toMatchObject({ local_status: 'failed' });
    expect(await sandboxPublishesOf(stack, who.openId)).toEqual([]);
  });
});
