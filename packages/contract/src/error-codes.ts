/**
 * Our machine-readable error codes (`code` in every error body). The web app branches on these;
 * the API's one exception filter maps each to an HTTP status through ERROR_STATUS.
 */
export const ERROR_STATUS = {
  /** A DTO failed validation; `message` is an array of field messages. */
  VALIDATION_FAILED: 400,
  /** The video is not a video (type or content), or the multipart body is malformed. */
  UNSUPPORTED_MEDIA: 400,
  /** privacy_level is not among the creator's current options. */
  PRIVACY_LEVEL_NOT_ALLOWED: 400,
  /** An interaction (comment, duet, stitch) the creator disabled was turned on. */
  INTERACTION_DISABLED: 400,
  /** PULL_FROM_URL url is not https under a verified prefix. */
  URL_NOT_VERIFIED: 400,
  /** TikTok refused the request for a reason the user must fix or wait out (see `tiktok.code`). */
  TIKTOK_REJECTED: 400,
  /** The OAuth callback's state is unknown, used, expired or someone else's. */
  OAUTH_STATE_INVALID: 400,
  /**
   * The OAuth callback reached a browser other than the one that began the connect (its cookie
   * is missing or another flow's): nothing was linked, and the state is spent.
   */
  OAUTH_BROWSER_MISMATCH: 400,
  /** The user did not grant every scope we need (video.publish, user.info.basic). */
  OAUTH_SCOPES_MISSING: 400,
  /** The user denied access on TikTok's consent page. */
  OAUTH_DENIED: 400,
  /** Missing, malformed, expired or foreign bearer token. */
  UNAUTHENTICATED: 401,
  /** A resource that does not exist or is not the caller's. */
  NOT_FOUND: 404,
  /** The social account does not exist or is not the caller's. */
  ACCOUNT_NOT_FOUND: 404,
  /** TikTok no longer accepts this account's tokens: the user must reconnect it. */
  ACCOUNT_RECONNECT_REQUIRED: 404,
  /**
   * A publish under this Idempotency-Key is still running, or has led to a post whose outcome is
   * not known yet: wait and ask again (or follow it in the history); a second publish never starts.
   */
  IDEMPOTENCY_KEY_IN_USE: 409,
  /** This Idempotency-Key was first used for a different request (another account or settings). */
  IDEMPOTENCY_KEY_REUSED: 422,
  /**
   * A resumable upload whose post has ended (failed, cancelled, or already sent to TikTok): no more
   * bytes are taken; `message` says why and what to do.
   */
  UPLOAD_ENDED: 410,
  /** The video is larger than MAX_VIDEO_BYTES. */
  FILE_TOO_LARGE: 413,
  /** A JSON body over the API's limit (not a video: those are FILE_TOO_LARGE). */
  REQUEST_TOO_LARGE: 413,
  /** TikTok's rate limit; `retryAfterSec` says when to try again. */
  TIKTOK_RATE_LIMITED: 429,
  /**
   * Our own limit: too many requests of this kind from this user in a minute, or too many uploads
   * at once; `retryAfterSec` (and `Retry-After`) says when to try again.
   */
  RATE_LIMITED: 429,
  /** TikTok failed (5xx, network, bad answer) and our retries ran out. */
  TIKTOK_UNAVAILABLE: 500,
  /** Sending the video's bytes to TikTok failed after retries. */
  UPLOAD_FAILED: 500,
  /** Anything unexpected; logged with a stack, shown without internals. */
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];
