import { ERROR_MESSAGES, ERROR_STATUS, type ApiErrorBody, type ErrorCode } from '@cliprelay/contract';
import { describe, expect, it } from 'vitest';
import { describePublishError } from '../features/publish/utils/describe-publish-error.ts';
import { ApiError } from './api-error.ts';
import { describeApiError } from './describe-api-error.ts';

/** An error answer of our API, as the API client turns it into an ApiError. */
function answer(code: ErrorCode, message: string, extra: Partial<ApiErrorBody> = {}): ApiError {
  const statusCode = ERROR_STATUS[code];
  return ApiError.fromResponse(
    statusCode,
    JSON.stringify({ statusCode, error: 'Error', message, code, requestId: 'req-1', ...extra }),
  );
}

describe('describeApiError', () => {
  it('words an account TikTok no longer accepts the same on the Accounts and the Publish screens', () => {
    const error = answer('ACCOUNT_RECONNECT_REQUIRED', 'anything (TikTok: access_token_invalid)', {
      tiktok: { code: 'access_token_invalid', logId: 'log-1' },
    });
    const sentence = ERROR_MESSAGES.ACCOUNT_RECONNECT_REQUIRED.userMessage;
    expect(describeApiError(error)).toMatchObject({
      message: sentence,
      action: 'reconnect',
      retryable: false,
    });
    expect(describePublishError(error)).toMatchObject({ message: sentence, action: 'reconnect' });
    // The account card and the publish page, which know only the account's status.
    expect(describeApiError('ACCOUNT_RECONNECT_REQUIRED').message).toBe(sentence);
  });

  it('words a TikTok code from TikTok’s catalogue, with its way forward', () => {
    const error = answer('TIKTOK_REJECTED', 'x (TikTok: spam_risk_too_many_posts)', {
      tiktok: { code: 'spam_risk_too_many_posts', logId: null },
      retryAfterSec: 60,
    });
    expect(describeApiError(error)).toMatchObject({
      title: 'Please wait a moment',
      message: "You've posted too many videos recently. Please wait and try again later.",
      action: 'retry_later',
      retryable: true,
      retryAfterSec: 60,
      requestId: 'req-1',
      tiktokCode: 'spam_risk_too_many_posts',
    });
  });

  it('shows the API’s own sentence for codes whose message says more, and the catalogue’s otherwise', () => {
    const wait = 'Too many requests: you can make 30 of these a minute. Try again in 12 seconds.';
    expect(describeApiError(answer('RATE_LIMITED', wait)).message).toBe(wait);
    expect(describeApiError(answer('INTERNAL', 'stack trace here')).message).toBe(
      ERROR_MESSAGES.INTERNAL.userMessage,
    );
  });

  it('never shows the placeholder of an answer that was not ours', () => {
    const proxy = ApiError.fromResponse(429, '<html>Too Many Requests</html>');
    expect(describeApiError(proxy).message).toBe(ERROR_MESSAGES.TIKTOK_RATE_LIMITED.userMessage);
    expect(describeApiError(ApiError.fromResponse(502, 'Bad Gateway'))).toMatchObject({
      message: 'Something went wrong. Please try again.',
      action: 'retry',
    });
  });

  it('words a lost connection and anything thrown that is not an ApiError', () => {
    expect(describeApiError(ApiError.network(new TypeError('Failed to fetch')))).toMatchObject({
      title: 'No connection',
      action: 'retry',
      retryable: true,
    });
    expect(describeApiError(new Error('boom')).message).toBe('Something went wrong. Please try again.');
  });

  it('words a failed post by its recorded message, else its fail_reason, else in general', () => {
    expect(describeApiError({ user_message: 'The upload was cancelled.', fail_reason: null }).message).toBe(
      'The upload was cancelled.',
    );
    expect(describeApiError({ user_message: null, fail_reason: 'auth_removed' })).toMatchObject({
      message: expect.stringMatching(/reconnect your account/) as unknown,
      action: 'reconnect',
    });
    expect(describeApiError({ user_message: null, fail_reason: null }).message).toBe(
      'Something went wrong while publishing this video. Please try again.',
    );
  });
});
