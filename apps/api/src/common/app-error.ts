import type { ErrorCode } from '@cliprelay/contract';

export interface TikTokErrorInfo {
  /** TikTok's error.code (or OAuth `error`), e.g. "spam_risk_too_many_posts". */
  code: string;
  /** TikTok's log_id, kept for support requests. */
  logId: string | null;
}

export interface AppErrorOptions {
  /** Field messages for VALIDATION_FAILED (the body's `message` becomes this array). */
  details?: string[];
  tiktok?: TikTokErrorInfo;
  retryable?: boolean;
  retryAfterSec?: number;
  cause?: unknown;
}

/**
 * The one error type services throw. The global exception filter maps `code` to an HTTP status
 * (ERROR_STATUS in the contract) and writes the NestJS-shaped body. `message` is user-facing:
 * it never contains a token, a secret or internals.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: string[] | undefined;
  readonly tiktok: TikTokErrorInfo | undefined;
  readonly retryable: boolean | undefined;
  readonly retryAfterSec: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.tiktok = options.tiktok;
    this.retryable = options.retryable;
    this.retryAfterSec = options.retryAfterSec;
  }
}
