/**
 * What the user reads for each of our ErrorCodes: a short title, the sentence to show and the way
 * forward. With TikTok's catalogue (tiktok-errors.ts, which takes its shared sentences from here)
 * this is the one owner of error wording: the API builds its `message`s from it and the web app
 * shows it, so a code reads the same on every screen.
 *
 * Messages end with a period, say what to do next and name no code. Messages that need figures
 * (a size, a limit) are functions here, used by both sides.
 */
import type { ErrorCode } from './error-codes.ts';
import { formatBytes } from './format.ts';
import { MAX_VIDEO_BYTES } from './limits.ts';
import type { RetryClass } from './tiktok-errors.ts';

/**
 * The way forward after an error: a TikTok RetryClass (`fix_input`, `retry`, `retry_later`,
 * `reconnect`, `contact_support`, `never`), or
 * - `connect`: the account asked for is not connected: connect one on the Accounts screen;
 * - `sign_in`: the user's session ended: sign in again.
 */
export type NextStep = RetryClass | 'connect' | 'sign_in';

export interface ErrorCodeEntry {
  code: ErrorCode;
  /** A heading for the error, a few words. */
  title: string;
  /** The sentence shown for the code when there is no better one (see `apiMessageShown`). */
  userMessage: string;
  next: NextStep;
  /**
   * The API's `message` for this code is written for the user and says more than `userMessage`
   * (which setting, how long to wait, why the upload stopped): show it, and `userMessage` when
   * the answer carries none.
   */
  apiMessageShown: boolean;
}

/** The seed's §6 texts, verbatim. */
export const SEED_MESSAGES = {
  tooManyPosts: "You've posted too many videos recently. Please wait and try again later.",
  scopeNotAuthorized:
    "Your TikTok account doesn't have permission for this action. Please reconnect your account.",
  rateLimit: 'TikTok rate limit reached. Please try again in a few minutes.',
  publishFailed: 'TikTok could not process this video. Please check the format and try again.',
  accountNotConnected: 'TikTok account not connected. Connect it again in account settings.',
  generic: 'Something went wrong. Please try again.',
} as const;

/** The one sentence for a video over the limit; with the file's size when it is known. */
export function fileTooLargeMessage({
  limitBytes = MAX_VIDEO_BYTES,
  sizeBytes,
}: { limitBytes?: number; sizeBytes?: number } = {}): string {
  const sentence = `Video file is too large. Maximum size is ${formatBytes(limitBytes)}.`;
  return sizeBytes === undefined ? sentence : `This video is ${formatBytes(sizeBytes)}. ${sentence}`;
}

/** For a request that got no answer (offline, DNS, CORS, connection reset). */
export const UNREACHABLE_MESSAGE = 'Could not reach the server. Please check your connection and try again.';

const START_AGAIN = 'Please start the upload again.';

/** Why sending a video to TikTok's upload host stopped (UPLOAD_FAILED), as the API records it. */
export const UPLOAD_FAILURE_MESSAGES = {
  /** The user (or their leaving) stopped it. */
  cancelled: 'The upload was cancelled.',
  /** 403: the one-hour upload_url expired. */
  linkExpired: `TikTok's upload link expired before the video finished uploading. ${START_AGAIN}`,
  /** 404: TikTok dropped the upload session. */
  sessionGone: `TikTok no longer has this upload. ${START_AGAIN}`,
  /** 400: our chunk request was refused. */
  rejected: `TikTok rejected the upload request. ${START_AGAIN} If it keeps failing, contact support.`,
  /** A 416 whose Content-Range we cannot follow. */
  outOfStep: `The upload got out of step with TikTok. ${START_AGAIN}`,
  /** 416s in a row without progress. */
  chunksRefused: `TikTok kept refusing the video's chunks. ${START_AGAIN}`,
  /** 5xx or network errors until the retries ran out. */
  notAccepted:
    "TikTok's upload service did not accept the video after several attempts. Please try again in a few minutes.",
  /** Our copy of the video could not be read. */
  unreadable: 'The uploaded video could not be read on our side. Please upload it again.',
  /** Anything else. */
  notSent: `The video could not be sent to TikTok. ${START_AGAIN}`,
} as const;

/** The upload host answered a chunk with a status the docs do not give. */
export function unexpectedUploadAnswerMessage(status: number): string {
  return `TikTok answered the upload unexpectedly (HTTP ${status}). ${START_AGAIN}`;
}

/** TikTok's init answered without the upload_url the upload needs. */
export const NO_UPLOAD_ADDRESS_MESSAGE = 'TikTok did not give us an upload address. Please try again.';

/** A publish TikTok failed with no reason we could record. */
export const POST_FAILED_MESSAGE = 'Something went wrong while publishing this video. Please try again.';

/** Shared with TikTok's privacy_level_option_mismatch. */
export const PRIVACY_NOT_ALLOWED_MESSAGE =
  "The chosen privacy setting isn't available for this TikTok account. Please choose another one and try again.";

/** Shared with TikTok's url_ownership_unverified. */
export const URL_NOT_VERIFIED_MESSAGE =
  "TikTok can only fetch videos from verified web addresses, and this one isn't. Please upload the file from your device instead.";

/** Shared with TikTok's access_denied. */
export const OAUTH_DENIED_MESSAGE =
  "You didn't allow access on TikTok, so no account was connected. To publish, connect again and allow access.";

const NOT_CONNECTED = 'TikTok account not connected';
const NOT_LINKED = 'Your TikTok account was not connected';
const CHECK_FORM = 'Check the form';
const OTHER_VIDEO = 'Choose another video';
const NOT_SENT = 'The video did not reach TikTok';
const TOO_MANY = 'Too many requests';

type Fields = Omit<ErrorCodeEntry, 'code'>;

function fields(title: string, userMessage: string, next: NextStep, apiMessageShown = false): Fields {
  return { title, userMessage, next, apiMessageShown };
}

const BY_CODE: Record<ErrorCode, Fields> = {
  VALIDATION_FAILED: fields(
    CHECK_FORM,
    'Some details need fixing. Please check the form and try again.',
    'fix_input',
  ),
  UNSUPPORTED_MEDIA: fields(
    OTHER_VIDEO,
    'This file is not a video. Please choose a video file (MP4, MOV or WebM).',
    'fix_input',
    true,
  ),
  PRIVACY_LEVEL_NOT_ALLOWED: fields(CHECK_FORM, PRIVACY_NOT_ALLOWED_MESSAGE, 'fix_input', true),
  INTERACTION_DISABLED: fields(
    CHECK_FORM,
    'This TikTok account has turned off an interaction this video allows. Please turn it off and try again.',
    'fix_input',
    true,
  ),
  URL_NOT_VERIFIED: fields(OTHER_VIDEO, URL_NOT_VERIFIED_MESSAGE, 'fix_input', true),
  TIKTOK_REJECTED: fields(
    'TikTok could not accept this post',
    'TikTok did not accept this post. Please check it and try again.',
    'fix_input',
    true,
  ),
  OAUTH_STATE_INVALID: fields(
    NOT_LINKED,
    'This connection link expired or was already used. Please start again.',
    'retry',
  ),
  OAUTH_BROWSER_MISMATCH: fields(
    NOT_LINKED,
    'This connection was started in another browser, so no account was connected. If you meant to connect, please start again here.',
    'retry',
  ),
  OAUTH_SCOPES_MISSING: fields(
    NOT_LINKED,
    'Cliprelay needs every permission it asks for on TikTok, including posting videos. Please connect again and allow every permission.',
    'reconnect',
  ),
  OAUTH_DENIED: fields(NOT_LINKED, OAUTH_DENIED_MESSAGE, 'reconnect'),
  UNAUTHENTICATED: fields('Signed out', 'Your session has expired. Please sign in again.', 'sign_in'),
  // The seed's one 404 is the account's; a bare 404 reads the same.
  NOT_FOUND: fields(NOT_CONNECTED, SEED_MESSAGES.accountNotConnected, 'connect'),
  ACCOUNT_NOT_FOUND: fields(NOT_CONNECTED, SEED_MESSAGES.accountNotConnected, 'connect'),
  ACCOUNT_RECONNECT_REQUIRED: fields(
    'Reconnect your TikTok account',
    'TikTok no longer accepts this connection, so Cliprelay cannot post to this account. Reconnect it to confirm access on TikTok again.',
    'reconnect',
  ),
  IDEMPOTENCY_KEY_IN_USE: fields(
    'Already on its way to TikTok',
    'This publish is already on its way to TikTok. Follow it in your history instead of sending it again.',
    'retry_later',
    true,
  ),
  IDEMPOTENCY_KEY_REUSED: fields(
    'Publishing failed',
    'This publish was mixed up with a different one on our side. Please contact support.',
    'contact_support',
  ),
  UPLOAD_ENDED: fields(NOT_SENT, 'This upload has ended. Please start a new upload.', 'retry', true),
  FILE_TOO_LARGE: fields('Video too large', fileTooLargeMessage(), 'fix_input'),
  REQUEST_TOO_LARGE: fields(
    'Request too large',
    'This request is too large. Please shorten what you entered and try again.',
    'fix_input',
  ),
  TIKTOK_RATE_LIMITED: fields(TOO_MANY, SEED_MESSAGES.rateLimit, 'retry_later', true),
  RATE_LIMITED: fields(
    TOO_MANY,
    'Too many requests right now. Please wait a moment and try again.',
    'retry_later',
    true,
  ),
  TIKTOK_UNAVAILABLE: fields(
    'TikTok is not answering',
    'TikTok cannot be reached right now. Please try again.',
    'retry',
    true,
  ),
  UPLOAD_FAILED: fields(NOT_SENT, UPLOAD_FAILURE_MESSAGES.notSent, 'retry', true),
  INTERNAL: fields('Something went wrong', SEED_MESSAGES.generic, 'retry'),
};

/** Every ErrorCode's entry, frozen. */
export const ERROR_MESSAGES: Readonly<Record<ErrorCode, ErrorCodeEntry>> = Object.freeze(
  Object.fromEntries(
    Object.entries(BY_CODE).map(([code, f]) => [code, Object.freeze({ code: code as ErrorCode, ...f })]),
  ) as Record<ErrorCode, ErrorCodeEntry>,
);

/** The sentence our API says for a code (the API's AppErrors start from it). */
export function messageFor(code: ErrorCode): string {
  return ERROR_MESSAGES[code].userMessage;
}

/** A heading for a failure TikTok caused, by what can help (its catalogue entry's `retry`). */
export function tiktokErrorTitle(retry: RetryClass): string {
  if (retry === 'retry_later') return 'Please wait a moment';
  if (retry === 'reconnect') return 'Reconnect your TikTok account';
  if (retry === 'fix_input') return 'TikTok could not accept this post';
  return 'TikTok could not publish this video';
}
