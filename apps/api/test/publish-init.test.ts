/**
 * POST /tiktok/publish/init over real HTTP: PULL_FROM_URL (the sandbox really downloads from a
 * local media host), FILE_UPLOAD (TikTok's upload_url), the seed's 400 validation with field
 * messages, and the server-side guard that enforces what the form enforces.
 */
import { describeFailReason } from '@cliprelay/contract';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  body,
  init,
  initBody,
  listPosts,
  type MediaHost,
  sandboxPublish,
  sandboxPublishesOf,
  startMediaHost,
  waitForStatus,
} from './support/publish.ts';
import { MEDIA_PREFIX, type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { MiB, type TestFile, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';

/** A verified prefix that is http on a host that is not local: listed, yet never acceptable. */
const INSECURE_PREFIX = 'http://cdn.insecure.test/videos/';
const FOUR_GIB = 4 * 1024 * 1024 * 1024;

describe('publish init', () => {
  let stack: Stack;
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let host: MediaHost;
  let clip: TestFile;

  beforeAll(async () => {
    files = await testFilesDir();
    clip = await writeMp4(files.dir, 'clip.mp4', { durationSec: 12, size: MiB + 12_345 });
    host = await startMediaHost(files.dir);
    stack = await startStack({
      sandbox: {
        allowHttpPull: true,
        verifiedPrefix: [MEDIA_PREFIX, host.prefix],
        activeUserCap: 10_000,
      },
      env: { TIKTOK_VERIFIED_URL_PREFIXES: [MEDIA_PREFIX, host.prefix, INSECURE_PREFIX].join(',') },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await host?.close();
    await files?.remove();
  });

  /** A fresh connected account (its own TikTok token, so its own rate-limit window). */
  const account = (creator: Record<string, unknown> = {}) => connectedAccount(stack, 'dev|alice', creator);

  /** Runs `act` and checks that it stored no post and sent TikTok no init. */
  async function expectNothingStoredOrSent(
    token: string,
    openId: string,
    act: () => Promise<void>,
  ): Promise<void> {
    const before = (await listPosts(stack, token)).length;
    await act();
    expect(await listPosts(stack, token)).toHaveLength(before);
    expect(await sandboxPublishesOf(stack, openId)).toEqual([]);
  }

  describe('PULL_FROM_URL', () => {
    it('has TikTok download the video from the verified URL and reports it published', async () => {
      const { token, accountId, openId } = await account();
      const videoUrl = `${host.prefix}clip.mp4`;
      const res = await init(
        stack,
        token,
        initBody(accountId, { source_type: 'PULL_FROM_URL', video_url: videoUrl, video_size: undefined }),
      );
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(200);
      expect(json.success).toBe(true);
      expect(json.data.publish_id).toMatch(/^v_pub_url~/);
      expect(json.data).not.toHaveProperty('upload_url');
      const publishId: string = json.data.publish_id;

      const row = (await listPosts(stack, token)).find((p) => p.publish_id === publishId);
      expect(row).toMatchObject({
        id: json.data.post_id,
        social_account_id: accountId,
        source_type: 'PULL_FROM_URL',
        video_url: videoUrl,
        privacy_level: 'SELF_ONLY',
        title: 'A cat video #cats',
      });
      expect(['processing', 'published']).toContain(row.local_status);

      const done = await waitForStatus(stack, token, publishId);
      expect(done).toMatchObject({
        publish_id: publishId,
        status: 'PUBLISH_COMPLETE',
        local_status: 'published',
        post_ids: [],
        fail_reason: null,
        user_message: null,
      });

      const received = await sandboxPublish(stack, publishId);
      expect(received.open_id).toBe(openId);
      expect(received.source_info).toEqual({ source: 'PULL_FROM_URL', video_url: videoUrl });
      expect(received.received_bytes).toBe(clip.size);
      expect(received.sha256).toBe(clip.sha256);
      expect(host.hits.get('/media/clip.mp4')).toBeGreaterThanOrEqual(1);
      expect((await listPosts(stack, token)).find((p) => p.publish_id === publishId)).toMatchObject({
        local_status: 'published',
        tiktok_status: 'PUBLISH_COMPLETE',
      });
    });

    it('reports video_pull_failed with a user message when the CDN does not have the video', async () => {
      const { token, accountId } = await account();
      const videoUrl = `${host.prefix}gone.mp4`;
      const res = await init(
        stack,
        token,
        initBody(accountId, { source_type: 'PULL_FROM_URL', video_url: videoUrl, video_size: undefined }),
      );
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(200);
      const done = await waitForStatus(stack, token, json.data.publish_id);
      expect(done).toMatchObject({
        status: 'FAILED',
        fail_reason: 'video_pull_failed',
        local_status: 'failed',
        user_message: describeFailReason('video_pull_failed').userMessage,
      });
      expect(host.hits.get('/media/gone.mp4')).toBe(1);
    });

    it.each([
      ['a host that is not verified', 'https://evil.example.com/videos/clip.mp4'],
      ['http on a host that is not local, even under a listed prefix', `${INSECURE_PREFIX}clip.mp4`],
      ['a path that climbs out of the prefix', `${MEDIA_PREFIX}../private/clip.mp4`],
      ['credentials in the URL', MEDIA_PREFIX.replace('https://', 'https://user:pw@') + 'clip.mp4'],
      ['another spelling of the local host', 'http://127.0.0.1:PORT/media/clip.mp4'],
      ['something that is not a URL', 'clip.mp4'],
    ])('refuses %s with 400 URL_NOT_VERIFIED and sends nothing to TikTok', async (_what, raw) => {
      const videoUrl = raw.replace('PORT', String(host.port));
      const { token, accountId, openId } = await account();
      const hitsBefore = host.hits.get('/media/clip.mp4') ?? 0;
      await expectNothingStoredOrSent(token, openId, async () => {
        const res = await init(
          stack,
          token,
          initBody(accountId, { source_type: 'PULL_FROM_URL', video_url: videoUrl, video_size: undefined }),
        );
        const json = await body(res);
        expect(res.status, JSON.stringify(json)).toBe(400);
        expect(json.code).toBe('URL_NOT_VERIFIED');
        expect(typeof json.message).toBe('string');
        expect(json).not.toHaveProperty('tiktok');
      });
      expect(host.hits.get('/media/clip.mp4') ?? 0).toBe(hitsBefore);
    });

    it('needs a video_url', async () => {
      const { token, accountId, openId } = await account();
      await expectNothingStoredOrSent(token, openId, async () => {
        const res = await init(
          stack,
          token,
          initBody(accountId, { source_type: 'PULL_FROM_URL', video_size: undefined }),
        );
        const json = await body(res);
        expect(res.status).toBe(400);
        expect(json.code).toBe('VALIDATION_FAILED');
        expect(json.message).toEqual(expect.arrayContaining([expect.stringContaining('video_url')]));
      });
    });
  });

  describe('FILE_UPLOAD', () => {
    it("returns TikTok's upload_url and publish_id, and the upload_url takes the bytes", async () => {
      const { token, accountId } = await account();
      const video = await writeMp4(files.dir, 'direct.mp4', { size: 2 * MiB });
      const res = await init(stack, token, initBody(accountId, { video_size: video.size }));
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(200);
      expect(json.data.publish_id).toMatch(/^v_pub_file~/);
      expect(json.data.upload_url).toMatch(
        new RegExp(`^${stack.sandboxUrl}/upload/\\?upload_id=\\d+&upload_token=`),
      );
      const publishId: string = json.data.publish_id;

      const received = await sandboxPublish(stack, publishId);
      expect(received.source_info).toEqual({
        source: 'FILE_UPLOAD',
        video_size: video.size,
        chunk_size: video.size,
        total_chunk_count: 1,
      });
      const row = (await listPosts(stack, token)).find((p) => p.publish_id === publishId);
      expect(row).toMatchObject({
        source_type: 'FILE_UPLOAD',
        video_size: video.size,
        local_status: 'uploading',
      });

      // The client may send the bytes itself (the seed's init-only path).
      const put = await fetch(json.data.upload_url, {
        method: 'PUT',
        headers: { 'content-type': 'video/mp4', 'content-range': `bytes 0-${video.size - 1}/${video.size}` },
        body: await readFile(video.path),
      });
      expect(put.status).toBe(201);
      expect(await waitForStatus(stack, token, publishId)).toMatchObject({
        status: 'PUBLISH_COMPLETE',
        local_status: 'published',
      });
      expect((await sandboxPublish(stack, publishId)).sha256).toBe(video.sha256);
    });

    it("plans TikTok's chunks with a floor count and a last chunk that takes the rest", async () => {
      const { token, accountId } = await account();
      const res = await init(stack, token, initBody(accountId, { video_size: 50_000_123 }));
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(200);
      expect((await sandboxPublish(stack, json.data.publish_id)).source_info).toEqual({
        source: 'FILE_UPLOAD',
        video_size: 50_000_123,
        chunk_size: 10_000_000,
        total_chunk_count: 5,
      });
    });

    it('refuses a video over 4 GiB with 413 FILE_TOO_LARGE before asking TikTok', async () => {
      const { token, accountId, openId } = await account();
      await expectNothingStoredOrSent(token, openId, async () => {
        const res = await init(stack, token, initBody(accountId, { video_size: FOUR_GIB + 1 }));
        const json = await body(res);
        expect(res.status, JSON.stringify(json)).toBe(413);
        expect(json).toMatchObject({
          statusCode: 413,
          code: 'FILE_TOO_LARGE',
          message: 'Video file is too large. Maximum size is 4 GB.',
        });
      });
    });

    it('needs a whole, positive video_size', async () => {
      const { token, accountId, openId } = await account();
      await expectNothingStoredOrSent(token, openId, async () => {
        for (const videoSize of [undefined, 0, 1.5, '2000000']) {
          const res = await init(stack, token, initBody(accountId, { video_size: videoSize }));
          const json = await body(res);
          expect(res.status, String(videoSize)).toBe(400);
          expect(json.code).toBe('VALIDATION_FAILED');
          expect(json.message).toEqual(expect.arrayContaining([expect.stringContaining('video_size')]));
        }
      });
    });
  });

  describe('validation (seed §6, 400)', () => {
    const emoji = '😀'; // outside the BMP: two UTF-16 units, as TikTok counts
    it.each([
      ['a missing privacy_level', { privacy_level: undefined }, 'privacy_level'],
      ['an unknown privacy_level', { privacy_level: 'EVERYONE' }, 'privacy_level'],
      ['a title of 151 characters', { title: 'a'.repeat(151) }, 'title'],
      [
        'a title of 149 characters and an emoji (151 UTF-16 units)',
        { title: 'a'.repeat(149) + emoji },
        'title',
      ],
      ['a non-string title', { title: 42 }, 'title'],
      ['disable_comment as a string', { disable_comment: 'true' }, 'disable_comment'],
      ['disable_duet as a number', { disable_duet: 1 }, 'disable_duet'],
      ['disable_stitch as null', { disable_stitch: null }, 'disable_stitch'],
      ['brand_content_toggle as a string', { brand_content_toggle: 'yes' }, 'brand_content_toggle'],
      ['is_aigc as a string', { is_aigc: 'false' }, 'is_aigc'],
      ['an unknown field', { schedule_at: '2030-01-01' }, 'schedule_at'],
      ['an unknown source_type', { source_type: 'YOUTUBE' }, 'source_type'],
      ['a missing socialAccountId', { socialAccountId: undefined }, 'socialAccountId'],
      ['a negative cover timestamp', { video_cover_timestamp_ms: -1 }, 'video_cover_timestamp_ms'],
      ['a null cover timestamp', { video_cover_timestamp_ms: null }, 'video_cover_timestamp_ms'],
      ['a null title', { title: null }, 'title'],
    ])('rejects %s with 400 and field messages; nothing stored or sent', async (_what, overrides, field) => {
      const { token, accountId, openId } = await account();
      await expectNothingStoredOrSent(token, openId, async () => {
        const res = await init(stack, token, initBody(accountId, overrides));
        const json = await body(res);
        expect(res.status, JSON.stringify(json)).toBe(400);
        expect(json).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
        expect(Array.isArray(json.message)).toBe(true);
        expect(json.message).toEqual(expect.arrayContaining([expect.stringContaining(field)]));
      });
    });

    it('lists every problem of a body at once', async () => {
      const { token, accountId } = await account();
      const res = await init(
        stack,
        token,
        initBody(accountId, { privacy_level: undefined, title: 'x'.repeat(151), disable_comment: 'no' }),
      );
      const json = await body(res);
      expect(res.status).toBe(400);
      expect(json.message.length).toBeGreaterThanOrEqual(3);
      for (const field of ['privacy_level', 'title', 'disable_comment']) {
        expect(json.message).toEqual(expect.arrayContaining([expect.stringContaining(field)]));
      }
    });

    it.each([
      ['150 plain characters', 'a'.repeat(150)],
      ['148 characters and an emoji (150 UTF-16 units)', 'a'.repeat(148) + emoji],
    ])('accepts a title of %s and sends it to TikTok unchanged', async (_what, title) => {
      const { token, accountId } = await account();
      const res = await init(stack, token, initBody(accountId, { title }));
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(200);
      expect((await sandboxPublish(stack, json.data.publish_id)).post_info.title).toBe(title);
    });
  });

  describe('server-side guard: what the form enforces', () => {
    it.each(['PUBLIC_TO_EVERYONE', 'FOLLOWER_OF_CREATOR'])(
      "refuses %s when it is not among the creator's current options",
      async (privacy) => {
        // An unaudited app's private account is offered SELF_ONLY only.
        const { token, accountId, openId } = await account({ private_account: true });
        await expectNothingStoredOrSent(token, openId, async () => {
          const res = await init(stack, token, initBody(accountId, { privacy_level: privacy }));
          const json = await body(res);
          expect(res.status, JSON.stringify(json)).toBe(400);
          expect(json.code).toBe('PRIVACY_LEVEL_NOT_ALLOWED');
          expect(json.message).toContain(privacy);
        });
      },
    );

    it('refuses to allow comments the creator turned off (400 INTERACTION_DISABLED)', async () => {
      const { token, accountId, openId } = await account({ comment_disabled: true });
      await expectNothingStoredOrSent(token, openId, async () => {
        const res = await init(stack, token, initBody(accountId, { disable_comment: false }));
        const json = await body(res);
        expect(res.status, JSON.stringify(json)).toBe(400);
        expect(json.code).toBe('INTERACTION_DISABLED');
        expect(json.message).toMatch(/comment/i);
      });
    });

    it('refuses to allow duets on a private account, where TikTok disables them', async () => {
      const { token, accountId, openId } = await account({ private_account: true });
      await expectNothingStoredOrSent(token, openId, async () => {
        const res = await init(stack, token, initBody(accountId, { disable_duet: false }));
        const json = await body(res);
        expect(res.status, JSON.stringify(json)).toBe(400);
        expect(json.code).toBe('INTERACTION_DISABLED');
        expect(json.message).toMatch(/duet/i);
      });
    });

    it("follows the creator's settings for omitted toggles: TikTok receives them disabled", async () => {
      const { token, accountId } = await account({ comment_disabled: true });
      const res = await init(stack, token, initBody(accountId));
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(200);
      const { post_info } = await sandboxPublish(stack, json.data.publish_id);
      expect(post_info).toMatchObject({
        privacy_level: 'SELF_ONLY',
        disable_comment: true,
        disable_duet: true,
        disable_stitch: true,
        brand_content_toggle: false,
        brand_organic_toggle: false,
        is_aigc: false,
      });
      const row = (await listPosts(stack, token)).find((p) => p.publish_id === json.data.publish_id);
      expect(row).toMatchObject({ disable_comment: true, disable_duet: true, disable_stitch: true });
    });

    it('sends the toggles the user chose where the creator allows them', async () => {
      const { token, accountId } = await account({ comment_disabled: false });
      const res = await init(
        stack,
        token,
        initBody(accountId, {
          disable_comment: false,
          disable_duet: true,
          is_aigc: true,
          brand_organic_toggle: true,
          video_cover_timestamp_ms: 1500,
        }),
      );
      const json = await body(res);
      expect(res.status, JSON.stringify(json)).toBe(200);
      expect((await sandboxPublish(stack, json.data.publish_id)).post_info).toMatchObject({
        disable_comment: false,
        disable_duet: true,
        disable_stitch: true,
        is_aigc: true,
        brand_organic_toggle: true,
        brand_content_toggle: false,
        video_cover_timestamp_ms: 1500,
      });
    });

    it('refuses branded content that is private (SELF_ONLY) with a 400', async () => {
      const { token, accountId, openId } = await account();
      await expectNothingStoredOrSent(token, openId, async () => {
        const res = await init(stack, token, initBody(accountId, { brand_content_toggle: true }));
        const json = await body(res);
        expect(res.status, JSON.stringify(json)).toBe(400);
        expect(json.code).toBe('VALIDATION_FAILED');
        expect(json.message).toEqual(['Branded content visibility cannot be set to private.']);
      });
    });
  });
});
