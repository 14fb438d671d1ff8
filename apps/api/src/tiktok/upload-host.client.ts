/**
 * TikTok's upload host: sends a video to the upload URL init gave, chunk by chunk (tiktok-api.md
 * §2.3, §4). Each chunk is streamed from a file on disk (never the whole video in memory) in its
 * own PUT with an explicit Content-Length, which is why this uses node:http and not fetch. The
 * file may still be growing: a chunk is sent once its last byte is on disk (`ChunkSource.ready`),
 * so the relay forwards each chunk while the next one is still arriving.
 */
import { open } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  UPLOAD_FAILURE_MESSAGES,
  unexpectedUploadAnswerMessage,
  type VideoContentType,
} from '@cliprelay/contract';
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
export const READ_BYTES = 1024 * 1024;
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
  const reader = new ChunkReader();
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
        const result = await sendChunk(url, reader, source.path, chunk, plan.videoSize, contentType, {
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
        const outOfStep = uploadFailed(UPLOAD_FAILURE_MESSAGES.outOfStep, false);
        if (received === undefined) throw outOfStep;
        if (received === plan.videoSize) {
          // The final chunk arrived but its answer was lost: TikTok has every byte.
          onProgress?.({ uploadedBytes: received, totalBytes: plan.videoSize });
          return { bytesSent, chunkRetries };
        }
        const next = plan.chunks.findIndex((c) => c.start === received);
        if (next < 0) throw outOfStep;
        if (++resyncs > MAX_RESYNCS_WITHOUT_PROGRESS) {
          throw uploadFailed(UPLOAD_FAILURE_MESSAGES.chunksRefused, false);
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
    if (signal?.aborted) throw uploadFailed(UPLOAD_FAILURE_MESSAGES.cancelled, true, signal.reason);
    if (error instanceof AppError) throw error;
    // Why the bytes stopped is the receiving side's to say (it has the client's error).
    if (error instanceof SourceEndedError && error.cause instanceof AppError) throw error.cause;
    if (error instanceof TransientChunkError) {
      throw uploadFailed(UPLOAD_FAILURE_MESSAGES.notAccepted, true, error);
    }
    if (error instanceof LocalReadError || error instanceof SourceEndedError) {
      throw uploadFailed(UPLOAD_FAILURE_MESSAGES.unreadable, false, error);
    }
    throw uploadFailed(UPLOAD_FAILURE_MESSAGES.notSent, false, error);
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
      return new UploadSessionGone(UPLOAD_FAILURE_MESSAGES.linkExpired);
    case 404:
      return new UploadSessionGone(UPLOAD_FAILURE_MESSAGES.sessionGone);
    case 400:
      return uploadFailed(UPLOAD_FAILURE_MESSAGES.rejected, false);
    default:
      return uploadFailed(unexpectedUploadAnswerMessage(status), false);
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
/**
 * Reads a relay's chunks from its file into two buffers of READ_BYTES, in turn, and writes them to
 * each chunk's request: the same two buffers for every chunk of the upload. A stream of the file
 * (`createReadStream`) allocates a new buffer for every read, and while TikTok reads slowly (a busy
 * machine) those outlive the young generation; the bytes they hold outside the heap then start a
 * full collection of the API's heap every few tens of MiB — most of the relay's CPU on a loaded
 * machine. A buffer is read into again only once its previous write has left for the socket, so at
 * most 2 MiB of the chunk are in flight.
 */
export class ChunkReader {
  private readonly buffers = [Buffer.allocUnsafeSlow(READ_BYTES), Buffer.allocUnsafeSlow(READ_BYTES)];
  /** Settles once the last request can no longer read from the buffers (its writes done, or closed). */
  private idle: Promise<void> = Promise.resolve();

  /** Writes bytes [start, end] of the file at `path` as the body of `req`, then ends it. */
  async send(
    path: string,
    { start, end }: { start: number; end: number },
    req: http.ClientRequest,
  ): Promise<void> {
    await this.idle;
    const closed = new Promise<true>((resolve) => req.once('close', () => resolve(true)));
    const writes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
    let release = (): void => undefined;
    this.idle = new Promise((resolve) => (release = resolve));
    const handle = await open(path, 'r').catch((error: unknown) => {
      release();
      throw error;
    });
    try {
      for (let at = start, turn = 0; at <= end; turn ^= 1) {
        // The buffer's previous bytes must have left first; a request that closed takes no more.
        if ((await Promise.race([writes[turn]!.then(() => false), closed])) || req.destroyed) return;
        const buffer = this.buffers[turn]!;
        const { bytesRead } = await handle.read(buffer, 0, Math.min(READ_BYTES, end + 1 - at), at);
        if (bytesRead === 0) throw new Error(`the file ends before byte ${end}`);
        at += bytesRead;
        const data = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
        writes[turn] = new Promise((resolve) => req.write(data, resolve));
      }
      req.end();
    } finally {
      void Promise.race([Promise.all(writes), closed]).then(release);
      await handle.close();
    }
  }
}

function sendChunk(
  url: URL,
  reader: ChunkReader,
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
    let fileError: Error | undefined;

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
    // Errors surface through req's 'error' (or a response already settled this request).
    reader.send(filePath, chunk, req).catch((error: unknown) => {
      fileError = error instanceof Error ? error : new Error(String(error));
      req.destroy(fileError);
    });
  });
}
