/**
 * What each TikTok status and fail_reason makes of our post (post-status.ts): the one mapping the
 * job that follows posts and TikTok's webhooks share.
 */
import { TIKTOK_FAIL_REASONS, describeFailReason } from '@cliprelay/contract';
import { describe, expect, it } from 'vitest';
import { postRow } from '../testing/fakes.ts';
import { isSettled, statusUpdate } from './post-status.ts';

const said = (
  status: string,
  more: { fail_reason?: string | null; post_ids?: string[]; logId?: string | null } = {},
) => ({
  status,
  fail_reason: more.fail_reason ?? null,
  post_ids: more.post_ids ?? [],
  logId: more.logId ?? null,
});

describe('statusUpdate: TikTok’s status → our post state', () => {
  it('PROCESSING_UPLOAD keeps an uploading post uploading, and a post past its upload processing', () => {
    expect(statusUpdate(postRow({ localStatus: 'uploading' }), said('PROCESSING_UPLOAD')).localStatus).toBe(
      'uploading',
    );
    expect(statusUpdate(postRow({ localStatus: 'processing' }), said('PROCESSING_UPLOAD')).localStatus).toBe(
      'processing',
    );
  });

  it('PROCESSING_DOWNLOAD is processing', () => {
    const update = statusUpdate(postRow({ localStatus: 'processing' }), said('PROCESSING_DOWNLOAD'));
    expect(update).toMatchObject({
      localStatus: 'processing',
      tiktokStatus: 'PROCESSING_DOWNLOAD',
      errorCode: null,
    });
  });

  it('PUBLISH_COMPLETE is published, with TikTok’s post ids (as strings) and log id', () => {
    const update = statusUpdate(
      postRow({ localStatus: 'processing' }),
      said('PUBLISH_COMPLETE', { post_ids: ['7234567890123456789'], logId: 'log-7' }),
    );
    expect(update).toMatchObject({
      localStatus: 'published',
      tiktokStatus: 'PUBLISH_COMPLETE',
      postIds: ['7234567890123456789'],
      tiktokLogId: 'log-7',
      failReason: null,
    });
  });

  it('an answer without post ids or a log id keeps the ones already known', () => {
    const post = postRow({
      localStatus: 'published',
      postIds: ['7234567890123456789'],
      tiktokLogId: 'log-1',
    });
    expect(statusUpdate(post, said('PUBLISH_COMPLETE'))).toMatchObject({
      postIds: ['7234567890123456789'],
      tiktokLogId: 'log-1',
    });
  });

  it('SEND_TO_USER_INBOX is published (the creator finishes it in the TikTok app)', () => {
    expect(statusUpdate(postRow({ localStatus: 'processing' }), said('SEND_TO_USER_INBOX')).localStatus).toBe(
      'published',
    );
  });

  it('a status TikTok may add later is processing, not an error', () => {
    expect(statusUpdate(postRow({ localStatus: 'processing' }), said('SOMETHING_NEW')).localStatus).toBe(
      'processing',
    );
  });

  it('TikTok speaking again about a post we had stopped following drops "not confirmed yet"', () => {
    const post = postRow({
      localStatus: 'processing',
      followEndedAt: new Date(),
      userMessage: 'TikTok has not confirmed this post yet.',
    });
    expect(statusUpdate(post, said('PROCESSING_DOWNLOAD'))).toMatchObject({
      followEndedAt: null,
      userMessage: null,
    });
    // While still followed, a message already on the post stays.
    const followed = postRow({ localStatus: 'processing', userMessage: 'kept' });
    expect(statusUpdate(followed, said('PROCESSING_DOWNLOAD')).userMessage).toBe('kept');
  });
});

describe('statusUpdate: FAILED with each fail_reason → the catalogue’s code and message', () => {
  const reasons = Object.keys(TIKTOK_FAIL_REASONS);

  // That the catalogue covers every fail_reason of tiktok-api.md §6.3 is the contract's test
  // (packages/contract/test/tiktok-errors.test.ts); here each one maps onto the post.
  for (const reason of reasons) {
    it(`${reason}: failed, with its own message`, () => {
      const entry = TIKTOK_FAIL_REASONS[reason]!;
      const update = statusUpdate(
        postRow({ localStatus: 'processing' }),
        said('FAILED', { fail_reason: reason, logId: 'log-f' }),
      );
      expect(update).toMatchObject({
        localStatus: 'failed',
        tiktokStatus: 'FAILED',
        failReason: reason,
        errorCode: entry.errorCode,
        userMessage: entry.userMessage,
        tiktokLogId: 'log-f',
      });
      // A known reason is worded for itself, never as the unknown reason's fallback.
      expect(update.userMessage).not.toContain(`(${reason})`);
    });
  }

  it('an unknown reason fails the post with a message naming the reason', () => {
    const update = statusUpdate(
      postRow({ localStatus: 'processing' }),
      said('FAILED', { fail_reason: 'new_check_failed' }),
    );
    expect(update).toMatchObject({
      localStatus: 'failed',
      failReason: 'new_check_failed',
      errorCode: 'TIKTOK_REJECTED',
      userMessage: describeFailReason('new_check_failed').userMessage,
    });
    expect(update.userMessage).toContain('new_check_failed');
  });

  it('FAILED without a reason still fails the post with a message', () => {
    const update = statusUpdate(postRow({ localStatus: 'uploading' }), said('FAILED'));
    expect(update.localStatus).toBe('failed');
    expect(update.errorCode).toBe('TIKTOK_REJECTED');
    expect(update.userMessage).toMatch(/\.$/);
  });
});

describe('isSettled', () => {
  const cases = [
    { post: { localStatus: 'failed', tiktokStatus: 'PROCESSING_UPLOAD' }, settled: true },
    { post: { localStatus: 'processing', tiktokStatus: 'FAILED' }, settled: true },
    { post: { localStatus: 'published', tiktokStatus: 'SEND_TO_USER_INBOX' }, settled: true },
    {
      post: { localStatus: 'published', tiktokStatus: 'PUBLISH_COMPLETE', privacyLevel: 'SELF_ONLY' },
      settled: true,
    },
    {
      post: {
        localStatus: 'published',
        tiktokStatus: 'PUBLISH_COMPLETE',
        privacyLevel: 'PUBLIC_TO_EVERYONE',
      },
      settled: false,
    },
    {
      post: {
        localStatus: 'published',
        tiktokStatus: 'PUBLISH_COMPLETE',
        privacyLevel: 'PUBLIC_TO_EVERYONE',
        postIds: ['7234567890123456789'],
      },
      settled: true,
    },
    { post: { localStatus: 'processing', tiktokStatus: 'PROCESSING_DOWNLOAD' }, settled: false },
    { post: { localStatus: 'uploading', tiktokStatus: 'PROCESSING_UPLOAD' }, settled: false },
  ];
  for (const { post, settled } of cases) {
    const name = `${post.localStatus}/${post.tiktokStatus}${post.privacyLevel ? `/${post.privacyLevel}` : ''}${post.postIds ? ' with its post id' : ''}`;
    it(`${name} is ${settled ? '' : 'not '}settled`, () => {
      expect(isSettled(postRow(post))).toBe(settled);
    });
  }
});
