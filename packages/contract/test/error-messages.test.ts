import { describe, expect, it } from 'vitest';

import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from '../src/error-codes.ts';
import {
  ERROR_MESSAGES,
  UPLOAD_FAILURE_MESSAGES,
  fileTooLargeMessage,
  messageFor,
  tiktokErrorTitle,
  unexpectedUploadAnswerMessage,
  type NextStep,
} from '../src/error-messages.ts';
import { MAX_VIDEO_BYTES } from '../src/limits.ts';
import {
  TIKTOK_ERRORS,
  TIKTOK_FAIL_REASONS,
  userMessageForStatus,
  type RetryClass,
} from '../src/tiktok-errors.ts';

const NEXT_STEPS: readonly NextStep[] = [
  'fix_input',
  'retry',
  'retry_later',
  'reconnect',
  'contact_support',
  'never',
  'connect',
  'sign_in',
];

/** Shown to people: a sentence, no code, no leftovers of a template. */
function checkMessage(message: string): void {
  expect(message.trim()).not.toBe('');
  expect(message).toMatch(/^[A-Z]/);
  expect(message).toMatch(/\.$/);
  expect(message).not.toMatch(/undefined|null|NaN|\[object|\$\{/);
  expect(message).not.toMatch(/\b[a-z]+(?:_[a-z]+)+\b/); // no snake_case identifier
  expect(message).not.toMatch(/\b[A-Z]+(?:_[A-Z]+)+\b/); // no ErrorCode
}

describe('the catalogue of our error codes', () => {
  it('has exactly one entry per ErrorCode', () => {
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(ERROR_CODES)('gives %s a title, a sentence and a way forward', (code) => {
    const entry = ERROR_MESSAGES[code];
    expect(entry.code).toBe(code);
    expect(entry.title.trim()).not.toBe('');
    expect(entry.title).not.toMatch(/\.$/);
    checkMessage(entry.userMessage);
    expect(NEXT_STEPS).toContain(entry.next);
    expect(typeof entry.apiMessageShown).toBe('boolean');
    expect(messageFor(code)).toBe(entry.userMessage);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(ERROR_MESSAGES)).toBe(true);
    expect(Object.isFrozen(ERROR_MESSAGES.FILE_TOO_LARGE)).toBe(true);
  });

  it('offers trying again for every server-side failure, and waiting for every rate limit', () => {
    const codesWithStatus = (test: (status: number) => boolean) =>
      ERROR_CODES.filter((code) => test(ERROR_STATUS[code]));
    for (const code of codesWithStatus((s) => s >= 500)) expect(ERROR_MESSAGES[code].next).toBe('retry');
    for (const code of codesWithStatus((s) => s === 429)) {
      expect(ERROR_MESSAGES[code].next).toBe('retry_later');
    }
  });

  it.each<[ErrorCode, NextStep]>([
    ['ACCOUNT_RECONNECT_REQUIRED', 'reconnect'],
    ['ACCOUNT_NOT_FOUND', 'connect'],
    ['UNAUTHENTICATED', 'sign_in'],
    ['FILE_TOO_LARGE', 'fix_input'],
    ['VALIDATION_FAILED', 'fix_input'],
    ['UPLOAD_FAILED', 'retry'],
  ])('sends %s the way of %s', (code, next) => {
    expect(ERROR_MESSAGES[code].next).toBe(next);
  });

  it('says one thing for an account TikTok no longer accepts, whichever code tells it', () => {
    const sentence = ERROR_MESSAGES.ACCOUNT_RECONNECT_REQUIRED.userMessage;
    expect(sentence).toMatch(/^TikTok no longer accepts this connection/);
    expect(sentence).toMatch(/Reconnect/);
    expect(TIKTOK_ERRORS.access_token_invalid?.userMessage).toBe(sentence);
  });

  it('shares its sentences with TikTok’s codes that mean the same', () => {
    expect(TIKTOK_ERRORS.privacy_level_option_mismatch?.userMessage).toBe(
      ERROR_MESSAGES.PRIVACY_LEVEL_NOT_ALLOWED.userMessage,
    );
    expect(TIKTOK_ERRORS.url_ownership_unverified?.userMessage).toBe(
      ERROR_MESSAGES.URL_NOT_VERIFIED.userMessage,
    );
    expect(TIKTOK_ERRORS.access_denied?.userMessage).toBe(ERROR_MESSAGES.OAUTH_DENIED.userMessage);
    expect(TIKTOK_FAIL_REASONS.file_format_check_failed?.userMessage).toBe(
      'TikTok could not process this video. Please check the format and try again.',
    );
  });

  it('is what userMessageForStatus says for a bare status', () => {
    expect(userMessageForStatus(401)).toBe(ERROR_MESSAGES.UNAUTHENTICATED.userMessage);
    expect(userMessageForStatus(404)).toBe(ERROR_MESSAGES.ACCOUNT_NOT_FOUND.userMessage);
    expect(userMessageForStatus(413)).toBe(ERROR_MESSAGES.FILE_TOO_LARGE.userMessage);
    expect(userMessageForStatus(429)).toBe(ERROR_MESSAGES.TIKTOK_RATE_LIMITED.userMessage);
    expect(userMessageForStatus(400)).toBe(ERROR_MESSAGES.VALIDATION_FAILED.userMessage);
    expect(userMessageForStatus(503)).toBe(ERROR_MESSAGES.INTERNAL.userMessage);
  });
});

describe('fileTooLargeMessage', () => {
  it('is the seed’s sentence for the 4 GB limit', () => {
    expect(fileTooLargeMessage()).toBe('Video file is too large. Maximum size is 4 GB.');
    expect(fileTooLargeMessage({ limitBytes: MAX_VIDEO_BYTES })).toBe(fileTooLargeMessage());
    expect(ERROR_MESSAGES.FILE_TOO_LARGE.userMessage).toBe(fileTooLargeMessage());
  });

  it('names another limit in the same words', () => {
    expect(fileTooLargeMessage({ limitBytes: 1024 * 1024 })).toBe(
      'Video file is too large. Maximum size is 1 MB.',
    );
  });

  it('starts with the file’s size when it is known', () => {
    expect(fileTooLargeMessage({ sizeBytes: 4.5 * 1024 ** 3 })).toBe(
      'This video is 4.5 GB. Video file is too large. Maximum size is 4 GB.',
    );
  });

  it('refuses a size that is not a byte count', () => {
    expect(() => fileTooLargeMessage({ sizeBytes: Number.NaN })).toThrow(RangeError);
  });
});

describe('why an upload to TikTok stopped', () => {
  it.each(Object.entries(UPLOAD_FAILURE_MESSAGES))('%s is a sentence for people', (_why, message) => {
    checkMessage(message);
  });

  it('is UPLOAD_FAILED’s sentence when nothing more precise is known', () => {
    expect(ERROR_MESSAGES.UPLOAD_FAILED.userMessage).toBe(UPLOAD_FAILURE_MESSAGES.notSent);
  });

  it('names the status of an answer the docs do not give', () => {
    const message = unexpectedUploadAnswerMessage(418);
    expect(message).toBe(
      'TikTok answered the upload unexpectedly (HTTP 418). Please start the upload again.',
    );
    checkMessage(message);
  });
});

describe('tiktokErrorTitle', () => {
  it.each<RetryClass>(['fix_input', 'retry', 'retry_later', 'reconnect', 'contact_support', 'never'])(
    'titles a %s failure',
    (retry) => {
      expect(tiktokErrorTitle(retry).trim()).not.toBe('');
    },
  );

  it('tells waiting, reconnecting and changing the post apart', () => {
    const titles = new Set(
      (['retry_later', 'reconnect', 'fix_input', 'retry'] as const).map((r) => tiktokErrorTitle(r)),
    );
    expect(titles.size).toBe(4);
    expect(tiktokErrorTitle('reconnect')).toBe(ERROR_MESSAGES.ACCOUNT_RECONNECT_REQUIRED.title);
  });
});
