/**
 * POST /tiktok/publish/upload/:socialAccountId end to end: a browser-like multipart body (fields
 * first, then `file`) streamed to the API, which inits at TikTok and sends the bytes in chunks.
 * What TikTok assembled must be byte-for-byte the user's file, and the API's upload temp dir must
 * be empty after every outcome: success, refusal, TikTok failure and a client that goes away.
 */
import { describeTikTokError } from '@cliprelay/contract';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  addFault,
  body,
  listPosts,
  rawMultipart,
  rawPost,
  sandboxPublish,
  sandboxPublishesOf,
  tempFiles,
  upload,
  uploadForm,
  waitFor,
  waitForEmptyDir,
  waitForStatus,
} from './support/publish.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { MiB, type TestFile, testFilesDir, writeMp4, writeTestFile } from '@cliprelay/test-kit/videos';

const SUBMITTED = /^Video submitted to TikTok\./;

describe('upload and publish', () => {
  let stack: Stack;
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let small: TestFile;
  let large: TestFile;

  beforeAll(async () => {
    files = await testFilesDir();
    small = await writeMp4(files.dir, 'holiday.mp4', { size: 2 * MiB });
    large = await writeMp4(files.dir, 'concert.mp4', { size: 23 * MiB + 4321 });
    stack = await startStack({ sandbox: { activeUserCap: 10_000 } });
  });
  afterAll(async () => {
    await stack?.close();
    await files?.remove();
  });
  afterEach(async () => {
    // Whatever happened in the test, no temp file may outlive its request.
    await waitForEmptyDir(stack.uploadTmpDir);
  });

  const account = (creator: Record<string, unknown> = {}) => connectedAccount(stack, 'dev|alice', creator);
  const fields = { title: 'Holiday #sea', privacy_level: 'SELF_ONLY' };

  async function expectUploaded(
    token: string,
    res: Response,
    file: TestFile,
  ): Promise<{ publishId: string; postId: string }> {
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(json).toEqual({
      success: true,
      data: {
        publish_id: expect.stringMatching(/^v_pub_file~/),
        message: expect.stringMatching(SUBMITTED),
        post_id: expect.any(String),
      },
    });
    // The temp file is gone by the time the answer arrives.
    expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
    const received = await sandboxPublish(stack, json.data.publish_id);
    expect(received.received_bytes).toBe(file.size);
    expect(received.sha256).toBe(file.sha256);
    const done = await waitForStatus(stack, token, json.data.publish_id);
    expect(done).toMatchObject({ status: 'PUBLISH_COMPLETE', local_status: 'published', post_ids: [] });
    return { publishId: json.data.publish_id, postId: json.data.post_id };
  }

  it('publishes a small video sent in one chunk, byte for byte', async () => {
    const { token, accountId } = await account();
    const res = await upload(stack, token, accountId, await uploadForm(fields, small));
    const { publishId, postId } = await expectUploaded(token, res, small);
    expect((await sandboxPublish(stack, publishId)).source_info).toEqual({
      source: 'FILE_UPLOAD',
      video_size: small.size,
      chunk_size: small.size,
      total_chunk_count: 1,
    });
    const row = (await listPosts(stack, token)).find((p) => p.id === postId);
    expect(row).toMatchObject({
      publish_id: publishId,
      source_type: 'FILE_UPLOAD',
      file_name: 'holiday.mp4',
      video_size: small.size,
      title: 'Holiday #sea',
      local_status: 'published',
    });
  });

  it('publishes a 23 MB video in several chunks, byte for byte', async () => {
    const { token, accountId } = await account();
    const res = await upload(stack, token, accountId, await uploadForm(fields, large));
    const { publishId } = await expectUploaded(token, res, large);
    const { source_info } = await sandboxPublish(stack, publishId);
    const chunks = Number(source_info.total_chunk_count);
    expect(chunks).toBeGreaterThan(1);
    expect(Number(source_info.chunk_size) * chunks).toBeLessThanOrEqual(large.size);
  });

  it('resends a chunk TikTok answered with a 500, and TikTok still assembles the exact file', async () => {
    const { token, accountId, openId } = await account();
    await addFault(stack, { endpoint: 'upload', http_status: 500, chunk_index: 1, open_id: openId });
    const res = await upload(stack, token, accountId, await uploadForm(fields, large));
    const { publishId } = await expectUploaded(token, res, large);
    expect((await stack.sandbox.faults()).filter((f) => f.open_id === openId)).toEqual([]);
    const sent = stack.logs
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === 'video sent to tiktok' && l.publishId === publishId);
    expect(sent.chunkRetries).toBe(1);
  });

  it('resends a chunk whose connection TikTok dropped', async () => {
    const { token, accountId, openId } = await account();
    await addFault(stack, { endpoint: 'upload', reset: true, chunk_index: 0, open_id: openId });
    const res = await upload(stack, token, accountId, await uploadForm(fields, small));
    await expectUploaded(token, res, small);
  });

  // TikTok's 416 says what it has (tiktok-api.md §2.3, §4): the API goes on from there.
  describe('416 resync', () => {
    async function uploadWith416(fault: { chunk_index: number; after_receive?: boolean }) {
      const { token, accountId, openId } = await account();
      await addFault(stack, { endpoint: 'upload', http_status: 416, open_id: openId, ...fault });
      const before = (await stack.sandbox.calls()).upload ?? 0;
      const res = await upload(stack, token, accountId, await uploadForm(fields, large));
      const { publishId } = await expectUploaded(token, res, large);
      expect((await stack.sandbox.faults()).filter((f) => f.open_id === openId)).toEqual([]);
      const chunks = Number((await sandboxPublish(stack, publishId)).source_info.total_chunk_count);
      expect(chunks).toBeGreaterThan(1);
      return { chunks, puts: ((await stack.sandbox.calls()).upload ?? 0) - before };
    }

    it('resends a chunk TikTok refused with a 416 saying it does not have it; TikTok assembles the exact file', async () => {
      const { chunks, puts } = await uploadWith416({ chunk_index: 1 });
      expect(puts).toBe(chunks + 1);
    });

    it('goes on with the next chunk when the 416 says TikTok already has the one sent (its answer was lost)', async () => {
      const { chunks, puts } = await uploadWith416({ chunk_index: 0, after_receive: true });
      // Chunk 0 is not sent twice: TikTok's Content-Range showed it arrived.
      expect(puts).toBe(chunks);
    });

    it('finishes when the 416 on the last chunk says TikTok has every byte', async () => {
      const { chunks, puts } = await uploadWith416({ chunk_index: 1, after_receive: true });
      expect(chunks).toBe(2); // chunk 1 is the last
      expect(puts).toBe(chunks);
    });
  });

  it('records the publish_id in history as soon as TikTok answers init, before any byte is sent', async () => {
    const { token, accountId, openId } = await account();
    // TikTok's upload host holds the first chunk, so the request is still in flight below.
    await addFault(stack, { endpoint: 'upload', delay_ms: 1500, chunk_index: 0, open_id: openId });
    const pending = upload(stack, token, accountId, await uploadForm(fields, small));
    let row: any;
    await waitFor('the post row with its publish_id', async () => {
      row = (await listPosts(stack, token)).find((p) => p.social_account_id === accountId);
      return typeof row?.publish_id === 'string';
    });
    expect(row).toMatchObject({ local_status: 'uploading', tiktok_status: 'PROCESSING_UPLOAD' });
    expect((await sandboxPublish(stack, row.publish_id)).received_bytes).toBe(0);
    const { publishId } = await expectUploaded(token, await pending, small);
    expect(publishId).toBe(row.publish_id);
  });

  it('sends the toggles the form chose as booleans, following the creator for omitted ones', async () => {
    const { token, accountId } = await account({ comment_disabled: false });
    const res = await upload(
      stack,
      token,
      accountId,
      await uploadForm({ ...fields, disable_comment: 'false', is_aigc: 'true' }, small),
    );
    const { publishId } = await expectUploaded(token, res, small);
    expect((await sandboxPublish(stack, publishId)).post_info).toMatchObject({
      title: 'Holiday #sea',
      privacy_level: 'SELF_ONLY',
      disable_comment: false,
      disable_duet: true,
      disable_stitch: true,
      is_aigc: true,
    });
  });

  describe('refusals: nothing sent to TikTok, nothing left on disk', () => {
    async function expectRefused(
      token: string,
      openId: string,
      res: Response,
      status: number,
      code: string,
    ): Promise<any> {
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(status);
      expect(json.code).toBe(code);
      expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
      expect(await sandboxPublishesOf(stack, openId)).toEqual([]);
      return json;
    }

    it('refuses a text file named .mp4 with 400 UNSUPPORTED_MEDIA', async () => {
      const { token, accountId, openId } = await account();
      const before = (await listPosts(stack, token)).length;
      const text = await writeTestFile(files.dir, 'notes.mp4', Buffer.from('not a video\n'.repeat(5000)));
      const res = await upload(
        stack,
        token,
        accountId,
        await uploadForm(fields, { ...text, type: 'video/mp4' }),
      );
      const json = await expectRefused(token, openId, res, 400, 'UNSUPPORTED_MEDIA');
      expect(typeof json.message).toBe('string');
      expect(await listPosts(stack, token)).toHaveLength(before);
    });

    it('refuses a file declared with a MIME type that is not video/* with 400 UNSUPPORTED_MEDIA', async () => {
      const { token, accountId, openId } = await account();
      const res = await upload(
        stack,
        token,
        accountId,
        await uploadForm(fields, { ...small, type: 'text/plain' }),
      );
      await expectRefused(token, openId, res, 400, 'UNSUPPORTED_MEDIA');
    });

    it.each([
      ['a missing privacy_level', { title: 'x' }, 'privacy_level'],
      ['an unknown privacy_level', { privacy_level: 'EVERYONE' }, 'privacy_level'],
      ['a title over 150 characters', { privacy_level: 'SELF_ONLY', title: 'a'.repeat(151) }, 'title'],
      [
        'a toggle that is not "true" or "false"',
        { privacy_level: 'SELF_ONLY', disable_comment: 'yes' },
        'disable_comment',
      ],
      ['an unknown field', { privacy_level: 'SELF_ONLY', schedule_at: 'tomorrow' }, 'schedule_at'],
    ])('refuses %s with 400 and field messages', async (_what, formFields, field) => {
      const { token, accountId, openId } = await account();
      const res = await upload(stack, token, accountId, await uploadForm(formFields, small));
      const json = await expectRefused(token, openId, res, 400, 'VALIDATION_FAILED');
      expect(json.message).toEqual(expect.arrayContaining([expect.stringContaining(field)]));
    });

    it.each([
      ['a second file', 'file'],
      ['a file under another field name', 'thumbnail'],
    ])('refuses %s with 400 (and the API stays up)', async (_what, secondField) => {
      const { token, accountId, openId } = await account();
      const form = await uploadForm(fields, small);
      form.append(secondField, new Blob([await readFile(small.path)], { type: 'video/mp4' }), 'extra.mp4');
      const res = await upload(stack, token, accountId, form);
      const json = await expectRefused(token, openId, res, 400, 'VALIDATION_FAILED');
      expect(json.message).toHaveLength(1);
      expect((await stack.call('/health')).status).toBe(200);
    });

    it('refuses a body without a file', async () => {
      const { token, accountId, openId } = await account();
      const form = new FormData();
      form.append('privacy_level', 'SELF_ONLY');
      const res = await upload(stack, token, accountId, form);
      const json = await expectRefused(token, openId, res, 400, 'VALIDATION_FAILED');
      expect(json.message).toEqual(expect.arrayContaining([expect.stringContaining('file')]));
    });

    it.each([
      ['JSON', 'application/json', JSON.stringify({ privacy_level: 'SELF_ONLY' })],
      ['a urlencoded form', 'application/x-www-form-urlencoded', 'privacy_level=SELF_ONLY'],
      ['plain text', 'text/plain', 'hello'],
    ])('refuses %s instead of a multipart form with a 400', async (_what, contentType, payload) => {
      const { token, accountId, openId } = await account();
      const res = await stack.call(`/tiktok/publish/upload/${accountId}`, {
        method: 'POST',
        token,
        headers: { 'content-type': contentType },
        body: payload,
      });
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(['UNSUPPORTED_MEDIA', 'VALIDATION_FAILED']).toContain(json.code);
      expect(await sandboxPublishesOf(stack, openId)).toEqual([]);
    });

    it('refuses a privacy level the creator is not offered, after receiving the file', async () => {
      const { token, accountId, openId } = await account();
      const res = await upload(
        stack,
        token,
        accountId,
        await uploadForm({ privacy_level: 'PUBLIC_TO_EVERYONE' }, small),
      );
      await expectRefused(token, openId, res, 400, 'PRIVACY_LEVEL_NOT_ALLOWED');
    });

    it('answers 413 to a Content-Length over 4 GiB without reading the body', async () => {
      const { token, accountId, openId } = await account();
      const mp = rawMultipart(fields, { name: 'huge.mp4', type: 'video/mp4' });
      const exchange = rawPost(`${stack.apiUrl}/tiktok/publish/upload/${accountId}`, {
        authorization: `Bearer ${token}`,
        'content-type': mp.contentType,
        'content-length': String(5 * 1024 ** 3),
      });
      exchange.req.write(mp.head);
      exchange.req.write(Buffer.from([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70]));
      // Only these few bytes are ever sent: the answer must come anyway.
      const answer = await Promise.race([
        exchange.response,
        sleep(10_000).then(() => {
          throw new Error('no answer without the body');
        }),
      ]);
      exchange.req.destroy();
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({
        statusCode: 413,
        code: 'FILE_TOO_LARGE',
        message: 'Video file is too large. Maximum size is 4 GB.',
      });
      expect(answer.headers.connection).toBe('close');
      expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
      expect(await sandboxPublishesOf(stack, openId)).toEqual([]);
    });

    it('refuses settings the creator cannot use before the video is sent, not after gigabytes', async () => {
      const { token, accountId, openId } = await account({ comment_disabled: true });
      const mp = rawMultipart(
        { ...fields, disable_comment: 'false' },
        { name: 'long-film.mp4', type: 'video/mp4' },
      );
      // A 3 GiB upload is announced, but only the fields and the first bytes of the file are sent.
      const exchange = rawPost(`${stack.apiUrl}/tiktok/publish/upload/${accountId}`, {
        authorization: `Bearer ${token}`,
        'content-type': mp.contentType,
        'content-length': String(3 * 1024 ** 3),
      });
      exchange.req.write(mp.head);
      exchange.req.write(Buffer.from([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70]));
      const answer = await Promise.race([
        exchange.response,
        sleep(10_000).then(() => {
          throw new Error('no answer until the whole video is sent');
        }),
      ]);
      exchange.req.destroy();
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'INTERACTION_DISABLED' });
      expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
      expect(await sandboxPublishesOf(stack, openId)).toEqual([]);
    });

    it('answers 401 without a bearer token', async () => {
      const { accountId, openId } = await account();
      const res = await upload(stack, undefined, accountId, await uploadForm(fields, small));
      await expectRefused('', openId, res, 401, 'UNAUTHENTICATED');
    });

    it("answers 404 for another user's account", async () => {
      const { accountId, openId } = await account();
      const bob = await stack.tokenFor('dev|bob');
      const res = await upload(stack, bob, accountId, await uploadForm(fields, small));
      await expectRefused(bob, openId, res, 404, 'ACCOUNT_NOT_FOUND');
    });
  });

  describe('clients that go away', () => {
    it('removes the temp file when the client aborts mid-upload, and tells TikTok nothing', async () => {
      const { token, accountId, openId } = await account();
      const before = (await listPosts(stack, token)).length;
      const bytes = await readFile(small.path);
      const mp = rawMultipart(fields, { name: 'abort.mp4', type: 'video/mp4' });
      const exchange = rawPost(`${stack.apiUrl}/tiktok/publish/upload/${accountId}`, {
        authorization: `Bearer ${token}`,
        'content-type': mp.contentType,
        'content-length': String(mp.head.length + bytes.length + mp.tail.length),
      });
      exchange.req.write(mp.head);
      exchange.req.write(bytes.subarray(0, bytes.length / 2));
      await waitFor('the temp file to appear', async () => (await tempFiles(stack.uploadTmpDir)).length > 0);
      exchange.req.destroy();
      await waitForEmptyDir(stack.uploadTmpDir);
      expect(await sandboxPublishesOf(stack, openId)).toEqual([]);
      expect(await listPosts(stack, token)).toHaveLength(before);
    });

    it('stops sending to TikTok when the client goes away during the transfer, and marks the post failed', async () => {
      const { token, accountId, openId } = await account();
      // TikTok's upload host holds the first chunk for a while: the client leaves meanwhile.
      await addFault(stack, { endpoint: 'upload', delay_ms: 1500, chunk_index: 0, open_id: openId });
      const bytes = await readFile(large.path);
      const mp = rawMultipart(fields, { name: 'leave.mp4', type: 'video/mp4' });
      const exchange = rawPost(`${stack.apiUrl}/tiktok/publish/upload/${accountId}`, {
        authorization: `Bearer ${token}`,
        'content-type': mp.contentType,
        'content-length': String(mp.head.length + bytes.length + mp.tail.length),
      });
      exchange.req.end(Buffer.concat([mp.head, bytes, mp.tail]));
      await waitFor('the init at TikTok', async () => (await sandboxPublishesOf(stack, openId)).length === 1);
      const [publish] = await sandboxPublishesOf(stack, openId);
      if (!publish) throw new Error('TikTok received no publish');
      exchange.req.destroy();

      await waitForEmptyDir(stack.uploadTmpDir);
      let row: any;
      await waitFor('the post to be marked failed', async () => {
        row = (await listPosts(stack, token)).find((p) => p.publish_id === publish.publish_id);
        return row?.local_status === 'failed';
      });
      expect(row).toMatchObject({ error_code: 'UPLOAD_FAILED', user_message: 'The upload was cancelled.' });
      // Past the held chunk (bytes already on the wire may still land): the rest never comes.
      await sleep(2000);
      const received = await sandboxPublish(stack, publish.publish_id);
      expect(received.received_bytes).toBeLessThan(large.size);
      expect(received.sha256).toBeNull();
      expect(received.status).toBe('PROCESSING_UPLOAD');
      expect(
        stack.logs.some((l) => l.includes('"msg":"video sent to tiktok"') && l.includes(publish.publish_id)),
      ).toBe(false);
    });
  });

  describe('TikTok failures', () => {
    it('keeps the post failed with TikTok code, log id and user message when init fails', async () => {
      const { token, accountId, openId } = await account();
      await addFault(stack, {
        endpoint: 'video_init',
        error_code: 'spam_risk_too_many_posts',
        open_id: openId,
      });
      const before = (await listPosts(stack, token)).length;
      const res = await upload(stack, token, accountId, await uploadForm(fields, small));
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(json).toMatchObject({
        code: 'TIKTOK_REJECTED',
        retryable: true,
        tiktok: { code: 'spam_risk_too_many_posts', logId: expect.any(String) },
      });
      expect(json.message).toContain('spam_risk_too_many_posts');
      expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);

      const posts = await listPosts(stack, token);
      expect(posts).toHaveLength(before + 1);
      expect(posts[0]).toMatchObject({
        social_account_id: accountId,
        publish_id: null,
        local_status: 'failed',
        error_code: 'TIKTOK_REJECTED',
        fail_reason: 'spam_risk_too_many_posts',
        tiktok_log_id: json.tiktok.logId,
        user_message: describeTikTokError('spam_risk_too_many_posts').userMessage,
        file_name: 'holiday.mp4',
      });
    });

    it('answers 500 UPLOAD_FAILED when TikTok keeps refusing the bytes, and marks the post failed', async () => {
      const { token, accountId, openId } = await account();
      // 403 from the upload host: the upload_url expired. A fresh init is tried twice; every
      // session refuses too.
      await addFault(stack, { endpoint: 'upload', http_status: 403, count: 3, open_id: openId });
      const res = await upload(stack, token, accountId, await uploadForm(fields, small));
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(500);
      expect(json).toMatchObject({ statusCode: 500, code: 'UPLOAD_FAILED', retryable: false });
      expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
      const publishes = await sandboxPublishesOf(stack, openId);
      expect(publishes.map((p) => p.status)).toEqual(Array(3).fill('PROCESSING_UPLOAD'));
      const ids = new Set(publishes.map((p) => p.publish_id));
      const rows = (await listPosts(stack, token)).filter((p) => ids.has(p.publish_id));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        local_status: 'failed',
        error_code: 'UPLOAD_FAILED',
        user_message: json.message,
      });
    });

    it('an upload URL that expired mid-relay is renewed: a fresh init gets the file from our copy', async () => {
      const { token, accountId, openId } = await account();
      await addFault(stack, { endpoint: 'upload', http_status: 403, chunk_index: 0, open_id: openId });
      const res = await upload(stack, token, accountId, await uploadForm(fields, small));
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(200);
      const publishes = await sandboxPublishesOf(stack, openId);
      expect(publishes).toHaveLength(2);
      const renewed = publishes.find((p) => p.publish_id === json.data.publish_id);
      expect(renewed).toMatchObject({ received_bytes: small.size, sha256: small.sha256 });
      expect(publishes.find((p) => p !== renewed)).toMatchObject({
        status: 'PROCESSING_UPLOAD',
        received_bytes: 0,
      });
      expect(await tempFiles(stack.uploadTmpDir)).toEqual([]);
    });
  });
});
