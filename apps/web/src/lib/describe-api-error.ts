/**
 * Words for a failed call to our API on any screen: what happened, and whether trying again can
 * help. (The publish screen has its own, richer mapping: field errors and TikTok's catalogue.)
 */
import { describeTikTokError, userMessageForStatus } from '@cliprelay/contract';
import { ApiError } from './api-error.ts';

export interface ErrorDescription {
  message: string;
  /** True when the same action may work if tried again (network, server, rate limit). */
  retryable: boolean;
}

export function describeApiError(error: unknown): ErrorDescription {
  if (!(error instanceof ApiError)) return { message: userMessageForStatus(500), retryable: true };
  if (error.tiktokCode) {
    const entry = describeTikTokError(error.tiktokCode);
    return { message: entry.userMessage, retryable: entry.retryable };
  }
  const retryable = error.status === 0 || error.status === 429 || error.status >= 500;
  if (error.code === 'ACCOUNT_NOT_FOUND' || error.code === 'NOT_FOUND') {
    return { message: 'This TikTok account is no longer connected.', retryable: false };
  }
  // Our API's own sentences are written for people; a bare status gets the seed's text.
  const own = typeof error.body?.message === 'string' ? error.body.message : null;
  if (own && error.status >= 400 && error.status < 500 && error.status !== 401) {
    return { message: own, retryable };
  }
  return { message: userMessageForStatus(error.status), retryable };
}

/** What went wrong when TikTok's consent round trip came back with an error, and what to do. */
