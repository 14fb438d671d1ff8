/**
 * A resumable upload to our API's tus endpoint (tus-js-client). `send()` starts it, and after a
 * lost connection sends the rest from where the server stopped (it asks the offset first): the
 * user decides when, so nothing is retried behind their back (seed §6). Every request carries the
 * current bearer token; `abort()` stops and tells the server to drop the upload (DELETE).
 */
import type { DetailedError, Upload } from 'tus-js-client';
import type { AuthBridge } from './api-client.ts';
import { ApiError } from './api-error.ts';

/** The connection dropped: `send()` again resumes; `sent` is how many bytes the server had taken. */
export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
  constructor(
    readonly sent: number,
    readonly total: number,
  ) {
    super('The connection was lost during the upload.');
  }
}

const CHUNK_BYTES = 8 * 1024 * 1024;

export interface ResumableOptions {
  /** tus Upload-Metadata (strings). */
  metadata: Record<string, string>;
  headers?: Record<string, string>;
  /** Bytes the browser has sent so far (they may still be in flight). */
  onProgress?: (sent: number, total: number) => void;
  /** The upload exists at the server: its URL (the last segment is its id). */
  onCreated?: (uploadUrl: string) => void;
}

export interface ResumableUpload {
  /** Resolves once the server has every byte; rejects with ApiError or ConnectionLostError. */
  send(): Promise<void>;
  /** Stops sending and has the server drop the upload. */
  abort(): Promise<void>;
}

export function resumableUpload(
  endpoint: string,
  file: File,
  auth: Pick<AuthBridge, 'accessToken'>,
  options: ResumableOptions,
): ResumableUpload {
  let sent = 0;
  let announced = false;
  let aborted = false;
  // tus-js-client comes with the first upload, not with the app: only a video from the device needs it.
  let created: Promise<{ upload: Upload; DetailedError: typeof DetailedError }> | undefined;
  const create = () =>
    (created ??= import('tus-js-client').then((tus) => {
      const upload: Upload = new tus.Upload(file, {
        endpoint,
        metadata: options.metadata,
        headers: options.headers ?? {},
        // No silent retries: a lost connection is the user's to resume.
        retryDelays: null,
        // The upload lives as long as this screen's state; a new page starts a new submit.
        storeFingerprintForResuming: false,
        // One PATCH per 8 MiB: no request runs for the whole video, and each answer says the offset.
        chunkSize: CHUNK_BYTES,
        onBeforeRequest: async (req) => {
          const token = await auth.accessToken();
          if (token) req.setHeader('Authorization', `Bearer ${token}`);
        },
        onProgress: (bytes, total) => {
          sent = bytes;
          options.onProgress?.(bytes, total);
        },
        onUploadUrlAvailable: () => {
          if (announced || !upload.url) return;
          announced = true;
          options.onCreated?.(upload.url);
        },
      });
      return { upload, DetailedError: tus.DetailedError };
    }));
  return {
    send: async () => {
      const { upload, DetailedError } = await create();
      // Cancelled while tus-js-client was still loading: nothing was sent, nothing to drop.
      if (aborted) throw new DOMException('The upload was cancelled.', 'AbortError');
      return new Promise<void>((resolve, reject) => {
        upload.options.onSuccess = () => resolve();
        upload.options.onError = (error) => reject(toError(error, DetailedError, sent, file.size));
        upload.start();
      });
    },
    abort: async () => {
      aborted = true;
      if (!created) return;
      const { upload } = await created;
      await upload.abort(true).catch(() => undefined);
    },
  };
}

/** The server's refusal as our ApiError; no answer at all as a lost connection. */
function toError(error: Error, detailed: typeof DetailedError, sent: number, total: number): Error {
  const response = error instanceof detailed ? error.originalResponse : null;
  if (!response || response.getStatus() === 0) return new ConnectionLostError(sent, total);
  return ApiError.fromResponse(response.getStatus(), response.getBody());
}
