/**
 * The one place the web app words an error: a failed call to our API (ApiError, a lost
 * connection), an ErrorCode the API sent another way (the OAuth outcome in the URL), a post TikTok
 * failed (its `user_message` and `fail_reason`) or anything else thrown. The words come from the
 * contract's catalogues (ERROR_MESSAGES for our codes, TikTok's for its codes and fail reasons);
 * screens only map the result onto their fields and buttons.
 */
import {
  ERROR_MESSAGES,
  POST_FAILED_MESSAGE,
  SEED_MESSAGES,
  TIKTOK_ERRORS,
  UNREACHABLE_MESSAGE,
  describeFailReason,
  describeTikTokError,
  tiktokErrorTitle,
  type ErrorCode,
  type NextStep,
  type PublishStatusData,
} from '@cliprelay/contract';
import { ApiError } from './api-error.ts';

/**
 * What the user can do next, as the screens offer it:
 * - `retry`: try again now (the same request again);
 * - `retry_later`: the same, after a wait;
 * - `fix`: change something (in the form, the video, the TikTok account) first;
 * - `accounts`: the account is not connected: connect it on the Accounts screen;
 * - `reconnect`: the account needs a new consent on TikTok (on the Accounts screen);
 * - `none`: nothing the user can do here (our side, or signing in again).
 */
export type ErrorAction = 'retry' | 'retry_later' | 'fix' | 'accounts' | 'reconnect' | 'none';

export interface ErrorDescription {
  title: string;
  message: string;
  action: ErrorAction;
  /** True when the same action may work if tried again (`retry`, `retry_later`). */
  retryable: boolean;
  retryAfterSec: number | null;
  /** For support: our request id, when the API answered. */
  requestId: string | null;
  /** TikTok's code when its catalogue entry worded this (null when our code's entry did). */
  tiktokCode: string | null;
}

/** A post TikTok (or the upload before it) failed, as the API records it. */
export type PostFailure = Pick<PublishStatusData, 'user_message' | 'fail_reason'>;

const ACTION_OF_STEP: Record<NextStep, ErrorAction> = {
  fix_input: 'fix',
  retry: 'retry',
  retry_later: 'retry_later',
  reconnect: 'reconnect',
  connect: 'accounts',
  sign_in: 'none',
  contact_support: 'none',
  never: 'none',
};

/** Our codes that say more than the TikTok code they carry: their own entry words them. */
const OWN_WORDS_OVER_TIKTOK: ReadonlySet<string> = new Set<ErrorCode>([
  'ACCOUNT_NOT_FOUND',
  'ACCOUNT_RECONNECT_REQUIRED',
]);

const POST_FAILED_TITLE = 'TikTok could not publish this video';

/** What to show for `error` (see the file's comment for what it may be). */
export function describeApiError(error: unknown): ErrorDescription {
  if (typeof error === 'string' && Object.hasOwn(ERROR_MESSAGES, error)) {
    return fromCode(error as ErrorCode, null);
  }
  if (isPostFailure(error)) return fromPostFailure(error);
  if (!(error instanceof ApiError)) return fromCode('INTERNAL', null);

  const base = { retryAfterSec: error.retryAfterSec, requestId: error.requestId };
  if (error.status === 0) {
    return { ...describe('No connection', UNREACHABLE_MESSAGE, 'retry'), ...base };
  }
  // TikTok's own code (or, as the seed's SPA does, a known code found in the message).
  const tiktokCode = error.tiktokCode ?? knownTikTokCodeIn(error.message);
  // The seed's `publish_failed` pattern: a name of ours for a failed publish, not TikTok's code.
  if (!tiktokCode && /\bpublish_failed\b/.test(error.message)) {
    return { ...describe(POST_FAILED_TITLE, SEED_MESSAGES.publishFailed, 'retry'), ...base };
  }
  if (tiktokCode && !OWN_WORDS_OVER_TIKTOK.has(error.code)) {
    const entry = describeTikTokError(tiktokCode);
    const action = ACTION_OF_STEP[entry.retry];
    return { ...describe(tiktokErrorTitle(entry.retry), entry.userMessage, action), ...base, tiktokCode };
  }
  const code: ErrorCode = error.code === 'NETWORK' ? 'INTERNAL' : error.code;
  return { ...fromCode(code, apiMessageOf(error)), ...base };
}

/** "Some details need fixing: a; b." for validation messages no field of the screen shows. */
export function unplacedFieldsMessage(messages: readonly string[]): string {
  return messages.length > 0
    ? `Some details need fixing: ${messages.join('; ')}.`
    : ERROR_MESSAGES.VALIDATION_FAILED.userMessage;
}

function fromCode(code: ErrorCode, apiMessage: string | null): ErrorDescription {
  const entry = ERROR_MESSAGES[code];
  const message = entry.apiMessageShown && apiMessage ? apiMessage : entry.userMessage;
  return describe(entry.title, message, ACTION_OF_STEP[entry.next]);
}

function fromPostFailure(post: PostFailure): ErrorDescription {
  const entry = post.fail_reason ? describeFailReason(post.fail_reason) : null;
  return {
    ...describe(
      POST_FAILED_TITLE,
      post.user_message || entry?.userMessage || POST_FAILED_MESSAGE,
      entry ? ACTION_OF_STEP[entry.retry] : 'retry',
    ),
    tiktokCode: post.fail_reason,
  };
}

function describe(title: string, message: string, action: ErrorAction): ErrorDescription {
  return {
    title,
    message,
    action,
    retryable: action === 'retry' || action === 'retry_later',
    retryAfterSec: null,
    requestId: null,
    tiktokCode: null,
  };
}

function isPostFailure(value: unknown): value is PostFailure {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    'user_message' in value &&
    'fail_reason' in value
  );
}

/**
 * The message our API wrote for this error, if it did: a body's string `message`, or the message
 * the app gave an ApiError it built itself. Not the placeholder of an answer that was not ours
 * ("HTTP 502" from a proxy) nor a validation array (screens map those onto fields).
 */
function apiMessageOf(error: ApiError): string | null {
  if (error.body) return typeof error.body.message === 'string' ? error.body.message : null;
  return error.message && error.message !== `HTTP ${error.status}` ? error.message : null;
}

/** The seed's patterns: a TikTok code inside the message, for bodies without `tiktok`. */
function knownTikTokCodeIn(message: string): string | null {
  const words = message.match(/[a-z][a-z0-9_]+/g) ?? [];
  return words.find((w) => w.includes('_') && Object.hasOwn(TIKTOK_ERRORS, w)) ?? null;
}
