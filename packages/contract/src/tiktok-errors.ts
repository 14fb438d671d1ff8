/**
 * The catalogue of TikTok's error codes and fail reasons: for each, our ErrorCode (hence the HTTP
 * status), what kind of retry can help, and the text a user sees. The API builds its error bodies
 * and post rows from it; the web app words what it shows with it. Sentences that our own codes
 * say too come from error-messages.ts, the catalogue of our ErrorCodes.
 *
 * Messages are plain, say what to do next, and never blame the user for our own mistakes. They
 * carry no TikTok code: the API appends TikTok's code to the `message` it sends (seed §6), and
 * keeps it in `tiktok.code`.
 */
import type { ErrorCode } from './error-codes.ts';
import {
  ERROR_MESSAGES,
  OAUTH_DENIED_MESSAGE,
  PRIVACY_NOT_ALLOWED_MESSAGE,
  SEED_MESSAGES,
  UNREACHABLE_MESSAGE,
  URL_NOT_VERIFIED_MESSAGE,
  fileTooLargeMessage,
} from './error-messages.ts';

/**
 * What can make a failed action succeed:
 * - `fix_input`: the user changes something (the video, a setting, their TikTok account) and tries again;
 * - `retry`: a passing failure; trying again now may work;
 * - `retry_later`: a limit was hit; the same request works after a wait;
 * - `reconnect`: the user must connect the TikTok account again (new consent);
 * - `contact_support`: our configuration or code is at fault; nothing the user does will help;
 * - `never`: final; the same action will not succeed.
 */
export type RetryClass = 'fix_input' | 'retry' | 'retry_later' | 'reconnect' | 'contact_support' | 'never';

export interface TikTokErrorEntry {
  /** TikTok's `error.code`, OAuth `error`, or `fail_reason`, exactly as TikTok sends it. */
  code: string;
  /** Ours; `ERROR_STATUS[errorCode]` is the HTTP status the API answers with. */
  errorCode: ErrorCode;
  retry: RetryClass;
  /** The body's `retryable`: true exactly when the same request may succeed later (`retry`, `retry_later`). */
  retryable: boolean;
  /** Shown to the user. Ends with a period; names no TikTok code. */
  userMessage: string;
  /** Where the code is documented, e.g. `tiktok-api.md §2.2`. */
  source: string;
}

/** The seed's §6 texts, verbatim. */
const SEED_TOO_MANY_POSTS = SEED_MESSAGES.tooManyPosts;
const SEED_SCOPE_NOT_AUTHORIZED = SEED_MESSAGES.scopeNotAuthorized;
const SEED_RATE_LIMIT = SEED_MESSAGES.rateLimit;
const SEED_PUBLISH_FAILED = SEED_MESSAGES.publishFailed;

/** Our request was wrong (a bug of ours or a TikTok change): the user cannot fix it. */
const OUR_REQUEST_REJECTED =
  'TikTok did not accept the request we sent. This is a problem on our side; please contact support.';
/** The app's TikTok credentials or registration are wrong: only the operator can fix it. */
const APP_MISCONFIGURED = "This app's connection to TikTok is misconfigured. Please contact support.";
const TIKTOK_TROUBLE = 'TikTok ran into a problem. Please try again.';
const MORE_PERMISSIONS =
  "TikTok didn't grant all the permissions this app needs. Please reconnect your account and allow every permission.";
const BANNED =
  'TikTok is not allowing this account to post right now. Please check your account in the TikTok app.';

function entry(
  code: string,
  errorCode: ErrorCode,
  retry: RetryClass,
  userMessage: string,
  section: string,
): TikTokErrorEntry {
  return {
    code,
    errorCode,
    retry,
    retryable: retry === 'retry' || retry === 'retry_later',
    userMessage,
    source: `tiktok-api.md ${section}`,
  };
}

/** A frozen lookup keyed by code, without a prototype (so `constructor` is not a code). */
function catalogue(entries: readonly TikTokErrorEntry[]): Readonly<Record<string, TikTokErrorEntry>> {
  const byCode = Object.create(null) as Record<string, TikTokErrorEntry>;
  for (const e of entries) {
    if (Object.hasOwn(byCode, e.code)) throw new Error(`Duplicate TikTok code in the catalogue: ${e.code}`);
    byCode[e.code] = Object.freeze(e);
  }
  return Object.freeze(byCode);
}

/** TikTok's `error.code` (Content Posting and user info, tiktok-api.md §8) and OAuth `error` (§7.6). */
export const TIKTOK_ERRORS: Readonly<Record<string, TikTokErrorEntry>> = catalogue([
  // Content API codes, §2 and §8.
  // The docs write invalid_param, real responses invalid_params; both mean our request was malformed
  // (e.g. "The chunk size is invalid") since the API validates user input before calling TikTok.
  entry('invalid_param', 'TIKTOK_UNAVAILABLE', 'contact_support', OUR_REQUEST_REJECTED, '§2.2'),
  entry('invalid_params', 'TIKTOK_UNAVAILABLE', 'contact_support', OUR_REQUEST_REJECTED, '§2.2, §8'),
  entry(
    'app_version_check_failed',
    'TIKTOK_REJECTED',
    'fix_input',
    'Your TikTok app needs an update for this. Please update the TikTok app on your phone and try again.',
    '§2.7',
  ),
  entry(
    'invalid_publish_id',
    'TIKTOK_REJECTED',
    'never',
    'TikTok has no record of this post. Please publish the video again.',
    '§2.4',
  ),
  entry(
    'token_not_authorized_for_specified_publish_id',
    'TIKTOK_REJECTED',
    'never',
    "TikTok won't share this post with the connected account. Please check the post in the TikTok app.",
    '§2.4',
  ),
  entry(
    'publish_not_cancellable',
    'TIKTOK_REJECTED',
    'never',
    'TikTok is already too far along with this post to cancel it. Please check its status in a moment.',
    '§2.5',
  ),
  entry('invalid_file_upload', 'TIKTOK_REJECTED', 'fix_input', SEED_PUBLISH_FAILED, '§8'),
  entry('scope_permission_missed', 'TIKTOK_REJECTED', 'reconnect', MORE_PERMISSIONS, '§3.1, §8'),
  entry(
    'spam_risk_too_many_posts',
    'TIKTOK_REJECTED',
    'retry_later',
    SEED_TOO_MANY_POSTS,
    '§2.1, §2.2, §6.2',
  ),
  entry('spam_risk_user_banned_from_posting', 'TIKTOK_REJECTED', 'never', BANNED, '§2.1, §2.2'),
  entry(
    'spam_risk_too_many_pending_share',
    'TIKTOK_REJECTED',
    'retry_later',
    'Too many videos are waiting in your TikTok inbox. Please post or delete them in the TikTok app, then try again.',
    '§2.6',
  ),
  // A per-app daily cap: the user did nothing wrong and can only wait.
  entry(
    'reached_active_user_cap',
    'TIKTOK_REJECTED',
    'retry_later',
    "TikTok's daily limit of people posting through this app has been reached. Please try again tomorrow.",
    '§2.2, §6.2',
  ),
  // Happens even with SELF_ONLY when the account is public; the fix is the account's setting (§6.2).
  entry(
    'unaudited_client_can_only_post_to_private_accounts',
    'TIKTOK_REJECTED',
    'fix_input',
    'For now this app can only post to private TikTok accounts. Please make your account private in the TikTok app and try again.',
    '§2.2, §6.2',
  ),
  entry('url_ownership_unverified', 'URL_NOT_VERIFIED', 'fix_input', URL_NOT_VERIFIED_MESSAGE, '§2.2, §5'),
  entry(
    'privacy_level_option_mismatch',
    'PRIVACY_LEVEL_NOT_ALLOWED',
    'fix_input',
    PRIVACY_NOT_ALLOWED_MESSAGE,
    '§2.2',
  ),
  // Reaches the user only after the API's one refresh-and-retry failed (architecture.md §5).
  entry(
    'access_token_invalid',
    'ACCOUNT_RECONNECT_REQUIRED',
    'reconnect',
    ERROR_MESSAGES.ACCOUNT_RECONNECT_REQUIRED.userMessage,
    '§2.2, §8',
  ),
  entry('scope_not_authorized', 'TIKTOK_REJECTED', 'reconnect', SEED_SCOPE_NOT_AUTHORIZED, '§2.1, §2.2, §8'),
  entry('rate_limit_exceeded', 'TIKTOK_RATE_LIMITED', 'retry_later', SEED_RATE_LIMIT, '§2.2, §10'),
  entry('internal_error', 'TIKTOK_UNAVAILABLE', 'retry', TIKTOK_TROUBLE, '§2.4, §8'),

  // OAuth `error` values, §7.6.
  entry('access_denied', 'OAUTH_DENIED', 'reconnect', OAUTH_DENIED_MESSAGE, '§7.6'),
  entry('invalid_client', 'TIKTOK_UNAVAILABLE', 'contact_support', APP_MISCONFIGURED, '§7.6'),
  // A used, expired or revoked code or refresh token: a new consent fixes it.
  entry(
    'invalid_grant',
    'ACCOUNT_RECONNECT_REQUIRED',
    'reconnect',
    'Your TikTok authorization has expired or was removed. Please reconnect your account.',
    '§7.3, §7.6',
  ),
  // e.g. a redirect_uri that does not match: our request, not the user's doing.
  entry('invalid_request', 'TIKTOK_UNAVAILABLE', 'contact_support', OUR_REQUEST_REJECTED, '§7.2, §7.6'),
  entry('invalid_scope', 'TIKTOK_REJECTED', 'reconnect', MORE_PERMISSIONS, '§7.6'),
  entry('unauthorized_client', 'TIKTOK_UNAVAILABLE', 'contact_support', APP_MISCONFIGURED, '§7.6'),
  entry('unsupported_grant_type', 'TIKTOK_UNAVAILABLE', 'contact_support', APP_MISCONFIGURED, '§7.6'),
  entry('unsupported_response_type', 'TIKTOK_UNAVAILABLE', 'contact_support', APP_MISCONFIGURED, '§7.6'),
  entry('server_error', 'TIKTOK_UNAVAILABLE', 'retry', TIKTOK_TROUBLE, '§7.6'),
  entry(
    'temporarily_unavailable',
    'TIKTOK_UNAVAILABLE',
    'retry_later',
    'TikTok is temporarily unavailable. Please try again in a few minutes.',
    '§7.6',
  ),
]);

/** TikTok's `fail_reason` of a FAILED publish (status fetch and the failed-post webhook), §6.3. */
export const TIKTOK_FAIL_REASONS: Readonly<Record<string, TikTokErrorEntry>> = catalogue([
  entry('file_format_check_failed', 'TIKTOK_REJECTED', 'fix_input', SEED_PUBLISH_FAILED, '§6.3'),
  entry(
    'duration_check_failed',
    'TIKTOK_REJECTED',
    'fix_input',
    "TikTok could not process this video because of its length. Please trim it to this account's maximum duration and try again.",
    '§4.2, §6.3',
  ),
  entry(
    'frame_rate_check_failed',
    'TIKTOK_REJECTED',
    'fix_input',
    'TikTok could not process this video because of its frame rate. Please export it at 23 to 60 frames per second and try again.',
    '§4.2, §6.3',
  ),
  entry(
    'picture_size_check_failed',
    'TIKTOK_REJECTED',
    'fix_input',
    'TikTok could not process this video because of its resolution. Please use a video from 360 to 4096 pixels wide and high, and try again.',
    '§4.2, §6.3',
  ),
  entry(
    'internal',
    'TIKTOK_UNAVAILABLE',
    'retry',
    'TikTok ran into a problem while processing this video. Please try again.',
    '§6.3',
  ),
  entry(
    'video_pull_failed',
    'TIKTOK_REJECTED',
    'retry',
    'TikTok could not download the video from its web address. Please check that the link works and try again, or upload the file from your device.',
    '§5, §6.3',
  ),
  entry(
    'photo_pull_failed',
    'TIKTOK_REJECTED',
    'retry',
    'TikTok could not download the photos from their web addresses. Please check that the links work and try again.',
    '§6.3',
  ),
  entry(
    'publish_cancelled',
    'TIKTOK_REJECTED',
    'never',
    'This post was cancelled before TikTok published it. Publish it again if you still want it on TikTok.',
    '§2.5, §6.3',
  ),
  entry(
    'auth_removed',
    'ACCOUNT_RECONNECT_REQUIRED',
    'reconnect',
    'Access to your TikTok account was removed while the video was processing. Please reconnect your account and publish again.',
    '§6.3',
  ),
  entry('spam_risk_too_many_posts', 'TIKTOK_REJECTED', 'retry_later', SEED_TOO_MANY_POSTS, '§6.3'),
  entry('spam_risk_user_banned_from_posting', 'TIKTOK_REJECTED', 'never', BANNED, '§6.3'),
  entry(
    'spam_risk_text',
    'TIKTOK_REJECTED',
    'fix_input',
    "TikTok flagged this post's caption. Please change the caption and try again.",
    '§6.3',
  ),
  entry(
    'spam_risk',
    'TIKTOK_REJECTED',
    'never',
    "TikTok's safety checks stopped this post. Please review it against TikTok's Community Guidelines before posting again.",
    '§6.3',
  ),
]);

const UNKNOWN_SOURCE = 'not in tiktok-api.md';

/**
 * The entry for TikTok's `error.code` or OAuth `error`. An unknown code gets a generic entry that
 * still carries the code: TikTok failed in a way we do not know, so it is TIKTOK_UNAVAILABLE and
 * worth retrying.
 */
export function describeTikTokError(code: string): TikTokErrorEntry {
  if (Object.hasOwn(TIKTOK_ERRORS, code)) return TIKTOK_ERRORS[code] as TikTokErrorEntry;
  return {
    code,
    errorCode: 'TIKTOK_UNAVAILABLE',
    retry: 'retry',
    retryable: true,
    userMessage: 'TikTok returned an unexpected error. Please try again in a few minutes.',
    source: UNKNOWN_SOURCE,
  };
}

/**
 * The entry for a `fail_reason`. An unknown reason reads "TikTok could not publish this video
 * (reason)…": the raw reason is all we can tell the user; it is cut to a short, printable string.
 */
export function describeFailReason(reason: string): TikTokErrorEntry {
  if (Object.hasOwn(TIKTOK_FAIL_REASONS, reason)) return TIKTOK_FAIL_REASONS[reason] as TikTokErrorEntry;
  const shown = reason
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, 64);
  return {
    code: reason,
    errorCode: 'TIKTOK_REJECTED',
    retry: 'retry',
    retryable: true,
    userMessage: `TikTok could not publish this video${shown ? ` (${shown})` : ''}. Please check the video and try again.`,
    source: UNKNOWN_SOURCE,
  };
}

/**
 * The seed's generic text for an HTTP status of our API (seed §6), for errors that carry no better
 * message. Status 0 is a request that got no answer (network down, CORS, aborted).
 */
export function userMessageForStatus(status: number): string {
  if (status === 0) return UNREACHABLE_MESSAGE;
  if (status === 401) return ERROR_MESSAGES.UNAUTHENTICATED.userMessage;
  if (status === 404) return ERROR_MESSAGES.ACCOUNT_NOT_FOUND.userMessage;
  if (status === 413) return fileTooLargeMessage();
  if (status === 429) return SEED_RATE_LIMIT;
  if (status >= 400 && status < 500) return ERROR_MESSAGES.VALIDATION_FAILED.userMessage;
  return ERROR_MESSAGES.INTERNAL.userMessage;
}
