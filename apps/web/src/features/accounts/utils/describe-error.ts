/** Words for a failed call on the accounts screen: what happened, and whether trying again can help. */
import { describeTikTokError, userMessageForStatus, type ErrorCode } from '@cliprelay/contract';
import { ApiError } from '../../../lib/api-error.ts';

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
export function connectErrorMessage(code: ErrorCode): string {
  switch (code) {
    case 'OAUTH_DENIED':
      return "You didn't allow access on TikTok, so no account was connected. To publish, connect again and allow access.";
    case 'OAUTH_SCOPES_MISSING':
      return 'Cliprelay needs every permission it asks for on TikTok, including posting videos. Please connect again and allow every permission.';
    case 'OAUTH_STATE_INVALID':
      return 'This connection link expired or was already used. Please start again.';
    case 'TIKTOK_RATE_LIMITED':
      return userMessageForStatus(429);
    default:
      return 'We could not finish connecting your TikTok account. Please try again in a moment.';
  }
}
