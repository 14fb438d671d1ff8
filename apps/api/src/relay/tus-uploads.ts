/**
 * Resumable uploads: the tus protocol (tus.io, v1.0.0, with the creation and termination
 * extensions) at /tiktok/uploads, served by @tus/server over a file store in UPLOAD_TMP_DIR/tus.
 * A connection lost mid-upload resumes where it stopped: the client asks the offset (HEAD) and
 * PATCHes from there; nothing it sent is asked for again.
 *
 * The creation POST carries the publish form as Upload-Metadata and the size as Upload-Length:
 * the settings are checked and TikTok's init runs before it is answered (a refusal is the
 * creation's answer), and the post exists from then on (`upload_id` on its row). The relay then
 * runs beside the upload, in this process: each chunk goes to TikTok once its bytes are on disk,
 * whichever PATCH brought them (relay.service.ts `startRelay`). The file stays on disk until the
 * relay ends — TikTok has every byte, the post failed, the user cancelled (DELETE), or no byte came
 * for an hour — and is removed on each of those ends; recovery sweeps what a dead process left.
 *
 * A relay outlives its process. One holds PostgreSQL's advisory lock on its post while it runs
 * (let go by a process that dies). When this process stops, its relays are suspended, not failed:
 * the post stays `uploading` and its file stays. The next process that finds the file — at boot,
 * in its sweep, or when the client comes back (HEAD, PATCH) — takes the relay over: it asks TikTok
 * whether it has every byte already (then the post is followed), else inits afresh (the upload URL
 * died with the old process) and sends the file from disk while the client resumes where it
 * stopped (relay.service.ts `resume`). A resumable upload nobody takes over for an hour is left to
 * recovery, which asks TikTok and fails it (post-follower.ts).
 */
import { HttpException, Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Server } from '@tus/server';
import { Metadata, type Upload } from '@tus/utils';
import { MAX_VIDEO_BYTES, type UploadPublishData } from '@cliprelay/contract';
import { open, readdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';
import { AppError } from '../common/app-error.ts';
import { InjectLogger, type Logger } from '../common/logger.ts';
import { errorBody } from '../common/error.filter.ts';
import { type AppRequest, requestIdOf } from '../common/request.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { DB_HANDLE } from '../db/database.module.ts';
import type { KeyedAttempt } from '../publish/idempotency.ts';
import { RESUMABLE_IDLE_SEC } from '../publish/post-follower.ts';
import { PostsRepository } from '../publish/posts.repository.ts';
import { UPLOAD_FIELD_NAMES } from '../publish/publish.dto.ts';
import { PublishService } from '../publish/publish.service.ts';
import type { ChunkSource } from '../tiktok/upload-host.client.ts';
import { notAVideo, sniffContainer, validationFailed } from './multipart-upload.ts';
import { cancelled, RelayService, RelaySuspended } from './relay.service.ts';
import { readPatchBodiesFromNode, RelayFileStore } from './tus-file-store.ts';

/** The route the tus endpoint answers on (creation), and below it each upload's URL. */
export const TUS_PATH = '/tiktok/uploads';
/** A relay that waits this long for its next byte gives up, and its upload is removed. */
const IDLE_LIMIT_MS = RESUMABLE_IDLE_SEC * 1000;
/**
 * How often a waiting relay looks at the file's size: the bytes this process writes are told to it
 * as they land (RelayFileStore), those another process writes into the same folder show only so.
 */
const POLL_MS = 250;

const IDLE_MESSAGE =
  'The upload stopped for more than an hour, so it was cancelled. Nothing was posted; please upload the video again.';

/** A running relay of this process, by upload id. */
interface Relay {
  postId: string;
  stop: AbortController;
  done: Promise<unknown>;
  /** The store wrote the upload's file up to `end`. */
  written: (end: number) => void;
  /** The client sent its last byte (tus onUploadFinish): the file may go once the relay ends. */
  received: boolean;
}

/** Sweeps upload files no live relay needs this often (and at boot). */
const SWEEP_EVERY_MS = 10 * 60 * 1000;

@Injectable()
export class TusUploads implements OnModuleInit, OnModuleDestroy {
  readonly directory: string;
  private readonly server: Server;
  private readonly relays = new Map<string, Relay>();
  /** The tus requests being served: a PATCH still sending when this process stops is cut. */
  private readonly requests = new Set<IncomingMessage>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly relay: RelayService,
    private readonly publish: PublishService,
    private readonly posts: PostsRepository,
    @Inject(DB_HANDLE) private readonly database: DatabaseHandle,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.directory = join(config.uploadTmpDir, 'tus');
    const store = new RelayFileStore(this.directory, IDLE_LIMIT_MS, (id, end) =>
      this.relays.get(id)?.written(end),
    );
    const options: ConstructorParameters<typeof Server>[0] = {
      path: TUS_PATH,
      datastore: store,
      maxSize: MAX_VIDEO_BYTES,
      relativeLocation: true,
      namingFunction: () => crypto.randomUUID(),
      onUploadCreate: (req, upload) => this.create(nodeRequest(req), upload),
      onUploadFinish: async (_req, upload) => {
        const running = this.relays.get(upload.id);
        if (running) running.received = true;
        else await this.remove(upload.id);
        return {};
      },
      // Our errors answer as every endpoint of ours does (code, message, requestId).
      onResponseError: (req, err) => {
        // @tus/server's own refusals ({ status_code, body }) too, with their status.
        const error = err instanceof Error ? err : new HttpException(err.body.trim(), err.status_code);
        const body = errorBody(error, requestIdOf(nodeRequest(req)));
        if (body.statusCode >= 500) this.logger.error({ err, code: body.code }, 'resumable upload failed');
        // As our error filter does: a limit says when to come back.
        if (body.retryAfterSec !== undefined) {
          nodeResponse(req)?.setHeader('Retry-After', String(body.retryAfterSec));
        }
        return { status_code: body.statusCode, body: JSON.stringify(body) };
      },
    };
    this.server = new Server(options);
    readPatchBodiesFromNode(this.server, store);
  }

  /** Serves one tus request (the caller checked the bearer and that the upload is the user's). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const problem = tusHeaderProblem(req);
    if (problem) return Promise.reject(new HttpException(problem.message, problem.status));
    this.requests.add(req);
    res.once('close', () => this.requests.delete(req));
    return this.server.handle(req, res);
  }

  /**
   * The client is here for an upload whose post is still `uploading`: a relay must be running,
   * here or in another process; none is when the process that ran it stopped, so this one takes
   * it over (while the client's HEAD and PATCH go on).
   */
  ensureRelay(uploadId: string, postId: string): void {
    if (!this.relays.has(uploadId)) this.takeOver(uploadId, postId);
  }

  /** The user cancelled (DELETE): the relay stops, the post fails as cancelled, the file goes. */
  async cancel(uploadId: string, postId: string): Promise<void> {
    const running = this.relays.get(uploadId);
    if (running) {
      running.stop.abort(cancelled());
      await running.done.catch(() => undefined);
      return;
    }
    await this.publish.fail(postId, cancelled());
    await this.remove(uploadId);
  }

  onModuleInit(): void {
    const sweep = () =>
      void this.sweep().catch((e: unknown) =>
        this.logger.warn({ err: e }, 'could not sweep resumable uploads'),
      );
    sweep();
    this.sweeper = setInterval(sweep, SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    // Stopping (a deploy, Ctrl-C): the next process takes the relays over; their files stay.
    const stopping = new RelaySuspended('this process is stopping');
    for (const running of this.relays.values()) running.stop.abort(stopping);
    // A PATCH would hold the shutdown for as long as its client sends: its client resumes (HEAD,
    // then PATCH from the offset) at the next process instead. What arrived so far is kept.
    for (const req of this.requests) req.destroy();
    await Promise.all([...this.relays.values()].map((r) => r.done.catch(() => undefined)));
  }

  /** Removes an upload's file and its info; a missing one is fine. */
  private async remove(uploadId: string): Promise<void> {
    await this.server.datastore.remove(uploadId).catch(() => undefined);
  }

  /**
   * The boot sweep and every SWEEP_EVERY_MS: an upload file whose post still uploads has its relay
   * taken over if none runs; every other one (its post ended, or none) is removed.
   */
  async sweep(): Promise<number> {
    const names = await readdir(this.directory).catch(() => [] as string[]);
    const ids = new Set(names.map((n) => n.replace(/\.json$/, '')));
    let removed = 0;
    for (const id of ids) {
      if (this.relays.has(id)) continue;
      const post = await this.posts.findByUploadId(id);
      if (post?.localStatus === 'uploading') {
        this.takeOver(id, post.id);
        continue;
      }
      await this.remove(id);
      removed++;
    }
    return removed;
  }

  /**
   * Takes over the relay of an upload whose process stopped, when its post still uploads and no
   * other process holds the relay's lock (relay.service.ts `resume`).
   */
  private takeOver(uploadId: string, postId: string): void {
    this.run(uploadId, postId, async (source, signal) => {
      // Read under the lock: the process that held it may have ended the post meanwhile.
      const now = await this.posts.findById(postId);
      if (now?.localStatus !== 'uploading') return undefined;
      this.logger.info({ uploadId, postId }, 'taking over a resumable upload’s relay');
      const send = await this.relay.resume(now);
      return send?.(source, signal);
    });
  }

  /** The creation POST: the form's checks, TikTok's init, then the relay beside the upload. */
  private async create(req: AppRequest, upload: Upload): Promise<{ metadata?: Upload['metadata'] }> {
    const user = req.user;
    if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to upload.');
    const size = upload.size;
    if (size === undefined) {
      throw validationFailed('Upload-Length is required: send the video’s size when the upload is created.');
    }
    const meta = upload.metadata ?? {};
    const accountId = meta.social_account_id;
    if (!accountId) throw validationFailed('social_account_id is required in Upload-Metadata.');
    const fields: Record<string, string> = {};
    for (const name of UPLOAD_FIELD_NAMES) {
      const value = meta[name];
      if (typeof value === 'string') fields[name] = value;
    }
    fields.video_size = String(size);
    const key = req.headers['idempotency-key'];
    const begun = await this.relay.begin(
      user.id,
      accountId,
      fields,
      typeof key === 'string' ? key : undefined,
    );
    if ('replay' in begun) {
      throw new AppError('IDEMPOTENCY_KEY_IN_USE', 'This video was already submitted. Look at your posts.');
    }
    const { keyed, prepared } = begun;
    try {
      const relay = await this.relay.startRelay(
        user.id,
        prepared,
        { size, fileName: meta.filename ?? 'video', uploadId: upload.id },
        keyed.onPost,
      );
      this.run(upload.id, relay.postId, relay.send, keyed);
      return {};
    } catch (error) {
      await keyed.failed();
      throw error;
    }
  }

  /**
   * The relay of one upload, beside its PATCHes, under the post's lock (another process holding it
   * relays the upload itself). Its end removes the upload's file, unless it was suspended.
   */
  private run(
    uploadId: string,
    postId: string,
    send: (source: ChunkSource, signal: AbortSignal) => Promise<UploadPublishData | undefined>,
    keyed: KeyedAttempt<UploadPublishData> = NO_KEY,
  ): void {
    const stop = new AbortController();
    const source = this.growingFile(uploadId);
    let sent = false;
    let suspended = false;
    const done = this.database
      .whileLocked(`relay:${postId}`, async () => {
        try {
          const result = await send(source.source, stop.signal);
          sent = true;
          if (result) await keyed.succeeded(result);
        } catch (error) {
          suspended = error instanceof RelaySuspended;
          if (suspended) return;
          await keyed.failed();
          this.logger.warn(
            { uploadId, postId, code: error instanceof AppError ? error.code : 'INTERNAL' },
            'resumable upload ended without reaching tiktok',
          );
        }
      })
      .catch((error: unknown) => {
        this.logger.error({ err: error, uploadId, postId }, 'resumable upload relay failed');
        return { ran: true as const, value: undefined };
      })
      .then(async (lock) => {
        const entry = this.relays.get(uploadId);
        this.relays.delete(uploadId);
        // Another process relays it; or this one stopped and the next one takes it over.
        if (!lock.ran || suspended) return;
        // TikTok has it all, and the client's last PATCH is still being answered: its
        // onUploadFinish finds no relay and removes the file then.
        if (sent && entry && !entry.received) return;
        await this.remove(uploadId);
      });
    this.relays.set(uploadId, { postId, stop, done, written: source.written, received: false });
  }

  /**
   * The upload's file as the relay reads it: it grows as PATCHes write, so `ready` waits until the
   * bytes a chunk needs are on disk — told by the store as each batch lands (`written`), or seen in
   * the file's size (looked at when `ready` starts, and every POLL_MS while it waits: bytes an
   * earlier or another process wrote).
   */
  private growingFile(uploadId: string): { source: ChunkSource; written: (end: number) => void } {
    const path = join(this.directory, uploadId);
    let contentType: ChunkSource['contentType'];
    let lastByteAt = Date.now();
    let size = 0;
    let waiting: { end: number; wake: () => void } | undefined;
    const grew = (end: number) => {
      if (end <= size) return;
      size = end;
      lastByteAt = Date.now();
      if (waiting && size >= waiting.end) waiting.wake();
    };
    const statSize = async () => grew((await stat(path).catch(() => undefined))?.size ?? 0);
    /** Resolves once the bytes reach `end`, POLL_MS passed (then true), or `signal` fired. */
    const wait = (end: number, signal: AbortSignal | undefined) =>
      new Promise<boolean>((resolve) => {
        const done = (polled: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          waiting = undefined;
          resolve(polled);
        };
        const onAbort = () => done(false);
        const timer = setTimeout(() => done(true), POLL_MS);
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting = { end, wake: () => done(false) };
      });
    const source: ChunkSource = {
      path,
      get contentType() {
        return contentType;
      },
      ready: async (end, signal) => {
        await statSize();
        for (;;) {
          signal?.throwIfAborted();
          // The first 12 bytes tell the container (a shorter file: what there is of it).
          if (!contentType && (size >= 12 || size >= end)) contentType = await sniff(path);
          if (size >= end) return;
          if (Date.now() - lastByteAt > IDLE_LIMIT_MS) throw new AppError('UPLOAD_FAILED', IDLE_MESSAGE);
          // Woken as soon as the container can be told, then once the chunk is all there.
          if (await wait(contentType ? end : Math.min(end, 12), signal)) await statSize();
        }
      },
    };
    return { source, written: grew };
  }
}

/** A relay taken over from another process: its Idempotency-Key reads the post (idempotency.ts). */
const NO_KEY: KeyedAttempt<UploadPublishData> = {
  onPost: () => Promise.resolve(),
  succeeded: (result) => Promise.resolve(result),
  failed: () => Promise.resolve(),
};

/** The Node request under @tus/server's web Request: our auth guard put the user on it. */
function nodeRequest(req: { runtime?: { node?: { req: unknown } } }): AppRequest {
  const node = req.runtime?.node?.req;
  if (!node) throw new Error('tus request without its Node request');
  return node as AppRequest;
}

/** The Node response under @tus/server's web Request, when it runs on Node's HTTP server. */
function nodeResponse(req: { runtime?: { node?: { res?: unknown } } }): ServerResponse | undefined {
  return req.runtime?.node?.res as ServerResponse | undefined;
}

/** The container of the upload's first bytes; a file that is not a video stops the relay. */
async function sniff(path: string): Promise<ChunkSource['contentType']> {
  const handle = await open(path);
  try {
    const { buffer } = await handle.read(Buffer.alloc(12), 0, 12, 0);
    const type = sniffContainer(buffer);
    if (!type) throw notAVideo();
    return type;
  } finally {
    await handle.close();
  }
}

const WHOLE_NUMBER = /^(0|[1-9]\d*)$/;

/**
 * What @tus/server refuses itself, in plain text and before any hook of ours: a method it
 * has no handler for (404), a missing or other Tus-Resumable (412), a malformed tus header (400,
 * its HeaderValidator). Checked
 * here first, so that these answer in our error shape as well.
 */
function tusHeaderProblem(req: IncomingMessage): { status: number; message: string } | undefined {
  if (req.method === 'OPTIONS') return undefined;
  // tus answers no other method: as any unknown route of ours.
  if (!['POST', 'HEAD', 'PATCH', 'DELETE'].includes(req.method ?? ''))
    return { status: 404, message: 'Not found.' };
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  if (header('tus-resumable') !== '1.0.0') {
    return { status: 412, message: 'This endpoint speaks tus 1.0.0: send Tus-Resumable: 1.0.0.' };
  }
  for (const name of ['upload-offset', 'upload-length']) {
    const value = header(name);
    if (value !== undefined && !(WHOLE_NUMBER.test(value) && Number.isSafeInteger(Number(value)))) {
      return { status: 400, message: `${name} must be a whole number of bytes.` };
    }
  }
  const defer = header('upload-defer-length');
  if (defer !== undefined && defer !== '1') return { status: 400, message: 'upload-defer-length must be 1.' };
  const metadata = header('upload-metadata');
  if (metadata !== undefined) {
    try {
      Metadata.parse(metadata);
    } catch {
      return { status: 400, message: 'upload-metadata must be comma-separated "key base64value" pairs.' };
    }
  }
  const proto = header('x-forwarded-proto');
  if (proto !== undefined && proto !== 'http' && proto !== 'https') {
    return { status: 400, message: 'x-forwarded-proto must be http or https.' };
  }
  const version = header('tus-version');
  if (version !== undefined && version !== '1.0.0')
    return { status: 400, message: 'tus-version must be 1.0.0.' };
  const concat = header('upload-concat');
  if (concat !== undefined && concat !== 'partial' && !concat.startsWith('final;')) {
    return { status: 400, message: 'upload-concat must be "partial" or "final;<urls>".' };
  }
  if (req.method === 'PATCH' && header('content-type') !== 'application/offset+octet-stream') {
    return { status: 400, message: 'A PATCH carries Content-Type: application/offset+octet-stream.' };
  }
  return undefined;
}
