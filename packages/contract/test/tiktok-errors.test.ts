import { describe, expect, it } from 'vitest';

import { ERROR_STATUS } from '../src/error-codes.ts';
import {
  describeFailReason,
  describeTikTokError,
  TIKTOK_ERRORS,
  TIKTOK_FAIL_REASONS,
  userMessageForStatus,
  type TikTokErrorEntry,
} from '../src/tiktok-errors.ts';

// Written from /work/shared/tiktok-api.md, not from the catalogue, so a missing entry fails.

/** Content API `error.code` values, tiktok-api.md §8 (with §2.1–§2.7, §3.1). `ok` is not an error. */
const CONTENT_API_CODES = [
  'invalid_param', // §2.2 (docs)
  'invalid_params', // §2.2, §8 (real responses)
  'app_version_check_failed', // §2.7
  'invalid_publish_id', // §2.4, §2.5
  'token_not_authorized_for_specified_publish_id', // §2.4, §2.5
  'publish_not_cancellable', // §2.5
  'invalid_file_upload', // §8 (global list)
  'scope_permission_missed', // §3.1, §8
  'spam_risk_too_many_posts', // §2.1, §2.2
  'spam_risk_user_banned_from_posting', // §2.1, §2.2
  'spam_risk_too_many_pending_share', // §2.6
  'reached_active_user_cap', // §2.1, §2.2
  'unaudited_client_can_only_post_to_private_accounts', // §2.2, §6.2
  'url_ownership_unverified', // §2.2, §5
  'privacy_level_option_mismatch', // §2.2
  'access_token_invalid', // §2.2, §8
  'scope_not_authorized', // §2.2, §8
  'rate_limit_exceeded', // §2.2, §10
  'internal_error', // §2.4, §8
];

/** OAuth `error` values, tiktok-api.md §7.6. */
const OAUTH_ERRORS = [
  'access_denied',
  'invalid_client',
  'invalid_grant',
  'invalid_request',
  'invalid_scope',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'server_error',
  'temporarily_unavailable',
];

/** `fail_reason` values, tiktok-api.md §6.3. */
const FAIL_REASONS = [
  'file_format_check_failed',
  'duration_check_failed',
  'frame_rate_check_failed',
  'picture_size_check_failed',
  'internal',
  'video_pull_failed',
  'photo_pull_failed',
  'publish_cancelled',
  'auth_removed',
  'spam_risk_too_many_posts',
  'spam_risk_user_banned_from_posting',
  'spam_risk_text',
  'spam_risk',
];

/** Every code string a message must not contain (plus the seed's `publish_failed` pattern). */
const ALL_CODES = [...new Set([...CONTENT_API_CODES, ...OAUTH_ERRORS, ...FAIL_REASONS, 'publish_failed'])];

/** The seed's §6 texts, copied from seed/frontend-integration-guide.md. */
const SEED = {
  spam_risk_too_many_posts: "You've posted too many videos recently. Please wait and try again later.",
  scope_not_authorized:
    "Your TikTok account doesn't have permission for this action. Please reconnect your account.",
  rate_limit_exceeded: 'TikTok rate limit reached. Please try again in a few minutes.',
  publish_failed: 'TikTok could not process this video. Please check the format and try again.',
  413: 'Video file is too large. Maximum size is 4 GB.',
  404: 'TikTok account not connected. Connect it again in account settings.',
  500: 'Something went wrong. Please try again.',
};

const errorEntries = Object.values(TIKTOK_ERRORS);
const failEntries = Object.values(TIKTOK_FAIL_REASONS);

function checkMessage(message: string): void {
  expect(message.trim()).not.toBe('');
  expect(message).toMatch(/\.$/);
  expect(message).not.toMatch(/undefined|null|NaN|\[object/);
  for (const code of ALL_CODES) expect(message.toLowerCase()).not.toContain(code);
  expect(message).not.toMatch(/\b[a-z]+(?:_[a-z]+)+\b/); // no snake_case identifier at all
}

describe('the TikTok error catalogue', () => {
  it.each(CONTENT_API_CODES)('has an entry for error.code %s (§8)', (code) => {
    expect(TIKTOK_ERRORS[code]?.code).toBe(code);
  });

  it.each(OAUTH_ERRORS)('has an entry for OAuth error %s (§7.6)', (code) => {
    expect(TIKTOK_ERRORS[code]?.code).toBe(code);
  });

  it.each(FAIL_REASONS)('has an entry for fail_reason %s (§6.3)', (reason) => {
    expect(TIKTOK_FAIL_REASONS[reason]?.code).toBe(reason);
  });

  it('holds nothing the docs do not list', () => {
    expect(Object.keys(TIKTOK_ERRORS).sort()).toEqual([...CONTENT_API_CODES, ...OAUTH_ERRORS].sort());
    expect(Object.keys(TIKTOK_FAIL_REASONS).sort()).toEqual([...FAIL_REASONS].sort());
  });

  it.each([...errorEntries, ...failEntries].map((e) => [e.code, e] as const))(
    'entry %s is well formed',
    (_code, entry: TikTokErrorEntry) => {
      expect(Object.keys(ERROR_STATUS)).toContain(entry.errorCode);
      expect(entry.retryable).toBe(entry.retry === 'retry' || entry.retry === 'retry_later');
      expect(entry.source).toMatch(/^tiktok-api\.md §\d/);
      checkMessage(entry.userMessage);
    },
  );

  it('is frozen and has no prototype keys', () => {
    expect(Object.isFrozen(TIKTOK_ERRORS)).toBe(true);
    expect(Object.isFrozen(TIKTOK_ERRORS.rate_limit_exceeded)).toBe(true);
    expect('constructor' in TIKTOK_ERRORS).toBe(false);
    expect('toString' in TIKTOK_FAIL_REASONS).toBe(false);
  });

  it("uses the seed's §6 texts verbatim", () => {
    expect(TIKTOK_ERRORS.spam_risk_too_many_posts?.userMessage).toBe(SEED.spam_risk_too_many_posts);
    expect(TIKTOK_FAIL_REASONS.spam_risk_too_many_posts?.userMessage).toBe(SEED.spam_risk_too_many_posts);
    expect(TIKTOK_ERRORS.scope_not_authorized?.userMessage).toBe(SEED.scope_not_authorized);
    expect(TIKTOK_ERRORS.rate_limit_exceeded?.userMessage).toBe(SEED.rate_limit_exceeded);
    expect(TIKTOK_FAIL_REASONS.file_format_check_failed?.userMessage).toBe(SEED.publish_failed);
  });

  it("follows the seed's retryability (§6)", () => {
    expect(TIKTOK_ERRORS.spam_risk_too_many_posts?.retryable).toBe(true);
    expect(TIKTOK_ERRORS.rate_limit_exceeded?.retryable).toBe(true);
    expect(TIKTOK_ERRORS.scope_not_authorized).toMatchObject({ retryable: false, retry: 'reconnect' });
  });

  it.each([
    ['rate_limit_exceeded', 'TIKTOK_RATE_LIMITED', 'retry_later'],
    ['access_token_invalid', 'ACCOUNT_RECONNECT_REQUIRED', 'reconnect'],
    ['invalid_grant', 'ACCOUNT_RECONNECT_REQUIRED', 'reconnect'],
    ['internal_error', 'TIKTOK_UNAVAILABLE', 'retry'],
    ['server_error', 'TIKTOK_UNAVAILABLE', 'retry'],
    ['temporarily_unavailable', 'TIKTOK_UNAVAILABLE', 'retry_later'],
    ['invalid_client', 'TIKTOK_UNAVAILABLE', 'contact_support'],
    ['unauthorized_client', 'TIKTOK_UNAVAILABLE', 'contact_support'],
    ['unsupported_grant_type', 'TIKTOK_UNAVAILABLE', 'contact_support'],
    ['unsupported_response_type', 'TIKTOK_UNAVAILABLE', 'contact_support'],
    ['url_ownership_unverified', 'URL_NOT_VERIFIED', 'fix_input'],
    ['privacy_level_option_mismatch', 'PRIVACY_LEVEL_NOT_ALLOWED', 'fix_input'],
    ['access_denied', 'OAUTH_DENIED', 'reconnect'],
    ['invalid_scope', 'TIKTOK_REJECTED', 'reconnect'],
    ['scope_not_authorized', 'TIKTOK_REJECTED', 'reconnect'],
    ['scope_permission_missed', 'TIKTOK_REJECTED', 'reconnect'],
    ['spam_risk_too_many_posts', 'TIKTOK_REJECTED', 'retry_later'],
    ['reached_active_user_cap', 'TIKTOK_REJECTED', 'retry_later'],
    ['unaudited_client_can_only_post_to_private_accounts', 'TIKTOK_REJECTED', 'fix_input'],
  ])('maps error %s to %s (%s)', (code, errorCode, retry) => {
    expect(describeTikTokError(code)).toMatchObject({ code, errorCode, retry });
  });

  it.each([
    ['internal', 'TIKTOK_UNAVAILABLE', 'retry'],
    ['auth_removed', 'ACCOUNT_RECONNECT_REQUIRED', 'reconnect'],
    ['video_pull_failed', 'TIKTOK_REJECTED', 'retry'],
    ['duration_check_failed', 'TIKTOK_REJECTED', 'fix_input'],
    ['publish_cancelled', 'TIKTOK_REJECTED', 'never'],
  ])('maps fail_reason %s to %s (%s)', (reason, errorCode, retry) => {
    expect(describeFailReason(reason)).toMatchObject({ code: reason, errorCode, retry });
  });

  it('tells the user to contact support, not to fix input, when the app is misconfigured', () => {
    for (const code of ['invalid_client', 'unauthorized_client', 'unsupported_grant_type']) {
      expect(describeTikTokError(code).userMessage).toMatch(/misconfigured.*contact support/);
    }
  });

  it('never blames the user for a malformed request of ours', () => {
    for (const code of ['invalid_param', 'invalid_params', 'invalid_request']) {
      expect(describeTikTokError(code)).toMatchObject({ retry: 'contact_support', retryable: false });
      expect(describeTikTokError(code).userMessage).toMatch(/our side/);
    }
  });
});

describe('describeTikTokError', () => {
  it('returns the catalogue entry for a known code', () => {
    expect(describeTikTokError('rate_limit_exceeded')).toBe(TIKTOK_ERRORS.rate_limit_exceeded);
  });

  it('falls back to a retryable TIKTOK_UNAVAILABLE entry that names an unknown code', () => {
    const entry = describeTikTokError('brand_new_failure');
    expect(entry).toMatchObject({
      code: 'brand_new_failure',
      errorCode: 'TIKTOK_UNAVAILABLE',
      retry: 'retry',
      retryable: true,
    });
    checkMessage(entry.userMessage);
    expect(entry.userMessage).not.toContain('brand_new_failure');
  });

  it('does not mistake prototype keys for codes', () => {
    expect(describeTikTokError('constructor').errorCode).toBe('TIKTOK_UNAVAILABLE');
    expect(describeTikTokError('__proto__').code).toBe('__proto__');
  });

  it('does not treat a fail_reason as an error code', () => {
    expect(describeTikTokError('internal').source).toBe('not in tiktok-api.md');
  });
});

describe('describeFailReason', () => {
  it('returns the catalogue entry for a known reason', () => {
    expect(describeFailReason('internal')).toBe(TIKTOK_FAIL_REASONS.internal);
  });

  it('names an unknown reason in a generic message', () => {
    const entry = describeFailReason('codec_check_failed');
    expect(entry).toMatchObject({ code: 'codec_check_failed', errorCode: 'TIKTOK_REJECTED' });
    expect(entry.userMessage).toBe(
      'TikTok could not publish this video (codec_check_failed). Please check the video and try again.',
    );
  });

  it('keeps the generic message tidy for an empty or odd reason', () => {
    expect(describeFailReason('').userMessage).toBe(
      'TikTok could not publish this video. Please check the video and try again.',
    );
    const long = describeFailReason(`x\n${'y'.repeat(500)}`).userMessage;
    expect(long).not.toContain('\n');
    expect(long.length).toBeLessThan(150);
  });
});

describe('userMessageForStatus', () => {
  it("gives the seed's texts", () => {
    expect(userMessageForStatus(413)).toBe(SEED[413]);
    expect(userMessageForStatus(404)).toBe(SEED[404]);
    expect(userMessageForStatus(500)).toBe(SEED[500]);
    expect(userMessageForStatus(429)).toBe(SEED.rate_limit_exceeded);
  });

  it('says the session expired on 401', () => {
    expect(userMessageForStatus(401)).toMatch(/session has expired.*sign in/i);
  });

  it.each([0, 400, 401, 404, 409, 413, 429, 500, 502, 503, 504, 599])(
    'has a clean message for %i',
    (status) => {
      checkMessage(userMessageForStatus(status));
    },
  );

  it('treats every 5xx as the generic failure', () => {
    expect(userMessageForStatus(503)).toBe(SEED[500]);
  });
});
