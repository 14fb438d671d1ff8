/** Words for the outcomes of TikTok's consent on the accounts screen. */
import type { ErrorCode } from '@cliprelay/contract';
import { describeApiError } from '../../../lib/describe-api-error.ts';

/** Outcomes with words of their own; any other failure reads as a connect that did not finish. */
const OWN_WORDS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'OAUTH_DENIED',
  'OAUTH_SCOPES_MISSING',
  'OAUTH_STATE_INVALID',
  'OAUTH_BROWSER_MISMATCH',
  'TIKTOK_RATE_LIMITED',
]);

const NOT_FINISHED = 'We could not finish connecting your TikTok account. Please try again in a moment.';

export function connectErrorMessage(code: ErrorCode): string {
  return OWN_WORDS.has(code) ? describeApiError(code).message : NOT_FINISHED;
}
