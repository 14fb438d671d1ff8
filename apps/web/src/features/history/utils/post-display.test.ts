import type { PostSummary } from '@cliprelay/contract';
import { describe, expect, it } from 'vitest';
import { postSummary } from '../../../testing/fixtures.ts';
import {
  attemptFailure,
  attemptsSummary,
  failureMessage,
  mayChange,
  postTitle,
  postUrl,
  relativeTime,
  retryDraft,
  statusLook,
} from './post-display.ts';

const NOW = Date.parse('2025-06-03T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000);

/** A library post still processing, posted a minute before NOW. */
function post(overrides: Partial<PostSummary> = {}): PostSummary {
  return postSummary({
    id: 'p1',
    social_account_id: 'a1',
    source_type: 'PULL_FROM_URL',
    title: 'Clip',
    privacy_level: 'SELF_ONLY',
    video_url: 'https://cdn.example/v.mp4',
    file_name: null,
    video_size: null,
    publish_id: 'v_pub_url~v2.1',
    local_status: 'processing',
    tiktok_status: 'PROCESSING_DOWNLOAD',
    post_ids: [],
    created_at: ago(60).toISOString(),
    updated_at: ago(60).toISOString(),
    ...overrides,
  });
}

describe('relativeTime', () => {
  it.each([
    [10, 'just now'],
    [50, '1 minute ago'],
    [5 * 60, '5 minutes ago'],
    [90 * 60, '1 hour ago'],
    [26 * 3600, 'yesterday'],
    [3 * 24 * 3600, '3 days ago'],
    [15 * 24 * 3600, '2 weeks ago'],
    [45 * 24 * 3600, 'last month'],
    [400 * 24 * 3600, 'last year'],
  ])('words %i seconds ago as "%s"', (seconds, words) => {
    expect(relativeTime(ago(seconds), NOW)).toBe(words);
  });
});

describe('failureMessage', () => {
  it('prefers the message our API recorded', () => {
    expect(failureMessage({ user_message: 'The upload was cancelled.', fail_reason: 'internal' })).toBe(
      'The upload was cancelled.',
    );
  });

  it('words a bare fail_reason from TikTok’s catalogue, unknown ones included', () => {
    expect(failureMessage({ user_message: null, fail_reason: 'duration_check_failed' })).toMatch(
      /because of its length/,
    );
    expect(failureMessage({ user_message: null, fail_reason: 'brand_new_reason' })).toBe(
      'TikTok could not publish this video (brand_new_reason). Please check the video and try again.',
    );
  });
});

describe('which posts the history reads again', () => {
  it('posts on their way, and public posts still waiting for their id within a day', () => {
    const fresh = { created_at: ago(60).toISOString() };
    expect(mayChange(post(fresh), NOW)).toBe(true);
    expect(mayChange(post({ ...fresh, publish_id: null, local_status: 'initializing' }), NOW)).toBe(true);
    expect(mayChange(post({ ...fresh, local_status: 'failed' }), NOW)).toBe(false);
    expect(mayChange(post({ ...fresh, local_status: 'published' }), NOW)).toBe(false);
    const awaitingId = { ...fresh, local_status: 'published', privacy_level: 'PUBLIC_TO_EVERYONE' } as const;
    expect(mayChange(post(awaitingId), NOW)).toBe(true);
    expect(mayChange(post({ ...awaitingId, post_ids: ['1'] }), NOW)).toBe(false);
    expect(mayChange(post({ ...awaitingId, created_at: ago(2 * 86_400).toISOString() }), NOW)).toBe(false);
  });

  it('not a post TikTok never confirmed: the server stopped asking', () => {
    expect(mayChange(post({ unconfirmed: true, local_status: 'processing' }), NOW)).toBe(false);
    expect(statusLook(post({ unconfirmed: true })).label).toBe('Not confirmed');
  });

  it('links a public post once it has its id and the account its username', () => {
    const published = post({ local_status: 'published', post_ids: ['7234567890123456789'] });
    expect(postUrl(published)).toBe('https://www.tiktok.com/@mia.moves/video/7234567890123456789');
    expect(postUrl({ ...published, account_username: null })).toBeNull();
  });
});

describe('a submit tried more than once', () => {
  const attempt = (user_message: string | null) => ({
    id: 'a',
    publish_id: null,
    local_status: 'failed' as const,
    error_code: 'TIKTOK_REJECTED',
    user_message,
    created_at: ago(120).toISOString(),
  });

  it('says how many tries it took', () => {
    expect(attemptsSummary(post())).toBeNull();
    expect(attemptsSummary(post({ earlier_attempts: [attempt('x')] }))).toBe(
      'Tried 2 times: the first attempt failed.',
    );
    expect(attemptsSummary(post({ earlier_attempts: [attempt('x'), attempt('y')] }))).toBe(
      'Tried 3 times: the first 2 attempts failed.',
    );
  });

  it('words an attempt’s failure', () => {
    expect(attemptFailure(attempt('TikTok said no.'))).toBe('TikTok said no.');
    expect(attemptFailure(attempt(null))).toBe('This attempt did not reach TikTok.');
  });
});

describe('postTitle', () => {
  it('is the caption; without one, the video’s name; without that, “No caption”', () => {
    expect(postTitle(post({ title: ' Clip ' }))).toBe('Clip');
    expect(postTitle(post({ title: '', video_url: 'https://cdn.example/videos/sunset%20beach.mp4' }))).toBe(
      'sunset beach.mp4',
    );
    expect(
      postTitle(post({ title: '', source_type: 'FILE_UPLOAD', file_name: 'dance.mp4', video_url: null })),
    ).toBe('dance.mp4');
    expect(postTitle(post({ title: '  ', video_url: null, file_name: null }))).toBe('No caption');
  });
});

describe('retryDraft', () => {
  it('carries the post’s account, source, video and every setting', () => {
    const draft = retryDraft(post({ disable_comment: false, is_aigc: true }));
    expect(draft).toEqual({
      socialAccountId: 'a1',
      source: 'PULL_FROM_URL',
      videoUrl: 'https://cdn.example/v.mp4',
      fileName: null,
      settings: expect.objectContaining({
        title: 'Clip',
        privacy_level: 'SELF_ONLY',
        disable_comment: false,
        is_aigc: true,
      }) as unknown,
    });
  });
});
