/**
 * Resumable uploads (tus 1.0.0 at /tiktok/uploads), spoken by hand over HTTP so that a test can
 * cut the connection wherever it likes: creation (the form as Upload-Metadata; settings and
 * TikTok's init answered at once), PATCHes that TikTok's relay follows, a connection cut
 * mid-PATCH and resumed from the server's offset, cancel (DELETE), and what another user sees.
 */
import { MiB, type TestFile, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxPublish, sandboxPublishesOf, tempFiles, waitFor, waitForStatus } from './support/publish.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { tusCreate, tusOffset, tusPatch } from './support/tus.ts';
import { join } from 'node:path';

const VIDEO_BYTES = 25 * MiB + 77;

describe('resumable uploads (tus)', () => {
  let stack: Stack;
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let video: TestFile;

  beforeAll(async () => {
    files = await testFilesDir();
    video = await writeMp4(files.dir, 'trip.mp4', { durationSec: 20, size: VIDEO_BYTES });
    stack = await startStack({ sandbox: { activeUserCap: 10_000 } });
  });
  afterAll(async () => {
    await stack?.close();
    await files?.remove();
  });

  const tusDir = () => join(stack.uploadTmpDir, 'tus');

  const create = (who: { token: string; accountId: string }, meta: Record<string, string> = {}) =>
    tusCreate(stack.apiUrl, who, VIDEO_BYTES, meta);

  async function offsetOf(token: string, location: string): Promise<number> {
    const head = await tusOffset(stack.apiUrl, token, location);
    expect(head.status).toBe(200);
    return head.offset;
  }

  /** PATCHes the file from `offset`; `cutAfter` bytes in, the connection is destroyed. */
  const patch = (token: string, location: string, offset: number, cutAfter?: number) =>
    tusPatch(stack.apiUrl, token, location, video, offset, cutAfter === undefined ? {} : { cutAfter });

  /** PATCHes from 0, cuts the connection `fraction` of the way in; the server's settled offset. */
  async function cutAt(token: string, location: string, fraction: number): Promise<number> {
    const cut = await patch(token, location, 0, Math.floor(VIDEO_BYTES * fraction));
    expect(cut.status).toBe(0);
    let offset = 0;
    await waitFor(
      'the server to settle on what it received',
      async () => {
        const now = await offsetOf(token, location);
        const settled = now === offset && now > 0;
        offset = now;
        return settled;
      },
      10_000,
      200,
    );
    expect(offset).toBeGreaterThan(VIDEO_BYTES * (fraction - 0.2));
    expect(offset).toBeLessThanOrEqual(cut.sent);
    return offset;
  }

  it('a connection cut mid-upload resumes from the server’s offset; TikTok gets identical bytes, once', async () => {
    const who = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const created = await create(who);
    expect(created.status, await created.clone().text()).toBe(201);
    const location = created.headers.get('location')!;
    expect(location).toMatch(/^\/tiktok\/uploads\/[0-9a-f-]{36}$/);
    // TikTok's init ran before the answer: the post exists, uploading.
    const [atTikTok] = await sandboxPublishesOf(stack, who.openId);
    expect(atTikTok?.status).toBe('PROCESSING_UPLOAD');

    // 62 % in, the connection drops.
    const offset = await cutAt(who.token, location, 0.62);

    // Resume: only the rest is sent.
    const rest = await patch(who.token, location, offset);
    expect(rest).toEqual({ status: 204, sent: VIDEO_BYTES - offset });

    const uploadId = location.split('/').pop()!;
    const status = await fetch(`${stack.apiUrl}/tiktok/uploads/${uploadId}/status`, {
      headers: { authorization: `Bearer ${who.token}` },
    }).then((r) => r.json() as Promise<{ data: { publish_id: string } }>);
    const done = await waitForStatus(stack, who.token, status.data.publish_id);
    expect(done).toMatchObject({ local_status: 'published', uploaded_bytes: VIDEO_BYTES });
    expect(await sandboxPublish(stack, status.data.publish_id)).toMatchObject({
      received_bytes: VIDEO_BYTES,
      sha256: video.sha256,
    });
    expect(await sandboxPublishesOf(stack, who.openId)).toHaveLength(1);
    // The upload's file is gone once TikTok has it all.
    await waitFor('the upload file to be removed', async () => (await tempFiles(tusDir())).length === 0);
    // Nothing more is taken for it.
    const after = await fetch(`${stack.apiUrl}${location}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${who.token}`, 'tus-resumable': '1.0.0' },
    });
    expect(after.status).toBe(410);
  });

  it('TikTok’s upload URL expires mid-upload: a fresh init sends our copy, the client sends each byte once', async () => {
    const who = await connectedAccount(stack, 'dev|bob', { private_account: true });
    const location = (await create(who)).headers.get('location')!;
    const uploadId = location.split('/').pop()!;
    const offset = await cutAt(who.token, location, 0.5);
    const [first] = await sandboxPublishesOf(stack, who.openId);
    await waitFor('TikTok to take the first chunk', async () => {
      const publish = await sandboxPublish(stack, first!.publish_id);
      return (publish?.received_bytes ?? 0) >= 10_000_000; // the first chunk (10 MB)
    });
    // An hour later at TikTok, its upload URL answers 403.
    await stack.sandbox.advanceClock(3700);
    const rest = await patch(who.token, location, offset);
    expect(rest).toEqual({ status: 204, sent: VIDEO_BYTES - offset });

    // The upload's status follows the post to its new publish id.
    let status: { publish_id: string; local_status: string; uploaded_bytes: number } | undefined;
    await waitFor(
      'the post to be published',
      async () => {
        const res = await fetch(`${stack.apiUrl}/tiktok/uploads/${uploadId}/status`, {
          headers: { authorization: `Bearer ${who.token}` },
        });
        status = ((await res.json()) as { data: typeof status }).data;
        return status?.local_status === 'published';
      },
      30_000,
      250,
    );
    expect(status).toMatchObject({ local_status: 'published', uploaded_bytes: VIDEO_BYTES });
    expect(status!.publish_id).not.toBe(first!.publish_id);
    expect(await sandboxPublish(stack, status!.publish_id)).toMatchObject({
      received_bytes: VIDEO_BYTES,
      sha256: video.sha256,
    });
    // The expired session never got its bytes: one post at TikTok.
    const atTikTok = await sandboxPublishesOf(stack, who.openId);
    expect(atTikTok.map((p) => p.status).sort()).toEqual(['PROCESSING_UPLOAD', 'PUBLISH_COMPLETE']);
    await waitFor('the upload file to be removed', async () => (await tempFiles(tusDir())).length === 0);
  });

  it('refuses settings the creator cannot use at creation, before a byte is sent', async () => {
    const who = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const res = await create(who, { privacy_level: 'PUBLIC_TO_EVERYONE' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'PRIVACY_LEVEL_NOT_ALLOWED' });
    expect(await sandboxPublishesOf(stack, who.openId)).toEqual([]);
    expect(await tempFiles(tusDir())).toEqual([]);
  });

  it('another user’s upload is a 404; the owner’s DELETE cancels it: the post fails, the file goes', async () => {
    const who = await connectedAccount(stack, 'dev|alice', { private_account: true });
    const created = await create(who);
    const location = created.headers.get('location')!;
    await patch(who.token, location, 0, 3 * MiB);
    const bob = await stack.tokenFor('dev|bob');
    for (const method of ['HEAD', 'PATCH', 'DELETE']) {
      const res = await fetch(`${stack.apiUrl}${location}`, {
        method,
        headers: { authorization: `Bearer ${bob}`, 'tus-resumable': '1.0.0' },
      });
      expect(res.status, method).toBe(404);
    }
    const del = await fetch(`${stack.apiUrl}${location}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${who.token}`, 'tus-resumable': '1.0.0' },
    });
    expect(del.status).toBe(204);
    const uploadId = location.split('/').pop()!;
    const status = await fetch(`${stack.apiUrl}/tiktok/uploads/${uploadId}/status`, {
      headers: { authorization: `Bearer ${who.token}` },
    }).then((r) => r.json() as Promise<{ data: { local_status: string; user_message: string } }>);
    expect(status.data).toMatchObject({ local_status: 'failed', user_message: 'The upload was cancelled.' });
    await waitFor('the upload file to be removed', async () => (await tempFiles(tusDir())).length === 0);
    const again = await patch(who.token, location, 3 * MiB);
    expect(again.status).toBe(410);
  });
});
