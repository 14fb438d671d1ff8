/**
 * TikTok's upload host: sends a video to the upload URL init gave, chunk by chunk (tiktok-api.md
 * §2.3, §4). Each chunk is streamed from a file on disk (never the whole video in memory) in its
 * own PUT with an explicit Content-Length, which is why this uses node:http and not fetch. The
 * file may still be growing: a chunk is sent once its last byte is on disk (`ChunkSource.ready`),
 * so the relay forwards each chunk while the next one is still arriving.
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VideoContentType } from '@cliprelay/contract';
import pRetry from 'p-retry';
import { AppError } from '../common/app-error.ts';
import type { ChunkPlan, PlannedChunk } from './chunk-plan.ts';

/** The video on our disk, whole or still arriving. */
export interface ChunkSource {
  readonly path: string;
  /** What the PUTs declare: known once the first byte is readable. */
  readonly contentType: VideoContentType | undefined;
  /** Resolves once bytes [0, end) can be read from `path`; rejects if they never will be. */
  ready(end: number, signal?: AbortSignal): Promise<void>;
}

export interface UploadProgress {
  /** Bytes TikTok has confirmed so far. */
  uploadedBytes: number;
  totalBytes: number;
}

export interface ChunkRetryOptions {
  /** Retries per chunk after a 5xx or a network error (default 5). */
  retries?: number;
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
}

export interface UploadChunksOptions {
  /** TikTok's upload_url, used whole (query string included) for every chunk. Never logged. */
  uploadUrl: string;
  source: ChunkSource;
  plan: ChunkPlan;
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  retry?: ChunkRetryOptions;
  /** A request that makes no progress (no bytes either way) for this long fails and is retried. */
  timeoutMs?: number;
}

export interface UploadChunksResult {
  /** Bytes of the chunks TikTok accepted from this call (less than the size after a resync skipped ahead). */
  bytesSent: number;
  /** Attempts beyond the first, over all chunks. */
  chunkRetries: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;
/** Reads of 1 MiB (not the stream default of 64 KiB): a sixteenth of the syscalls and socket writes. */
const READ_BYTES = 1024 * 1024;
/** 416 resyncs in a row without an accepted chunk before giving up. */
const MAX_RESYNCS_WITHOUT_PROGRESS = 3;

/** A failure worth sending the same chunk again for: 5xx, connection error, timeout. */
class TransientChunkError extends Error {
  override readonly name = 'TransientChunkError';
}

/** Reading the local file failed: retrying the request would not help. */
class LocalReadError extends Error {
  override readonly name = 'LocalReadError';
}

/** The source's bytes will never arrive (the client went away, sent fewer bytes): its reason. */
class SourceEndedError extends Error {
  override readonly name = 'SourceEndedError';
}

/** The caller's signal fired. */
class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

interface ChunkAnswer {
  status: number;
  contentRange: string | undefined;
}

function uploadFailed(message: string, retryable: boolean, cause?: unknown): AppError {
  return new AppError('UPLOAD_FAILED', message, { retryable, cause });
}

const START_AGAIN = 'Please start the upload again.';

/**
 * Uploads every chunk of `plan` in order. Resolves once TikTok answered 201 for the final chunk
 * (or a 416 proves it already has every byte). Throws AppError UPLOAD_FAILED otherwise.
 */
export async function uploadChunks(options: UploadChunksOptions): Promise<UploadChunksResult> {
  const { plan, signal, onProgress } = options;
  const url = new URL(options.uploadUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError('uploadUrl must be an http(s) URL');
  }
  const retry = {
    retries: options.retry?.retries ?? 5,
    minTimeout: options.retry?.minTimeoutMs ?? 500,
    maxTimeout: options.retry?.maxTimeoutMs ?? 8000,
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  let bytesSent = 0;
  let chunkRetries = 0;
  let index = 0;
  let resyncs = 0;

  const { source } = options;
  const sendWithRetry = async (chunk: PlannedChunk): Promise<ChunkAnswer> => {
    await source.ready(chunk.end + 1, signal).catch((error: unknown) => {
      throw signal?.aborted ? error : new SourceEndedError('the video stopped arriving', { cause: error });
    });
    const contentType = source.contentType;
    if (!contentType) throw new LocalReadError('the video has bytes but no known container');
    let attempts = 0;
    const answer = await pRetry(
      async (attempt) => {
        attempts = attempt;
        const result = await sendChunk(url, source.path, chunk, plan.videoSize, contentType, {
          signal,
          timeoutMs,
        });
        if (result.status >= 500) throw new TransientChunkError(`upload host answered ${result.status}`);
        return result;
      },
      {
        ...retry,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => error instanceof TransientChunkError && !signal?.aborted,
      },
    );
    chunkRetries += attempts - 1;
    return answer;
  };

  try {
    while (index < plan.chunks.length) {
      signal?.throwIfAborted();
      const chunk = plan.chunks[index]!;
      const isLast = index === plan.chunks.length - 1;
      const answer = await sendWithRetry(chunk);

      if ((answer.status === 206 && !isLast) || (answer.status === 201 && isLast)) {
        bytesSent += chunk.length;
        resyncs = 0;
        index++;
        onProgress?.({ uploadedBytes: chunk.end + 1, totalBytes: plan.videoSize });
        continue;
      }
      if (answer.status === 416) {
        const received = receivedBytesOf(answer.contentRange, plan.videoSize);
        const outOfStep = uploadFailed(`The upload got out of step with TikTok. ${START_AGAIN}`, false);
        if (received === undefined) throw outOfStep;
        if (received === plan.videoSize) {
          // The final chunk arrived but its answer was lost: TikTok has every byte.
          onProgress?.({ uploadedBytes: received, totalBytes: plan.videoSize });
          return { bytesSent, chunkRetries };
        }
        const next = plan.chunks.findIndex((c) => c.start === received);
        if (next < 0) throw outOfStep;
        if (++resyncs > MAX_RESYNCS_WITHOUT_PROGRESS) {
          throw uploadFailed(`TikTok kept refusing the video's chunks. ${START_AGAIN}`, false);
        }
        // TikTok may still be busy with a chunk we gave up on: give it a moment before resending it.
        if (next === index) await sleep(retry.minTimeout, undefined, { signal });
        index = next;
        onProgress?.({ uploadedBytes: received, totalBytes: plan.videoSize });
        continue;
      }
      throw failureFor(answer.status);
    }
    return { bytesSent, chunkRetries };
  } catch (error) {
    if (signal?.aborted) throw uploadFailed('The upload was cancelled.', true, signal.reason);
    if (error instanceof AppError) throw error;
    // Why the bytes stopped is the receiving side's to say (it has the client's error).
    if (error instanceof SourceEndedError && error.cause instanceof AppError) throw error.cause;
    if (error instanceof TransientChunkError) {
      throw uploadFailed(
        "TikTok's upload service did not accept the video after several attempts. Please try again in a few minutes.",
        true,
        error,
      );
    }
    if (error instanceof LocalReadError || error instanceof SourceEndedError) {
      throw uploadFailed(
        'The uploaded video could not be read on our side. Please upload it again.',
        false,
        error,
      );
    }
    throw uploadFailed(`The video could not be sent to TikTok. ${START_AGAIN}`, false, error);
  }
}

/**
 * TikTok's upload session is gone (403: its one-hour upload_url expired; 404: TikTok dropped it).
 * Nothing of it will become a post; a caller that has the whole file may init afresh and send it
 * again from its own copy (relay.service.ts).
 */
export class UploadSessionGone extends AppError {
  constructor(message: string) {
    super('UPLOAD_FAILED', message, { retryable: false });
  }
}

function failureFor(status: number): AppError {
  switch (status) {
    case 403:
      return new UploadSessionGone(
        `TikTok's upload link expired before the video finished uploading. ${START_AGAIN}`,
      );
    case 404:
      return new UploadSessionGone(`TikTok no longer has this upload. ${START_AGAIN}`);
    case 400:
      return uploadFailed(
        `TikTok rejected the upload request. ${START_AGAIN} If it keeps failing, contact support.`,
        false,
      );
    default:
      return uploadFailed(`TikTok answered the upload unexpectedly (HTTP ${status}). ${START_AGAIN}`, false);
  }
}

/**
 * How many bytes TikTok says it has, from its `Content-Range` answer. The sandbox (and TikTok's
 * example, §2.3) writes `bytes 0-{last byte received}/{total}`, inclusive like the request header,
 * and `bytes *\/{total}` before the first byte. Anything else, or another total, is undefined.
 */
export function receivedBytesOf(header: string | undefined, videoSize: number): number | undefined {
  const match = header?.trim().match(/^bytes (?:0-(\d+)|\*)\/(\d+)$/);
  if (!match || Number(match[2]) !== videoSize) return undefined;
  if (match[1] === undefined) return 0;
  const received = Number(match[1]) + 1;
  return received <= videoSize ? received : undefined;
}

/**
 * One PUT of one chunk. Resolves with the status for any HTTP answer; rejects with
 * TransientChunkError for network failures and timeouts, LocalReadError when the file cannot be
 * read, CancelledError when the signal fires.
 */
function sendChunk(
  url: URL,
  filePath: string,
  chunk: PlannedChunk,
  videoSize: number,
  contentType: string,
  { signal, timeoutMs }: { signal: AbortSignal | undefined; timeoutMs: number },
): Promise<ChunkAnswer> {
  return new Promise<ChunkAnswer>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError('upload cancelled', { cause: signal.reason }));
      return;
    }
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, {
      method: 'PUT',
      headers: {
        'Content-Type': contentType,
        'Content-Length': String(chunk.length),
        'Content-Range': `bytes ${chunk.start}-${chunk.end}/${videoSize}`,
      },
    });
    const file = createReadStream(filePath, {
      start: chunk.start,
      end: chunk.end,
      highWaterMark: READ_BYTES,
    });
    let fileError: Error | undefined;
    file.on('error', (error) => {
      fileError = error;
    });

    const onAbort = (): void => {
      req.destroy();
      settle(() => reject(new CancelledError('upload cancelled', { cause: signal?.reason })));
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    req.setTimeout(timeoutMs, () => {
      req.destroy(new TransientChunkError(`no progress for ${timeoutMs} ms`));
    });
    req.on('response', (res) => {
      const answer = { status: res.statusCode ?? 0, contentRange: res.headers['content-range'] };
      // Bodies of upload answers are undocumented and unused; drain them so the socket is reusable.
      res.resume();
      res.on('error', () => undefined);
      // An early answer (e.g. 403 before the body was read): stop sending the rest of the chunk.
      if (!req.writableFinished) res.on('end', () => req.destroy());
      settle(() => resolve(answer));
    });
    req.on('error', (error) => {
      settle(() => {
        if (fileError) reject(new LocalReadError('could not read the video file', { cause: fileError }));
        else if (error instanceof TransientChunkError) reject(error);
        else reject(new TransientChunkError('upload request failed', { cause: error }));
      });
    });
    req.on('close', () => {
      settle(() => reject(new TransientChunkError('connection closed before an answer')));
    });
    pipeline(file, req, (error) => {
      // Errors surface through req's 'error' (or a response already settled this request).
      if (error && fileError) req.destroy(fileError);
    });
  });
}
