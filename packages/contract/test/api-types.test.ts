import { describe, expect, expectTypeOf, it } from 'vitest';

import {
  LOCAL_POST_STATUSES,
  oauthOutcomeParams,
  parseOAuthOutcome,
  SOCIAL_ACCOUNT_STATUSES,
  TIKTOK_CONNECT_QUERY,
  type ApiErrorBody,
  type ApiSuccess,
  type LocalPostStatus,
  type OAuthOutcome,
  type PublishStatusData,
  type SocialAccountStatus,
  type TikTokPublishStatus,
} from '../src/index.ts';

describe('the OAuth outcome query', () => {
  it('uses the agreed parameter names', () => {
    expect(TIKTOK_CONNECT_QUERY).toEqual({ outcome: 'tiktok_connect', code: 'code', account: 'account' });
  });

  it('writes and reads back a success', () => {
    const query = new URLSearchParams(oauthOutcomeParams({ tiktok_connect: 'success', account: 'acc_1' }));
    expect(query.toString()).toBe('tiktok_connect=success&account=acc_1');
    expect(parseOAuthOutcome(query)).toEqual({ tiktok_connect: 'success', account: 'acc_1' });
  });

  it('writes and reads back an error', () => {
    const query = new URLSearchParams(oauthOutcomeParams({ tiktok_connect: 'error', code: 'OAUTH_DENIED' }));
    expect(query.toString()).toBe('tiktok_connect=error&code=OAUTH_DENIED');
    expect(parseOAuthOutcome(query)).toEqual({ tiktok_connect: 'error', code: 'OAUTH_DENIED' });
  });

  it('reads an unknown or missing error code as INTERNAL', () => {
    expect(parseOAuthOutcome(new URLSearchParams('tiktok_connect=error&code=toString'))).toEqual({
      tiktok_connect: 'error',
      code: 'INTERNAL',
    });
    expect(parseOAuthOutcome(new URLSearchParams('tiktok_connect=error'))).toEqual({
      tiktok_connect: 'error',
      code: 'INTERNAL',
    });
  });

  it('returns null when the URL carries no outcome', () => {
    expect(parseOAuthOutcome(new URLSearchParams(''))).toBeNull();
    expect(parseOAuthOutcome(new URLSearchParams('tiktok_connect=maybe'))).toBeNull();
    expect(parseOAuthOutcome(new URLSearchParams('tiktok_connect=success'))).toBeNull();
  });
});

describe('the API types', () => {
  it('derive status unions from their lists', () => {
    expectTypeOf<(typeof LOCAL_POST_STATUSES)[number]>().toEqualTypeOf<LocalPostStatus>();
    expectTypeOf<LocalPostStatus>().toEqualTypeOf<
      'initializing' | 'uploading' | 'processing' | 'published' | 'failed'
    >();
    expectTypeOf<SocialAccountStatus>().toEqualTypeOf<'active' | 'reconnect_required'>();
    expect(LOCAL_POST_STATUSES).toEqual(['initializing', 'uploading', 'processing', 'published', 'failed']);
    expect(SOCIAL_ACCOUNT_STATUSES).toEqual(['active', 'reconnect_required']);
  });

  it('keep TikTok post ids as strings and accept unknown TikTok statuses', () => {
    expectTypeOf<PublishStatusData['post_ids']>().toEqualTypeOf<string[]>();
    expectTypeOf<'PROCESSING_TRANSCODING'>().toMatchTypeOf<TikTokPublishStatus>();
  });

  it('shape the envelopes as architecture.md §4 says', () => {
    const ok: ApiSuccess<{ n: number }> = { success: true, data: { n: 1 } };
    const error: ApiErrorBody = {
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'TikTok rate limit reached. Please try again in a few minutes. (rate_limit_exceeded)',
      code: 'TIKTOK_RATE_LIMITED',
      requestId: 'req-1',
      tiktok: { code: 'rate_limit_exceeded', logId: null },
      retryable: true,
      retryAfterSec: 60,
    };
    expect(ok.success).toBe(true);
    expect(error.code).toBe('TIKTOK_RATE_LIMITED');
    expectTypeOf<OAuthOutcome>().toHaveProperty('tiktok_connect');
  });
});
