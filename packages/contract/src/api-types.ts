/**
 * The types of Cliprelay's own HTTP API (architecture.md §4; seed §2). The API returns these and
 * the web app reads them: write a shape once, here, and import it on both sides.
 *
 * Field names follow the seed (snake_case where it uses snake_case, `socialAccountId` where it
 * uses camelCase) so that the seed's SPA and ours speak the same JSON.
 */
import { ERROR_STATUS, type ErrorCode } from './error-codes.ts';
import type { PrivacyLevel, SourceType } from './limits.ts';

// ---------------------------------------------------------------------------------------------
// Envelopes
// ---------------------------------------------------------------------------------------------

/** Every 2xx body: `{ "success": true, "data": … }`. */
export interface ApiSuccess<T> {
  success: true;
  data: T;
}

/**
 * Every error body: NestJS's `{ statusCode, error, message }` plus our fields.
 *
 * - `message` is an array of field messages for `VALIDATION_FAILED`, a string otherwise; for
 *   TikTok-caused errors the string also contains TikTok's code (the seed's SPA matches on it).
 * - `code` is what clients branch on; `ERROR_STATUS[code] === statusCode`.
 * - `tiktok`, `retryable` are present when TikTok caused the error; `retryAfterSec` on rate limits
 *   (the response then also carries a `Retry-After` header).
 */
export interface ApiErrorBody {
  statusCode: number;
  /** HTTP reason phrase, e.g. "Bad Request". */
  error: string;
  message: string | string[];
  code: ErrorCode;
  /** Identifies the request in the API's logs; worth showing in an error's details. */
  requestId: string;
  tiktok?: { code: string; logId: string | null };
  retryable?: boolean;
  retryAfterSec?: number;
}

// ---------------------------------------------------------------------------------------------
// Publishing
// ---------------------------------------------------------------------------------------------

/** `GET /tiktok/creator-info/:socialAccountId` → `data`. Drives the publish form (seed §3, §7). */
export interface CreatorInfoData {
  /** Only these may be offered, and the API rejects any other (`PRIVACY_LEVEL_NOT_ALLOWED`). */
  privacy_level_options: PrivacyLevel[];
  comment_disabled: boolean;
  duet_disabled: boolean;
  stitch_disabled: boolean;
  /** Longer videos must be blocked before upload (tiktok-api.md §11 point 1c). */
  max_video_post_duration_sec: number;
  /** Shown on the form so the user knows which account will post (tiktok-api.md §11 point 1a). */
  creator_nickname: string;
  creator_username: string;
  /** TikTok's CDN URL; expires after about 2 hours, so refetch rather than store it. */
  creator_avatar_url: string;
}

/** The post settings the user chose, as the API sends them to TikTok's `post_info`. */
export interface PostSettings {
  title: string;
  privacy_level: PrivacyLevel;
  disable_comment: boolean;
  disable_duet: boolean;
  disable_stitch: boolean;
  /** "Your brand": promotes the creator's own business. */
  brand_organic_toggle: boolean;
  /** "Branded content": paid partnership; not allowed with `SELF_ONLY`. */
  brand_content_toggle: boolean;
  /** AI-generated content label. */
  is_aigc: boolean;
  video_cover_timestamp_ms?: number;
}

/**
 * `POST /tiktok/publish/init` JSON body (the seed's). Omitted booleans mean false. `PULL_FROM_URL`
 * needs `video_url` (https, under a verified prefix); `FILE_UPLOAD` needs `video_size` and returns
 * TikTok's `upload_url`.
 */
export interface PublishInitRequest {
  socialAccountId: string;
  title?: string;
  privacy_level: PrivacyLevel;
  disable_comment?: boolean;
  disable_duet?: boolean;
  disable_stitch?: boolean;
  brand_organic_toggle?: boolean;
  brand_content_toggle?: boolean;
  is_aigc?: boolean;
  video_cover_timestamp_ms?: number;
  source_type: SourceType;
  video_url?: string;
  video_size?: number;
}

/** `POST /tiktok/publish/init` → `data`. */
export interface PublishInitData {
  publish_id: string;
  /** FILE_UPLOAD only: TikTok's upload URL, valid for one hour. */
  upload_url?: string;
  /** Our post row's id (see `PostSummary.id`). */
  post_id: string;
}

/** `UploadPublishData.message`: what the user reads once TikTok has every byte of the video. */
export const SUBMITTED_MESSAGE =
  'Video submitted to TikTok. It may take a few minutes to process and appear on your profile.';

/** `POST /tiktok/publish/upload/:socialAccountId` (multipart, init + upload) → `data`. */
export interface UploadPublishData {
  publish_id: string;
  message: string;
  /** Our post row's id (see `PostSummary.id`). */
  post_id: string;
}

/**
 * TikTok's `data.status` (tiktok-api.md §2.4). Open-ended: undocumented values have been seen;
 * treat any unknown non-terminal value as "still processing".
 */
export type TikTokPublishStatus =
  | 'PROCESSING_UPLOAD'
  | 'PROCESSING_DOWNLOAD'
  | 'SEND_TO_USER_INBOX'
  | 'PUBLISH_COMPLETE'
  | 'FAILED'
  // Keeps autocompletion of the known values while accepting any string.
  | (string & {});

/** Our own status of a post row, in the order a post goes through them. */
export const LOCAL_POST_STATUSES = [
  'initializing',
  'uploading',
  'processing',
  'published',
  'failed',
] as const;
export type LocalPostStatus = (typeof LOCAL_POST_STATUSES)[number];

/** `GET /tiktok/publish/status/:publishId` → `data`. */
export interface PublishStatusData {
  publish_id: string;
  status: TikTokPublishStatus;
  /** TikTok's fail_reason (tiktok-api.md §6.3) when `status` is `FAILED`. */
  fail_reason: string | null;
  /**
   * TikTok's `publicaly_available_post_id`, as STRINGS: they are 19-digit numbers that
   * `JSON.parse` would round. Empty until a public post passes moderation, and always empty for
   * private posts.
   */
  post_ids: string[];
  uploaded_bytes: number | null;
  downloaded_bytes: number | null;
  local_status: LocalPostStatus;
  /**
   * Text to show when the post failed (from the TikTok error catalogue), or when TikTok has not
   * confirmed it in time (`unconfirmed`); otherwise null.
   */
  user_message: string | null;
  /**
   * TikTok's moderation window (24 h) passed and TikTok never settled the post: we stopped
   * asking. The post may still appear; `user_message` says to look at the TikTok profile.
   */
  unconfirmed: boolean;
}

/** An earlier attempt of a submit (a Try again under the same Idempotency-Key). */
export interface PostAttempt {
  id: string;
  publish_id: string | null;
  local_status: LocalPostStatus;
  error_code: string | null;
  user_message: string | null;
  created_at: string;
}

/** One row of `GET /tiktok/posts` (the user's publish history, newest first). */
export interface PostSummary {
  id: string;
  social_account_id: string;
  account_display_name: string | null;
  account_username: string | null;
  source_type: SourceType;
  title: string;
  privacy_level: PrivacyLevel;
  disable_comment: boolean;
  disable_duet: boolean;
  disable_stitch: boolean;
  brand_organic_toggle: boolean;
  brand_content_toggle: boolean;
  is_aigc: boolean;
  /** PULL_FROM_URL only. */
  video_url: string | null;
  /** FILE_UPLOAD only: the name the file had on the user's device. */
  file_name: string | null;
  video_size: number | null;
  /** Null until TikTok's init answered. */
  publish_id: string | null;
  local_status: LocalPostStatus;
  tiktok_status: string | null;
  fail_reason: string | null;
  /** Our ErrorCode when the post failed (a string so that old rows survive renamed codes). */
  error_code: string | null;
  user_message: string | null;
  /** Strings, for the same reason as `PublishStatusData.post_ids`. */
  post_ids: string[];
  tiktok_log_id: string | null;
  /** See `PublishStatusData.unconfirmed`. */
  unconfirmed: boolean;
  /**
   * One row is one submit: this is its latest attempt, and these the attempts before it under
   * the same Idempotency-Key (a Try again), newest first. Empty for a first attempt.
   */
  earlier_attempts: PostAttempt[];
  /** ISO 8601 timestamps. */
  created_at: string;
  updated_at: string;
}

// ---------------------------------------------------------------------------------------------
// Accounts and OAuth
// ---------------------------------------------------------------------------------------------

export const SOCIAL_ACCOUNT_STATUSES = ['active', 'reconnect_required'] as const;
export type SocialAccountStatus = (typeof SOCIAL_ACCOUNT_STATUSES)[number];

/** One row of `GET /social-accounts`. Never carries a token. */
export interface SocialAccount {
  id: string;
  provider: 'tiktok';
  /** TikTok's id of the user within our app. */
  open_id: string;
  username: string | null;
  display_name: string | null;
  avatar_url: string | null;
  status: SocialAccountStatus;
  created_at: string;
  updated_at: string;
}

/** `POST /tiktok/connect` → `data`: where to send the browser (TikTok's consent page). */
export interface ConnectData {
  authorizeUrl: string;
}

/**
 * Query parameters the OAuth callback puts on `WEB_APP_URL` when it sends the browser back:
 * `?tiktok_connect=success&account=<social account id>` or `?tiktok_connect=error&code=<ErrorCode>`.
 */
export const TIKTOK_CONNECT_QUERY = { outcome: 'tiktok_connect', code: 'code', account: 'account' } as const;

export type OAuthOutcome =
  { tiktok_connect: 'success'; account: string } | { tiktok_connect: 'error'; code: ErrorCode };

/** The query parameters of an outcome, for the callback's redirect (`new URLSearchParams(…)`). */
export function oauthOutcomeParams(outcome: OAuthOutcome): Record<string, string> {
  return outcome.tiktok_connect === 'success'
    ? { [TIKTOK_CONNECT_QUERY.outcome]: 'success', [TIKTOK_CONNECT_QUERY.account]: outcome.account }
    : { [TIKTOK_CONNECT_QUERY.outcome]: 'error', [TIKTOK_CONNECT_QUERY.code]: outcome.code };
}

/**
 * Reads the outcome back from the web app's URL (`parseOAuthOutcome(new URLSearchParams(location.search))`).
 * Null when the URL carries no complete outcome; an error with an unknown code reads as `INTERNAL`.
 */
export function parseOAuthOutcome(query: { get(name: string): string | null }): OAuthOutcome | null {
  const outcome = query.get(TIKTOK_CONNECT_QUERY.outcome);
  if (outcome === 'success') {
    const account = query.get(TIKTOK_CONNECT_QUERY.account);
    return account ? { tiktok_connect: 'success', account } : null;
  }
  if (outcome === 'error') {
    const code = query.get(TIKTOK_CONNECT_QUERY.code) ?? '';
    return {
      tiktok_connect: 'error',
      code: Object.hasOwn(ERROR_STATUS, code) ? (code as ErrorCode) : 'INTERNAL',
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Media library and health
// ---------------------------------------------------------------------------------------------

/** One row of `GET /media`: a video already on the CDN, publishable with PULL_FROM_URL. */
export interface MediaItem {
  id: string;
  title: string;
  url: string;
  size_bytes: number | null;
  mime_type: string | null;
  duration_sec: number | null;
  created_at: string;
}

/** `POST /media` body. */
export interface MediaCreateRequest {
  title: string;
  url: string;
  size_bytes?: number;
  mime_type?: string;
  duration_sec?: number;
}

/** `GET /health` → `data`: liveness and database readiness. */
export interface HealthData {
  status: 'ok' | 'unavailable';
  database: 'up' | 'down';
}
