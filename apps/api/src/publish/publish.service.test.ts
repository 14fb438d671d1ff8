/**
 * The publish use cases with their repositories and TikTok client faked (src/testing/): what
 * TikTok is sent for the creator's settings, what is refused before TikTok is asked, the init
 * budget, and what a failed publish records for the status and the history to show. Against the
 * sandbox and PostgreSQL: test/publish-*.test.ts.
 */
import { MAX_VIDEO_BYTES, describeTikTokError } from '@cliprelay/contract';
import { describe, expect, it } from 'vitest';
import { AppError } from '../common/app-error.ts';
import { planChunks } from '../tiktok/chunk-plan.ts';
import { postRow, tiktokError, tiktokUnreachable } from '../testing/fakes.ts';
import {
  ACCESS_TOKEN,
  UPLOAD_URL,
  USER,
  VIDEO_URL,
  publishHarness,
  settings,
} from '../testing/publish-harness.ts';
import { OUTCOME_UNKNOWN } from './idempotency.ts';
import { UNANSWERED_INIT_MESSAGE } from './publish.service.ts';

const PULL = { type: 'PULL_FROM_URL', videoUrl: VIDEO_URL } as const;
const FILE = { type: 'FILE_UPLOAD', videoSize: 25_000_000, fileName: 'dance.mp4' } as const;

describe('PublishService.init with settings the creator allows', () => {
  it('sends TikTok the post_info resolved from the creator: omitted switches follow the creator', async () => {
    const h = publishHarness({ creator: { comment_disabled: true, stitch_disabled: true } });
    await h.publish.init(
      USER,
      h.account.id,
      settings({ privacy_level: 'FOLLOWER_OF_CREATOR', disable_duet: true, is_aigc: true }),
      PULL,
    );
    expect(h.tiktok.initVideo).toHaveBeenCalledTimes(1);
    expect(h.tiktok.initVideo).toHaveBeenCalledWith(
      ACCESS_TOKEN,
      {
        title: 'Dance challenge',
        privacy_level: 'FOLLOWER_OF_CREATOR',
        disable_comment: true,
        disable_duet: true,
        disable_stitch: true,
        brand_content_toggle: false,
        brand_organic_toggle: false,
        is_aigc: true,
      },
      { source: 'PULL_FROM_URL', video_url: VIDEO_URL },
    );
  });

  it('a URL pull: the post is stored processing with TikTok’s publish id and log id, and followed', async () => {
    const h = publishHarness();
    const result = await h.publish.init(USER, h.account.id, settings(), PULL);
    const post = h.posts.only();
    expect(result).toEqual({ publish_id: 'v_pub_url~v2.1', post_id: post.id });
    expect(post).toMatchObject({
      userId: USER,
      socialAccountId: h.account.id,
      sourceType: 'PULL_FROM_URL',
      videoUrl: VIDEO_URL,
      publishId: 'v_pub_url~v2.1',
      tiktokLogId: 'log-init-1',
      localStatus: 'processing',
      tiktokStatus: 'PROCESSING_DOWNLOAD',
      errorCode: null,
    });
    expect(h.follower.follow).toHaveBeenCalledWith(post.id, 1);
    // A post changes TikTok's creator_info (its daily count): the next form asks TikTok anew.
    expect(h.accounts.row(h.account.id).creatorInfoAt).toBeNull();
  });

  it('a file upload: TikTok gets the chunk plan, the caller the upload URL and the plan', async () => {
    const h = publishHarness();
    const plan = planChunks(FILE.videoSize);
    const result = await h.publish.init(USER, h.account.id, settings(), FILE);
    expect(h.tiktok.initVideo.mock.calls[0]?.[2]).toEqual({
      source: 'FILE_UPLOAD',
      video_size: FILE.videoSize,
      chunk_size: plan.chunkSize,
      total_chunk_count: plan.totalChunkCount,
    });
    expect(result).toMatchObject({ upload_url: UPLOAD_URL, plan });
    expect(h.posts.only()).toMatchObject({
      localStatus: 'uploading',
      tiktokStatus: 'PROCESSING_UPLOAD',
      fileName: 'dance.mp4',
      videoSize: FILE.videoSize,
    });
  });

  it('a relayed file is not followed until its bytes are sent, and carries the relay’s heartbeat', async () => {
    const h = publishHarness();
    await h.publish.init(USER, h.account.id, settings(), FILE, { relay: true });
    expect(h.follower.follow).not.toHaveBeenCalled();
    expect(h.posts.only().relayHeartbeatAt).toBeInstanceOf(Date);
  });

  it('a job engine that does not answer does not fail the publish', async () => {
    const h = publishHarness();
    h.follower.follow.mockRejectedValueOnce(new Error('pg-boss is down'));
    await expect(h.publish.init(USER, h.account.id, settings(), PULL)).resolves.toMatchObject({
      publish_id: 'v_pub_url~v2.1',
    });
    expect(h.posts.only().localStatus).toBe('processing');
  });
});

describe('PublishService.init with settings the creator does not allow', () => {
  const refusals = [
    {
      name: 'a privacy level the creator does not offer',
      creator: { privacy_level_options: ['SELF_ONLY' as const] },
      requested: settings({ privacy_level: 'PUBLIC_TO_EVERYONE' }),
      code: 'PRIVACY_LEVEL_NOT_ALLOWED',
    },
    {
      name: 'comments allowed on an account that turned them off',
      creator: { comment_disabled: true },
      requested: settings({ disable_comment: false }),
      code: 'INTERACTION_DISABLED',
    },
    {
      name: 'duets allowed on an account that turned them off',
      creator: { duet_disabled: true },
      requested: settings({ disable_duet: false }),
      code: 'INTERACTION_DISABLED',
    },
    {
      name: 'branded content posted privately',
      creator: {},
      requested: settings({ privacy_level: 'SELF_ONLY', brand_content_toggle: true }),
      code: 'VALIDATION_FAILED',
    },
  ];

  for (const r of refusals) {
    it(`${r.name}: ${r.code}, before TikTok is asked, a post is stored or the budget is spent`, async () => {
      const h = publishHarness({ creator: r.creator });
      const err = await h.publish.init(USER, h.account.id, r.requested, PULL).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(r.code);
      expect(h.tiktok.initVideo).not.toHaveBeenCalled();
      expect(h.posts.rows.size).toBe(0);
      expect(h.budget.asked(h.account.id, 'video_init')).toBe(0);
    });
  }

  it('another user’s account is ACCOUNT_NOT_FOUND; one needing reconnection says so; TikTok is not asked', async () => {
    const h = publishHarness();
    await expect(h.publish.init('user-2', h.account.id, settings(), PULL)).rejects.toMatchObject({
      code: 'ACCOUNT_NOT_FOUND',
    });
    const stale = publishHarness({ account: { status: 'reconnect_required' } });
    await expect(stale.publish.init(USER, stale.account.id, settings(), PULL)).rejects.toMatchObject({
      code: 'ACCOUNT_RECONNECT_REQUIRED',
    });
    expect(h.tiktok.creatorInfo).not.toHaveBeenCalled();
    expect(stale.tiktok.initVideo).not.toHaveBeenCalled();
  });
});

describe('the init budget (6 a minute per account)', () => {
  it('six inits in a minute go to TikTok; the seventh is refused with the wait, before TikTok or a post', async () => {
    const h = publishHarness();
    for (let i = 0; i < 6; i++) await h.publish.init(USER, h.account.id, settings(), PULL);
    h.budget.waitSec = 42;
    const err = await h.publish.init(USER, h.account.id, settings(), PULL).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TIKTOK_RATE_LIMITED', retryable: true, retryAfterSec: 42 });
    expect((err as AppError).message).toContain('42 seconds');
    expect(h.tiktok.initVideo).toHaveBeenCalledTimes(6);
    expect(h.posts.rows.size).toBe(6);
  });

  it('is spent at prepare, so that an upload is refused before its file is taken', async () => {
    const h = publishHarness();
    for (let i = 0; i < 6; i++) await h.publish.prepare(USER, h.account.id, settings());
    await expect(h.publish.prepare(USER, h.account.id, settings())).rejects.toMatchObject({
      code: 'TIKTOK_RATE_LIMITED',
    });
    expect(h.tiktok.initVideo).not.toHaveBeenCalled();
  });
});

describe('a failed init is recorded on its post', () => {
  it('TikTok’s refusal: the post keeps our code, the catalogue’s message, TikTok’s code and log id', async () => {
    const h = publishHarness();
    const entry = describeTikTokError('spam_risk_too_many_posts');
    h.tiktok.initVideo.mockRejectedValueOnce(tiktokError('spam_risk_too_many_posts', 'log-spam-1'));
    const err = await h.publish.init(USER, h.account.id, settings(), PULL).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: entry.errorCode, tiktok: { code: 'spam_risk_too_many_posts' } });
    const post = h.posts.only();
    expect(post).toMatchObject({
      localStatus: 'failed',
      errorCode: entry.errorCode,
      userMessage: entry.userMessage,
      failReason: 'spam_risk_too_many_posts',
      tiktokLogId: 'log-spam-1',
      publishId: null,
    });
    // What the history shows of it.
    const [row] = await h.publish.history(USER);
    expect(row).toMatchObject({
      id: post.id,
      local_status: 'failed',
      error_code: entry.errorCode,
      user_message: entry.userMessage,
      fail_reason: 'spam_risk_too_many_posts',
      tiktok_log_id: 'log-spam-1',
    });
  });

  it('a URL pull TikTok did not answer: failed as outcome-unknown, never to be retried by itself', async () => {
    const h = publishHarness();
    h.tiktok.initVideo.mockRejectedValueOnce(tiktokUnreachable());
    const err = await h.publish.init(USER, h.account.id, settings(), PULL).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TIKTOK_UNAVAILABLE',
      retryable: false,
      message: UNANSWERED_INIT_MESSAGE,
    });
    expect(h.posts.only()).toMatchObject({
      localStatus: 'failed',
      errorCode: OUTCOME_UNKNOWN,
      userMessage: UNANSWERED_INIT_MESSAGE,
    });
  });

  it('a file upload TikTok did not answer: failed, and retryable (no byte was sent)', async () => {
    const h = publishHarness();
    h.tiktok.initVideo.mockRejectedValueOnce(tiktokUnreachable());
    await expect(h.publish.init(USER, h.account.id, settings(), FILE)).rejects.toMatchObject({
      code: 'TIKTOK_UNAVAILABLE',
      retryable: true,
    });
    expect(h.posts.only()).toMatchObject({
      localStatus: 'failed',
      errorCode: 'TIKTOK_UNAVAILABLE',
      userMessage: tiktokUnreachable().message,
      failReason: null,
    });
  });

  it('TikTok refusing the privacy level: the creator’s options are asked anew and the user told ours', async () => {
    const h = publishHarness();
    // The creator changed their account's privacy since the form (and our check) read it.
    h.tiktok.initVideo.mockImplementationOnce(() => {
      h.creatorBecomes({ privacy_level_options: ['SELF_ONLY'] });
      return Promise.reject(tiktokError('privacy_level_option_mismatch'));
    });
    const err = await h.publish
      .init(USER, h.account.id, settings({ privacy_level: 'PUBLIC_TO_EVERYONE' }), PULL)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PRIVACY_LEVEL_NOT_ALLOWED' });
    expect((err as AppError).message).toContain('SELF_ONLY');
    expect(h.accounts.row(h.account.id).creatorInfo?.privacy_level_options).toEqual(['SELF_ONLY']);
    expect(h.posts.only()).toMatchObject({
      localStatus: 'failed',
      failReason: 'privacy_level_option_mismatch',
    });
  });

  it('an unexpected error: INTERNAL with a generic message, nothing of the internals stored', async () => {
    const h = publishHarness();
    h.tiktok.initVideo.mockRejectedValueOnce(new Error('connect ECONNREFUSED 10.0.0.7:5432 (pool)'));
    await expect(h.publish.init(USER, h.account.id, settings(), PULL)).rejects.toThrow('ECONNREFUSED');
    const post = h.posts.only();
    expect(post).toMatchObject({ localStatus: 'failed', errorCode: 'INTERNAL' });
    expect(post.userMessage).toBe('Something went wrong. Please try again.');
  });
});

describe('PublishService.fail', () => {
  it('a database that cannot record the failure is logged, not thrown over the caller’s error', async () => {
    const h = publishHarness();
    const post = h.posts.add(postRow({ userId: USER }));
    h.posts.update = () => Promise.reject(new Error('database went away'));
    await expect(h.publish.fail(post.id, tiktokError('spam_risk'))).resolves.toBeUndefined();
  });
});

describe('PublishService.status', () => {
  it('reads the recorded failure with its message; another user’s publish id is NOT_FOUND', async () => {
    const h = publishHarness();
    const entry = describeTikTokError('spam_risk_user_banned_from_posting');
    h.tiktok.initVideo.mockResolvedValueOnce({ publish_id: 'v_pub_url~v2.9', logId: null });
    await h.publish.init(USER, h.account.id, settings(), PULL);
    const post = h.posts.only();
    await h.publish.fail(post.id, tiktokError('spam_risk_user_banned_from_posting'));
    await expect(h.publish.status(USER, 'v_pub_url~v2.9')).resolves.toMatchObject({
      publish_id: 'v_pub_url~v2.9',
      local_status: 'failed',
      user_message: entry.userMessage,
      fail_reason: 'spam_risk_user_banned_from_posting',
    });
    await expect(h.publish.status('user-2', 'v_pub_url~v2.9')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an open post of an account needing reconnection says so; a settled one still reads', async () => {
    const h = publishHarness({ account: { status: 'reconnect_required' } });
    const open = h.posts.add(
      postRow({
        userId: USER,
        socialAccountId: h.account.id,
        publishId: 'p-open',
        localStatus: 'processing',
      }),
    );
    h.posts.add(
      postRow({
        userId: USER,
        socialAccountId: h.account.id,
        publishId: 'p-done',
        localStatus: 'published',
        tiktokStatus: 'PUBLISH_COMPLETE',
        privacyLevel: 'SELF_ONLY',
      }),
    );
    await expect(h.publish.status(USER, open.publishId!)).rejects.toMatchObject({
      code: 'ACCOUNT_RECONNECT_REQUIRED',
    });
    await expect(h.publish.status(USER, 'p-done')).resolves.toMatchObject({ local_status: 'published' });
  });
});

describe('PublishService.checkSource', () => {
  it('refuses a URL outside the verified prefixes and a file over 4 GB before anything is stored', () => {
    const h = publishHarness();
    expect(() => h.publish.checkSource('PULL_FROM_URL', 'https://elsewhere.example.com/a.mp4')).toThrow(
      expect.objectContaining({ code: 'URL_NOT_VERIFIED' }),
    );
    expect(() => h.publish.checkSource('FILE_UPLOAD', undefined, MAX_VIDEO_BYTES + 1)).toThrow(
      expect.objectContaining({ code: 'FILE_TOO_LARGE' }),
    );
    expect(h.publish.checkSource('PULL_FROM_URL', VIDEO_URL)).toEqual(PULL);
  });
});
