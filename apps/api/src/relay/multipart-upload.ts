/**
 * Receives the seed's multipart upload (metadata fields first, then `file`) and streams the video
 * into a spool file on our disk (spool-file.ts), never holding it in memory; the relay may read
 * each chunk as soon as it is written. The caller owns the spool file and removes it.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileTooLargeMessage, messageFor, type VideoContentType } from '@cliprelay/contract';
import busboy from 'busboy';
import { AppError } from '../common/app-error.ts';
import { useNativeBoundarySearch } from './boundary-search.ts';
import { SPOOL_FILE_PATTERN, type SpoolFile } from './spool-file.ts';

export const FILE_FIELD = 'file';
export const DEFAULT_MAX_FIELD_BYTES = 16 * 1024;
/** Room for boundaries, part headers and metadata fields on top of the file in a multipart body. */
export const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The request as the relay reads it: no framework objects. */
export interface UploadRequest {
  headers: IncomingHttpHeaders;
  body: Readable & { complete?: boolean };
}

export interface ReceivedFile {
  size: number;
  /** The MIME type the client declared. */
  mimeType: string;
  originalName: string;
  /** The container sniffed from the first bytes: what the upload PUT to TikTok declares. */
  contentType: VideoContentType;
}

export interface ReceivedUpload {
  fields: Record<string, string>;
  file: ReceivedFile;
}

export interface ReceiveMultipartOptions {
  /** Where the file part's bytes go; ended when the part is whole, failed on any error. */
  spool: SpoolFile;
  maxFileBytes: number;
  /** Longest accepted metadata value (default 16 KiB). */
  maxFieldBytes?: number;
  /** Metadata fields that may appear (each at most once); `file` is implied. */
  allowedFields: readonly string[];
  /**
   * Called with the fields when the file part starts, before a byte of it is stored: a check
   * that fails here (bad settings, an account that cannot post) refuses the upload at once
   * instead of after gigabytes. It may return the file's size as the client declared it: then
   * the part must have exactly that many bytes (more is refused as soon as it is seen).
   */
  beforeFile?: (
    fields: Readonly<Record<string, string>>,
    part: { fileName: string },
  ) => Promise<{ declaredSize?: number } | void>;
  /** Stops reading (the relay to TikTok failed): rejects with the signal's reason. */
  signal?: AbortSignal;
}

export function fileTooLargeError(maxFileBytes: number): AppError {
  return new AppError('FILE_TOO_LARGE', fileTooLargeMessage({ limitBytes: maxFileBytes }));
}

export function validationFailed(detail: string): AppError {
  return new AppError('VALIDATION_FAILED', 'Validation failed', { details: [detail] });
}

const NOT_A_VIDEO = messageFor('UNSUPPORTED_MEDIA');

export function notAVideo(): AppError {
  return new AppError('UNSUPPORTED_MEDIA', NOT_A_VIDEO);
}

function malformed(message: string, cause?: unknown): AppError {
  return new AppError('UNSUPPORTED_MEDIA', message, { cause });
}

/**
 * Whether the request's Content-Length alone proves the body is too large (file limit plus the
 * multipart overhead), so the controller can answer 413 without reading a byte. A missing or
 * unparsable Content-Length proves nothing: the streaming limit still applies.
 */
export function exceedsDeclaredLength(
  req: Pick<UploadRequest, 'headers'>,
  maxFileBytes: number,
  overheadBytes = MULTIPART_OVERHEAD_BYTES,
): boolean {
  const header = req.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return false;
  return Number(header) > maxFileBytes + overheadBytes;
}

/**
 * Deletes the upload temp files in `tmpDir` that a dead process left behind: at once when the
 * process named in the file is gone (a SIGKILL, a crash), and any not written to for
 * `olderThanMs` (its pid reused, or an older name). Run at boot, before this process takes an
 * upload: a file named with its own pid is stale too. Returns how many were deleted;
 * a missing directory counts as empty. Processes sharing `tmpDir` must share a machine (pids).
 */
export async function sweepStaleUploads(tmpDir: string, olderThanMs: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(tmpDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  for (const name of names) {
    const match = SPOOL_FILE_PATTERN.exec(name);
    if (!match) continue;
    const pid = match[1] === undefined ? undefined : Number(match[1]);
    // At boot no upload of ours is running yet: a file named with our pid is an earlier
    // process's that had the same pid (a container's process is pid 1 on every start).
    const ownerGone = pid !== undefined && (pid === process.pid || !processAlive(pid));
    const path = join(tmpDir, name);
    try {
      const info = await stat(path);
      if (!info.isFile() || (info.mtimeMs > cutoff && !ownerGone)) continue;
      await rm(path);
      removed++;
    } catch (error) {
      // Finished (and cleaned up) by its request while we looked: nothing to sweep.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}

/**
 * Parses a multipart request with busboy: metadata fields (only `allowedFields`, each once) and
 * exactly one `file`, streamed into `opts.spool`.
 *
 * Rejects with AppError: FILE_TOO_LARGE over `maxFileBytes`; UNSUPPORTED_MEDIA when the declared
 * type is not video/*, when the first bytes are not MP4/MOV (`ftyp` at offset 4) or WebM (EBML),
 * or when the body is not a complete multipart form (including a client that went away);
 * VALIDATION_FAILED for a missing file, an unknown, repeated or overlong field, a second file, or
 * a file whose size is not the one declared. Whatever the failure, the spool file is failed with
 * it (the relay reading it stops) before the promise settles.
 */
export async function receiveMultipartVideo(
  req: UploadRequest,
  opts: ReceiveMultipartOptions,
): Promise<ReceivedUpload> {
  try {
    return await parseRequest(req, opts);
  } catch (error) {
    opts.spool.fail(error);
    throw error;
  }
}

async function parseRequest(req: UploadRequest, opts: ReceiveMultipartOptions): Promise<ReceivedUpload> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { fileSize: opts.maxFileBytes + 1, fieldSize: opts.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES },
    });
  } catch (cause) {
    // Not multipart/form-data, or no boundary.
    throw malformed('The upload must be a multipart/form-data request.', cause);
  }
  // Every byte of the video passes busboy's boundary search: done natively (boundary-search.ts).
  useNativeBoundarySearch(parser);

  const fields: Record<string, string> = {};
  const stopFile = new AbortController();
  let fileTask: Promise<ReceivedFile> | undefined;

  const parsed = new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: Error): void => {
      failed = true;
      reject(error);
    };
    const discard = (stream: Readable, error: AppError): void => {
      skip(stream);
      fail(error);
    };

    parser.on('field', (name, value, info) => {
      if (name === FILE_FIELD) return fail(validationFailed('file must be a video file'));
      if (!opts.allowedFields.includes(name))
        return fail(validationFailed(`property ${name} should not exist`));
      if (Object.hasOwn(fields, name)) return fail(validationFailed(`${name} must be sent only once`));
      if (info.valueTruncated) return fail(validationFailed(`${name} is too long`));
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      // A body that ends while beforeFile runs destroys this part with "Unexpected end of form":
      // unheard, that error would be uncaught and take the process down (the failure itself
      // reaches us through the parser's own error).
      stream.on('error', () => undefined);
      // Parts already buffered keep coming after a failure: never start a temp file for them.
      if (failed) return void skip(stream);
      if (name !== FILE_FIELD) return discard(stream, validationFailed(`property ${name} should not exist`));
      if (fileTask) return discard(stream, validationFailed('only one file may be uploaded'));
      if (!info.mimeType.toLowerCase().startsWith('video/')) return discard(stream, notAVideo());
      const save = (declared: { declaredSize?: number } | void) =>
        saveFile(stream, info, opts.spool, opts.maxFileBytes, declared?.declaredSize, stopFile.signal);
      // Until beforeFile settles the part is not read, so busboy holds back the rest of the body.
      fileTask = opts.beforeFile
        ? opts
            .beforeFile({ ...fields }, { fileName: info.filename ?? 'video' })
            .then(save, (error: unknown) => {
              skip(stream);
              throw error;
            })
        : save();
      fileTask.catch(fail);
    });
    parser.on('error', (cause) =>
      fail(malformed('The upload could not be read as a multipart form.', cause)),
    );
    parser.on('close', () => resolve());

    const interrupted = (cause?: unknown): void =>
      fail(malformed('The upload was interrupted before the whole video arrived.', cause));
    const { body } = req;
    const { signal } = opts;
    body.on('error', interrupted);
    body.on('close', () => {
      if (body.complete === false) interrupted();
    });
    if (signal?.aborted) return fail(signal.reason as Error);
    signal?.addEventListener('abort', () => fail(signal.reason as Error), { once: true });
    body.pipe(parser);
  });

  try {
    await parsed;
    if (!fileTask) throw validationFailed('file is required');
    return { fields, file: await fileTask };
  } catch (error) {
    // Stop reading, close the temp file (the caller deletes it), then let the rest of the body
    // drain so an error answer can still reach the client.
    req.body.unpipe(parser);
    stopFile.abort(error);
    await fileTask?.catch(() => undefined);
    parser.destroy();
    req.body.resume();
    throw error;
  }
}

/**
 * Reads a file part we do not keep. It needs an error listener: destroying the parser (every
 * failure does) destroys the open part with "Unexpected end of file", which would otherwise be an
 * uncaught exception and take the whole process down.
 */
function skip(stream: Readable): void {
  stream.on('error', () => undefined);
  stream.resume();
}

async function saveFile(
  stream: Readable & { truncated?: boolean },
  info: busboy.FileInfo,
  spool: SpoolFile,
  maxFileBytes: number,
  declaredSize: number | undefined,
  signal: AbortSignal,
): Promise<ReceivedFile> {
  const sniffer = new VideoSniffer(maxFileBytes, declaredSize, (type) => (spool.contentType = type));
  try {
    await pipeline(stream, sniffer, spool.writer(), { signal });
  } catch (error) {
    // An abort wraps the reason that stopped us; report that reason, not the AbortError.
    throw signal.aborted ? (signal.reason as unknown) : error;
  }
  if (stream.truncated) throw fileTooLargeError(maxFileBytes);
  spool.end();
  return {
    size: sniffer.bytes,
    mimeType: info.mimeType,
    originalName: info.filename ?? 'video',
    contentType: sniffer.contentType!,
  };
}

const SNIFF_BYTES = 12;

/** The client said `video_size` and sent another number of bytes. */
function sizeMismatch(declared: number, got: string): AppError {
  const message = `The video has ${got} bytes, but video_size said ${declared}. Send the file's exact size in video_size.`;
  return new AppError('VALIDATION_FAILED', message, { details: [message] });
}

/**
 * Passes the file through, counting bytes (FILE_TOO_LARGE past the limit; with a declared size,
 * VALIDATION_FAILED as soon as it is passed or when the file ends short of it) and checking the
 * first bytes for a container TikTok accepts: MP4/MOV (`ftyp` box at offset 4; brand `qt  ` is
 * MOV) or WebM (EBML magic 1A 45 DF A3). `onSniffed` hears the container before a byte passes.
 */
class VideoSniffer extends Transform {
  bytes = 0;
  contentType: VideoContentType | undefined;
  private head: Buffer[] = [];
  private headBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly declaredSize: number | undefined,
    private readonly onSniffed: (type: VideoContentType) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.declaredSize !== undefined && this.bytes > this.declaredSize) {
      return done(sizeMismatch(this.declaredSize, `more than ${this.declaredSize}`));
    }
    if (this.bytes > this.maxBytes) return done(fileTooLargeError(this.maxBytes));
    if (this.contentType) return done(null, chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) return done();
    this.passHead(done);
  }

  override _flush(done: TransformCallback): void {
    if (this.declaredSize !== undefined && this.bytes !== this.declaredSize) {
      return done(sizeMismatch(this.declaredSize, `only ${this.bytes}`));
    }
    if (this.contentType) return done();
    // Fewer than SNIFF_BYTES in the whole file: a WebM could still be recognised, nothing else.
    this.passHead(done);
  }

  private passHead(done: TransformCallback): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.contentType = sniffContainer(head);
    if (!this.contentType) return done(notAVideo());
    this.onSniffed(this.contentType);
    done(null, head);
  }
}

export function sniffContainer(head: Buffer): VideoContentType | undefined {
  if (head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp') {
    return head.toString('latin1', 8, 12) === 'qt  ' ? 'video/quicktime' : 'video/mp4';
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'video/webm';
  return undefined;
}
