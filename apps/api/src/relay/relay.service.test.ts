/**
 * The relay use case's checks and failure paths with its repositories, the Idempotency-Key store
 * and TikTok faked (src/testing/): what is refused before a byte of the video is read, what lets
 * the key go, and what a failed init or takeover records on the post. The streaming itself
 * (multipart and tus, chunk by chunk to the sandbox) is tested in test/upload-flow.test.ts,
 * test/relay-pipelined.test.ts and test/resumable-upload.test.ts.
 */
import { MAX_VIDEO_BYTES, SUBMITTED_MESSAGE } from '@cliprelay/contract';
import { describe, expect, it, vi } from 'vitest';
import type { KeyClaim } from '../publish/idempotency.repository.ts';
import { Idempotency } from '../publish/idempotency.ts';
import { asReal, postRow, tiktokError, tiktokUnreachable } from '../testing/fakes.ts';
import { USER, publishHarness } from '../testing/publish-harness.ts';
import { MAX_UPLOADS_PER_USER, RelayService } from './relay.service.ts';
import type { UploadSession, UploadSessions } from './upload-session.ts';

const FIELDS = { title: 'Dance challenge', privacy_level: 'SELF_ONLY', video_size: '25000000' };

function setup(opts: Parameters<typeof publishHarness>[0] = {}) {
  const h = publishHarness(opts);
  const keys = {
    claim: vi.fn((): Promise<KeyClaim> => Promise.resolve({ kind: 'run' })),
    attachPost: vi.fn(() => Promise.resolve()),
    storeResponse: vi.fn(() => Promise.resolve()),
    releaseIfNoPost: vi.fn(() => Promise.resolve()),
  };
  const sessions = {
    hasWholeVideo: vi.fn(() => Promise.resolve(false)),
    renew: vi.fn((): Promise<UploadSession> => Promise.reject(new Error('no renewal expected'))),
  };
  const relay = new RelayService(
    h.config,
    h.publish,
    asReal(h.posts),
    new Idempotency(asReal(keys)),
    asReal<UploadSessions>(sessions),
    h.logger,
  );
  return { ...h, relay, keys, sessions };
}

describe('RelayService.begin: checked before a byte of the video is read', () => {
  it(`a user with ${MAX_UPLOADS_PER_USER} uploads going is asked to wait, before the key is claimed`, async () => {
    const s = setup();
    for (let i = 0; i < MAX_UPLOADS_PER_USER; i++) {
      s.posts.add(postRow({ userId: USER, sourceType: 'FILE_UPLOAD', localStatus: 'uploading' }));
    }
    await expect(s.relay.begin(USER, s.account.id, FIELDS, 'key-1')).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterSec: 30,
    });
    expect(s.keys.claim).not.toHaveBeenCalled();
  });

  it('fields that fail validation are a 400 with their messages, and the key is let go', async () => {
    const s = setup();
    const err = await s.relay
      .begin(USER, s.account.id, { ...FIELDS, privacy_level: 'EVERYBODY', is_aigc: 'maybe' }, 'key-1')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((err as { details: string[] }).details.join('\n')).toMatch(
      /privacy_level[\s\S]*is_aigc|is_aigc[\s\S]*privacy_level/,
    );
    expect(s.keys.releaseIfNoPost).toHaveBeenCalledWith(USER, 'key-1');
    expect(s.tiktok.creatorInfo).not.toHaveBeenCalled();
  });

  it('settings the creator does not allow are refused, and the key is let go', async () => {
    const s = setup({ creator: { privacy_level_options: ['SELF_ONLY'] } });
    await expect(
      s.relay.begin(USER, s.account.id, { ...FIELDS, privacy_level: 'PUBLIC_TO_EVERYONE' }, 'key-1'),
    ).rejects.toMatchObject({ code: 'PRIVACY_LEVEL_NOT_ALLOWED' });
    expect(s.keys.releaseIfNoPost).toHaveBeenCalledTimes(1);
    expect(s.tiktok.initVideo).not.toHaveBeenCalled();
  });

  it('a declared size over 4 GB is FILE_TOO_LARGE, and the key is let go', async () => {
    const s = setup();
    await expect(
      s.relay.begin(USER, s.account.id, { ...FIELDS, video_size: String(MAX_VIDEO_BYTES + 1) }, 'key-1'),
    ).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect(s.keys.releaseIfNoPost).toHaveBeenCalledTimes(1);
  });

  it('good fields: the settings resolved against the creator, the declared size, the key kept', async () => {
    const s = setup({ creator: { duet_disabled: true } });
    const begun = await s.relay.begin(USER, s.account.id, FIELDS, 'key-1');
    expect(begun).toMatchObject({
      videoSize: 25_000_000,
      prepared: {
        account: { id: s.account.id },
        postInfo: { title: 'Dance challenge', privacy_level: 'SELF_ONLY', disable_duet: true },
      },
    });
    expect(s.keys.releaseIfNoPost).not.toHaveBeenCalled();
  });

  it('a key whose upload succeeded before answers that again, checking nothing anew', async () => {
    const s = setup();
    const first = { publish_id: 'v_pub_file~v2.1', message: SUBMITTED_MESSAGE, post_id: 'post-1' };
    s.keys.claim.mockResolvedValueOnce({ kind: 'replay', response: first });
    await expect(s.relay.begin(USER, s.account.id, FIELDS, 'key-1')).resolves.toEqual({ replay: first });
    expect(s.tiktok.creatorInfo).not.toHaveBeenCalled();
    expect(s.budget.asked(s.account.id, 'video_init')).toBe(0);
  });
});

describe('RelayService.startRelay: a failed init fails its post with the reason', () => {
  async function start(s: ReturnType<typeof setup>) {
    const begun = await s.relay.begin(USER, s.account.id, FIELDS, undefined);
    if (!('prepared' in begun)) throw new Error('expected a fresh attempt');
    return s.relay.startRelay(USER, begun.prepared, { size: 25_000_000, fileName: 'dance.mp4' }, () =>
      Promise.resolve(),
    );
  }

  it('TikTok gave no upload address: the post fails with a retryable reason', async () => {
    const s = setup();
    s.tiktok.initVideo.mockResolvedValueOnce({ publish_id: 'v_pub_file~v2.1', logId: null });
    await expect(start(s)).rejects.toMatchObject({ code: 'TIKTOK_UNAVAILABLE', retryable: true });
    expect(s.posts.only()).toMatchObject({
      localStatus: 'failed',
      errorCode: 'TIKTOK_UNAVAILABLE',
      userMessage: 'TikTok did not give us an upload address. Please try again.',
    });
  });

  it('TikTok refused the init: the post keeps TikTok’s reason', async () => {
    const s = setup();
    s.tiktok.initVideo.mockRejectedValueOnce(tiktokError('spam_risk_too_many_posts', 'log-3'));
    await expect(start(s)).rejects.toMatchObject({ code: 'TIKTOK_REJECTED' });
    expect(s.posts.only()).toMatchObject({
      localStatus: 'failed',
      failReason: 'spam_risk_too_many_posts',
      tiktokLogId: 'log-3',
    });
  });

  it('an accepted init: the post is uploading with its publish id, not yet followed', async () => {
    const s = setup();
    const started = await start(s);
    expect(started.publishId).toBe('v_pub_file~v2.1');
    expect(s.posts.row(started.postId)).toMatchObject({
      localStatus: 'uploading',
      publishId: 'v_pub_file~v2.1',
    });
    expect(s.follower.follow).not.toHaveBeenCalled();
  });
});

describe('RelayService.resume: taking over an upload another process was relaying', () => {
  const uploading = () =>
    postRow({ userId: USER, localStatus: 'uploading', videoSize: 25_000_000, publishId: 'v_pub_file~v2.1' });

  it('TikTok already has every byte: the post is handed to its job, nothing is sent again', async () => {
    const s = setup();
    const post = s.posts.add(uploading());
    s.sessions.hasWholeVideo.mockResolvedValueOnce(true);
    await expect(s.relay.resume(post)).resolves.toBeUndefined();
    expect(s.posts.row(post.id)).toMatchObject({ localStatus: 'processing', uploadedBytes: 25_000_000 });
    expect(s.follower.follow).toHaveBeenCalledWith(post.id, 1);
    expect(s.sessions.renew).not.toHaveBeenCalled();
  });

  it('TikTok refused the new init: the post fails with that reason', async () => {
    const s = setup();
    const post = s.posts.add(uploading());
    s.sessions.renew.mockRejectedValueOnce(tiktokError('spam_risk_user_banned_from_posting'));
    await expect(s.relay.resume(post)).rejects.toMatchObject({ code: 'TIKTOK_REJECTED' });
    expect(s.posts.row(post.id)).toMatchObject({
      localStatus: 'failed',
      failReason: 'spam_risk_user_banned_from_posting',
    });
  });

  it('TikTok cannot be asked right now: the post stays uploading for the next try', async () => {
    const s = setup();
    const post = s.posts.add(uploading());
    s.sessions.hasWholeVideo.mockRejectedValueOnce(tiktokUnreachable());
    await expect(s.relay.resume(post)).rejects.toMatchObject({ code: 'TIKTOK_UNAVAILABLE' });
    expect(s.posts.row(post.id)).toMatchObject({ localStatus: 'uploading', errorCode: null });
  });
});
