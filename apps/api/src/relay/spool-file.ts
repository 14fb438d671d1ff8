/**
 * The video as it arrives, on our disk: a private temp file written front to back, that the relay
 * reads chunk by chunk as soon as each chunk's bytes are written — while the next ones are still
 * arriving. Nothing of the video is held in memory beyond a stream's buffer, and every byte sent
 * to TikTok can be read again (a chunk retried, a 416 resync) without asking the client twice.
 *
 * `ready(end)` waits until bytes [0, end) are on disk; it rejects once the file can never get
 * there (the writer failed, or the file ended short). The owner removes the file on every path.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { VideoContentType } from '@cliprelay/contract';
import { batchedFileWriter } from './batched-file-writer.ts';

/** `upload-<pid>-<uuid>.part`: the pid of the process writing it (older files: `upload-<uuid>.part`). */
export const SPOOL_FILE_PATTERN = /^upload-(?:(\d+)-)?[0-9a-f-]{36}\.part$/;

interface Waiter {
  end: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class SpoolFile {
  /** Bytes written to disk so far (readable by anyone now). */
  written = 0;
  /** The container sniffed from the first bytes: known before the first byte is written. */
  contentType: VideoContentType | undefined;
  private ended: { size: number } | undefined;
  private failure: { error: unknown } | undefined;
  private waiters: Waiter[] = [];
  private removal: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Creates `<dir>/upload-<pid>-<uuid>.part`, mode 0600. */
  static async create(dir: string): Promise<SpoolFile> {
    const path = join(dir, `upload-${process.pid}-${randomUUID()}.part`);
    return new SpoolFile(path, await open(path, 'wx', 0o600));
  }

  /** The file's size once the writer finished; undefined while bytes may still come. */
  get size(): number | undefined {
    return this.ended?.size;
  }

  /** A sink for the video's bytes, in order, written in batches of 1 MiB; each counts once it is on disk. */
  writer(): Writable {
    return batchedFileWriter(this.handle, this.written, (bytes) => {
      this.written += bytes;
      this.wake();
    });
  }

  /** The writer is done: `written` is the whole file. Waiters past it are told it ended short. */
  end(): void {
    this.ended = { size: this.written };
    this.wake();
  }

  /** The bytes will never all arrive: every waiter, now and later, rejects with `error`. */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.wake();
  }

  /** Resolves once bytes [0, end) are on disk. */
  ready(end: number, signal?: AbortSignal): Promise<void> {
    if (end <= this.written) return Promise.resolve();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the writer's own error, passed on as it came
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.reject(endedShort(this.ended.size, end));
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        end,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as it came
          reject(error);
        },
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Closes and deletes the file; safe to call more than once, and on every path. */
  remove(): Promise<void> {
    this.fail(new Error('the spool file was removed'));
    return (this.removal ??= this.handle
      .close()
      .catch(() => undefined)
      .then(() => rm(this.path, { force: true })));
  }

  private wake(): void {
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.end <= this.written) waiter.resolve();
      else if (this.failure) waiter.reject(this.failure.error);
      else if (this.ended) waiter.reject(endedShort(this.ended.size, waiter.end));
      else still.push(waiter);
    }
    this.waiters = still;
  }
}

function endedShort(size: number, end: number): Error {
  return new Error(`the file ended at ${size} bytes, before byte ${end}`);
}
