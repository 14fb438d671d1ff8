/**
 * ApiError: every failed call to our API, typed. The client throws it and never shows anything
 * itself; screens turn it into words with `describeApiError` (lib/describe-api-error.ts).
 */
import { ERROR_STATUS, type ApiErrorBody, type ErrorCode } from '@cliprelay/contract';

/** Our API's codes plus the two a request can meet before any answer. */
export type ClientErrorCode = ErrorCode | 'NETWORK';

export class ApiError extends Error {
  /** HTTP status; 0 when no answer came (offline, DNS, CORS, connection reset). */
  readonly status: number;
  readonly code: ClientErrorCode;
  /** The API's body when it sent one of our error bodies. */
  readonly body: ApiErrorBody | null;

  constructor(status: number, code: ClientErrorCode, message: string, body: ApiErrorBody | null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }

  /** The validation messages of a 400 (`message` array), otherwise empty. */
  get fieldMessages(): string[] {
    return Array.isArray(this.body?.message) ? this.body.message : [];
  }

  /** TikTok's own error code when TikTok caused the error. */
  get tiktokCode(): string | null {
    return this.body?.tiktok?.code ?? null;
  }

  get retryAfterSec(): number | null {
    return this.body?.retryAfterSec ?? null;
  }

  get requestId(): string | null {
    return this.body?.requestId ?? null;
  }

  /** Builds the error from an HTTP answer; a body that is not ours still gives a typed error. */
  static fromResponse(status: number, text: string): ApiError {
    const body = parseErrorBody(text);
    if (body) {
      const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
      return new ApiError(status, body.code, message, body);
    }
    return new ApiError(status, codeForStatus(status), `HTTP ${status}`, null);
  }

  static network(cause: unknown): ApiError {
    const error = new ApiError(0, 'NETWORK', 'The server could not be reached.', null);
    error.cause = cause;
    return error;
  }
}

function parseErrorBody(text: string): ApiErrorBody | null {
  try {
    const parsed = JSON.parse(text) as Partial<ApiErrorBody> | null;
    if (
      parsed &&
      typeof parsed === 'object' &&
      typeof parsed.code === 'string' &&
      Object.hasOwn(ERROR_STATUS, parsed.code) &&
      (typeof parsed.message === 'string' || Array.isArray(parsed.message))
    ) {
      return parsed as ApiErrorBody;
    }
  } catch {
    // not JSON: a proxy's HTML page, an empty body…
  }
  return null;
}

/** The code a bare status implies when the body is not one of ours (a proxy or gateway answered). */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'REQUEST_TOO_LARGE';
  if (status === 429) return 'TIKTOK_RATE_LIMITED';
  if (status >= 400 && status < 500) return 'VALIDATION_FAILED';
  return 'INTERNAL';
}

/** True for an aborted request (the user cancelled), which is not an error to show. */
export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
