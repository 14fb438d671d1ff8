import type { PostSummary, PublishStatusData } from '@cliprelay/contract';
import { describe, expect, it } from 'vitest';
import { postSummary } from '../../../testing/fixtures.ts';
import { failureMessage, mayChange, postUrl, relativeTime, withStatus } from './post-display.ts';

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

describe('which posts the page asks TikTok about', () => {
  it('asks about posts still processing and public posts still waiting for their id', () => {
    expect(mayChange(post())).toBe(true);
    expect(mayChange(post({ publish_id: null, local_status: 'initializing' }))).toBe(false);
    expect(mayChange(post({ local_status: 'failed' }))).toBe(false);
    expect(mayChange(post({ local_status: 'published' }))).toBe(false);
    expect(mayChange(post({ local_status: 'published', privacy_level: 'PUBLIC_TO_EVERYONE' }))).toBe(true);
    expect(
      mayChange(post({ local_status: 'published', privacy_level: 'PUBLIC_TO_EVERYONE', post_ids: ['1'] })),
    ).toBe(false);
  });

  it('shows what TikTok answered over what the history recorded', () => {
    const status: PublishStatusData = {
      publish_id: 'v_pub_url~v2.1',
      status: 'PUBLISH_COMPLETE',
      fail_reason: null,
      post_ids: ['7234567890123456789'],
      uploaded_bytes: null,
      downloaded_bytes: 10,
      local_status: 'published',
      user_message: null,
    };
    const merged = withStatus(post(), status);
    expect(merged.local_status).toBe('published');
    expect(merged.tiktok_status).toBe('PUBLISH_COMPLETE');
    expect(postUrl(merged)).toBe('https://www.tiktok.com/@mia.moves/video/7234567890123456789');
    expect(postUrl({ ...merged, account_username: null })).toBeNull();
  });
});
