/**
 * The upload host: PUT {upload_url} with one chunk per request (§2.3, §4). Chunks are written
 * straight into the assembled file at their offset; nothing holds a whole chunk, let alone a
 * video, in memory.
 */
import { open, truncate } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type Request, type Response, type Router } from 'express';
import { finalChunkSize } from './chunk-plan.ts';
import { type SandboxContext, playFault, takeFault } from './context.ts';
import { completeTransfer, hashOf, hashes } from './processing.ts';
import type { Fault, Publish, UploadSession } from './state.ts';

const CONTENT_TYPES = ['video/mp4', 'video/quicktime', 'video/webm'];

function progressHeader(session: UploadSession): string {
  return session.received_bytes > 0
    ? `bytes 0-${session.received_bytes - 1}/${session.video_size}`
    : `bytes */${session.video_size}`;
}

/** Beyond this a rejected body is not read; the connection is closed instead. */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024;

/**
 * Answers an error after reading the chunk, as an upload host does, so the client sees the
 * status instead of a reset connection; an oversized body gets the answer and a closed connection.
 */
async function reject(
  req: Request,
  res: Response,
  status: number,
  message: string,
  session?: UploadSession,
): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared <= MAX_DRAIN_BYTES) await drain(req);
  else res.setHeader('connection', 'close');
  if (session) res.setHeader('content-range', progressHeader(session));
  res
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ error: { code: status, message } }));
}

/**
 * Plays an upload fault. An injected 4xx is the upload host's own answer, so like every other it
 * says what the host has (§2.3): a 416 then tells the client where to resume — the chunk's start
 * if it was not kept, the next chunk's with `after_receive`. Gateway 5xx and resets say nothing.
 */
function playUploadFault(
  ctx: SandboxContext,
  fault: Fault,
  req: Request,
  res: Response,
  session: UploadSession,
): Promise<boolean> {
  if (!fault.reset && fault.http_status !== undefined && fault.http_status < 500) {
    res.setHeader('content-range', progressHeader(session));
  }
  return playFault(ctx, fault, req, res, 'empty');
}

function chunkIndexOf(session: UploadSession, firstByte: number | undefined): number | undefined {
  if (firstByte === undefined) return undefined;
  return Math.min(Math.floor(firstByte / session.chunk_size), session.total_chunk_count - 1);
}

export function uploadRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  router.put(['/upload/', '/video/'], async (req, res) => {
    ctx.state.countCall('upload');
    const uploadId = typeof req.query.upload_id === 'string' ? req.query.upload_id : '';
    const p = ctx.state.uploads.get(uploadId);
    const session = p?.upload;
    if (!p || !session || req.query.upload_token !== session.upload_token) {
      return reject(req, res, 404, 'No upload task for this upload_url.');
    }
    const range = parseContentRange(req.headers['content-range']);
    const fault = takeFault(ctx, 'upload', {
      open_id: p.open_id,
      chunk_index: chunkIndexOf(session, range?.first),
    });
    if (fault && !fault.after_receive) {
      // A failing answer comes after the body went through (a gateway error): read it, store nothing.
      const answers = !fault.reset && (fault.http_status !== undefined || fault.error_code !== undefined);
      if (answers) await drain(req);
      if (await playUploadFault(ctx, fault, req, res, session)) return;
    }
    if (ctx.clock.now() >= session.expires_at)
      return reject(req, res, 403, 'The upload_url has expired.', session);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!CONTENT_TYPES.includes(type)) {
      return reject(req, res, 400, 'Content-Type must be video/mp4, video/quicktime or video/webm.', session);
    }
    const lengthHeader = req.headers['content-length'];
    if (lengthHeader === undefined || !/^\d+$/.test(lengthHeader) || req.headers['transfer-encoding']) {
      return reject(req, res, 400, 'Content-Length is required.', session);
    }
    const length = Number(lengthHeader);
    if (!range)
      return reject(req, res, 400, 'Content-Range must be "bytes {first}-{last}/{total}".', session);
    if (range.total !== session.video_size) {
      return reject(req, res, 400, 'Content-Range total does not match video_size.', session);
    }
    if (range.last < range.first || range.last - range.first + 1 !== length) {
      return reject(req, res, 400, 'Content-Range does not match Content-Length.', session);
    }
    if (session.busy || range.first !== session.received_bytes) {
      return reject(req, res, 416, 'Content-Range does not match the upload progress.', session);
    }
    const index = Math.floor(range.first / session.chunk_size);
    const isLast = index === session.total_chunk_count - 1;
    const expected = isLast ? finalChunkSize(session) : session.chunk_size;
    if (length !== expected) {
      return reject(
        req,
        res,
        400,
        `This chunk must be ${expected} bytes (chunk ${index + 1} of ${session.total_chunk_count}).`,
        session,
      );
    }
    session.busy = true;
    try {
      const written = await writeChunk(p, req, range.first, length);
      if (written !== length) {
        res.setHeader('connection', 'close');
        res.setHeader('content-range', progressHeader(session));
        res.status(400).json({ error: { code: 400, message: 'The body does not match Content-Length.' } });
        return;
      }
      session.received_bytes += length;
      p.received_bytes = session.received_bytes;
      const done = session.received_bytes === session.video_size;
      if (done) completeTransfer(ctx, p);
      // The chunk is kept; its answer is slow, lost or an error (a response dropped on the way).
      if (fault?.after_receive && (await playUploadFault(ctx, fault, req, res, session))) return;
      res.setHeader('content-range', progressHeader(session));
      res.status(done ? 201 : 206).end();
    } catch {
      // The client went away mid-chunk: nothing of it was kept.
      if (!res.headersSent && !req.socket.destroyed) {
        res.setHeader('connection', 'close');
        res.status(400).json({ error: { code: 400, message: 'The chunk was not received completely.' } });
      }
    } finally {
      session.busy = false;
    }
  });
  return router;
}

/**
 * Bytes gathered before each write to the file. A socket hands the body over in buffers of at most
 * 64 KiB; one write each (what `fs.createWriteStream` does) cost ~1.6 CPU-seconds per GiB here
 * against ~0.6 for 1 MiB `writev`s of the same buffers.
 */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Streams the body into the file at `offset`, hashing as it goes. On any shortfall the file is
 * cut back and the running hash left as it was, so a retried chunk starts clean.
 */
async function writeChunk(p: Publish, req: Request, offset: number, length: number): Promise<number> {
  const hash = hashOf(p).copy();
  const file = await open(p.file_path, offset === 0 ? 'w' : 'r+');
  let count = 0;
  let position = offset;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    const buffers = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    writing = (async () => {
      if (bytes === 0) return;
      const { bytesWritten } = await file.writev(buffers, position);
      if (bytesWritten !== bytes) throw new Error(`short write: ${bytesWritten} of ${bytes} bytes`);
      position += bytes;
    })();
    return writing;
  };
  const sink = new Writable({
    highWaterMark: WRITE_BATCH_BYTES,
    write(chunk: Buffer, _enc, done) {
      count += chunk.length;
      if (count > length) return done(new Error('body longer than Content-Length'));
      hash.update(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < WRITE_BATCH_BYTES) return done();
      flush().then(() => done(), done);
    },
    final(done) {
      flush().then(() => done(), done);
    },
  });
  try {
    await pipeline(req, sink);
  } catch (error) {
    // A write still under way would land after the cut: let it finish first.
    await writing.catch(() => undefined);
    await file.close().catch(() => undefined);
    await truncate(p.file_path, offset).catch(() => undefined);
    throw error;
  }
  await file.close();
  if (count !== length) {
    await truncate(p.file_path, offset).catch(() => undefined);
    return count;
  }
  hashes.set(p, hash);
  return count;
}

async function drain(req: Request): Promise<void> {
  if (req.readableEnded) return;
  await new Promise<void>((resolve) => {
    req.on('end', resolve);
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.resume();
  });
}

function parseContentRange(
  header: string | undefined,
): { first: number; last: number; total: number } | undefined {
  const match = header?.match(/^bytes (\d+)-(\d+)\/(\d+)$/);
  if (!match) return undefined;
  return { first: Number(match[1]), last: Number(match[2]), total: Number(match[3]) };
}
