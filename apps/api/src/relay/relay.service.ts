/**
 * The relay: POST /tiktok/publish/upload/:socialAccountId, the seed's one-request FILE_UPLOAD,
 * as one use case read top to bottom.
 *
 * 1. The multipart fields arrive first. The Idempotency-Key is claimed (or its first answer
 *    replayed), the settings are checked against the creator's current options — all before a
 *    byte of the video is read.
 * 2. The video streams into a spool file on our disk (spool-file.ts; never held in memory).
 * 3. With `video_size` among the fields, TikTok's init runs at once and each chunk goes to TikTok
 *    as soon as it is on disk, while the next one is still arriving: the two legs overlap, and the
 *    upload takes about as long as the slower of them. Without it (an older client), the file is
 *    received whole first, then sent: store-then-forward.
 * 4. TikTok's accepted bytes are recorded on the post as they go (the status's `uploaded_bytes`),
 *    with the heartbeat that says this process still relays it; once the last chunk is accepted
 *    the post is `processing` and its job follows it.
 *
 * Any end — the client goes away, lies about the size, TikTok fails mid-stream — stops both legs,
 * marks the post failed with the first reason, and removes the spool file.
 */
import { Injectable } from '@nestjs/common';
import {
  MAX_VIDEO_BYTES,
  NO_UPLOAD_ADDRESS_MESSAGE,
  UPLOAD_FAILURE_MESSAGES,
  type UploadPublishData,
} from '@cliprelay/contract';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';
import { AppError } from '../common/app-error.ts';
import { InjectLogger, type Logger } from '../common/logger.ts';
import { assertAcceptableInput, flattenValidationErrors } from '../common/validation.ts';
import type { PostRow } from '../db/schema.ts';
import { Idempotency, type KeyedAttempt } from '../publish/idempotency.ts';
import { RELAY_HEARTBEAT_SEC, RESUMABLE_IDLE_SEC } from '../publish/post-follower.ts';
import { PostsRepository } from '../publish/posts.repository.ts';
import { UPLOAD_FIELD_NAMES, UploadFieldsDto } from '../publish/publish.dto.ts';
import {
  type Prepared,
  PublishService,
  type RequestedSettings,
  SUBMITTED_MESSAGE,
} from '../publish/publish.service.ts';
import {
  type ChunkSource,
  type UploadChunksResult,
  UploadSessionGone,
  uploadChunks,
} from '../tiktok/upload-host.client.ts';
import {
  exceedsDeclaredLength,
  fileTooLargeError,
  receiveMultipartVideo,
  type UploadRequest,
} from './multipart-upload.ts';
import { SpoolFile } from './spool-file.ts';
import { type UploadSession, UploadSessions } from './upload-session.ts';

/** How often a relay records TikTok's accepted bytes on its post (and so its heartbeat). */
const PROGRESS_EVERY_MS = 1000;
/** Uploads one user may have going at once (each holds a file on our disk while it goes). */
export const MAX_UPLOADS_PER_USER = 3;
/** Fresh TikTok inits one relay may make when its upload session ends under it (URL expiry). */
const MAX_SESSION_RENEWALS = 2;

/** Sends a post's file to TikTok from `source`; see RelayService.startRelay. */
export type RelaySend = (source: ChunkSource, signal: AbortSignal) => Promise<UploadPublishData>;

/**
 * A relay stopped with this reason is set aside, not failed: its post stays `uploading`, and the
 * file it reads from stays on disk for the process that takes it over (a resumable upload when
 * this process shuts down: tus-uploads.ts).
 */
export class RelaySuspended extends Error {
  override readonly name = 'RelaySuspended';
}

@Injectable()
export class RelayService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly publish: PublishService,
    private readonly posts: PostsRepository,
    private readonly idempotency: Idempotency,
    private readonly sessions: UploadSessions,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /**
   * This process's multipart uploads still being received without a post (store-then-forward:
   * TikTok's init waits for the whole file), by user: the database does not know of them yet.
   */
  private readonly receiving = new Map<string, number>();

  /** `clientGone` fires when the client stops waiting: everything stops, the post fails. */
  async uploadAndPublish(
    userId: string,
    accountId: string,
    req: UploadRequest,
    clientGone: AbortSignal,
    idempotencyKey?: string,
  ): Promise<UploadPublishData> {
    // Refuse before reading a byte a body that cannot fit.
    if (exceedsDeclaredLength(req, MAX_VIDEO_BYTES)) {
      throw fileTooLargeError(MAX_VIDEO_BYTES);
    }
    // Whichever leg fails first stops the other, with its reason.
    const stop = new AbortController();
    const onGone = () => stop.abort(cancelled());
    clientGone.addEventListener('abort', onGone, { once: true });
    const spool = await SpoolFile.create(this.config.uploadTmpDir);
    let stopCounting = () => undefined as void;
    let keyed: KeyedAttempt<UploadPublishData> | undefined;
    let replay: UploadPublishData | undefined;
    let prepared: Prepared | undefined;
    let relay: Promise<UploadPublishData> | undefined;
    const relayFile = (size: number, fileName: string) => {
      relay = this.startRelay(userId, prepared!, { size, fileName }, keyed!.onPost).then((started) =>
        started.send(spool, stop.signal),
      );
      relay.catch((error: unknown) => stop.abort(error));
      return relay;
    };
    try {
      const { file } = await receiveMultipartVideo(req, {
        spool,
        maxFileBytes: MAX_VIDEO_BYTES,
        allowedFields: UPLOAD_FIELD_NAMES,
        signal: stop.signal,
        beforeFile: async (fields, part) => {
          const begun = await this.begin(userId, accountId, fields, idempotencyKey);
          if ('replay' in begun) {
            replay = begun.replay;
            throw new ReplayInstead();
          }
          ({ keyed, prepared } = begun);
          if (begun.videoSize === undefined) {
            stopCounting = this.countReceiving(userId);
            return;
          }
          void relayFile(begun.videoSize, part.fileName);
          return { declaredSize: begun.videoSize };
        },
      });
      if (!prepared || !keyed)
        throw new Error('multipart upload finished without its settings being checked');
      stopCounting();
      const result = await (relay ?? relayFile(file.size, file.originalName));
      return await keyed.succeeded(result);
    } catch (error) {
      if (error instanceof ReplayInstead && replay) return replay;
      // The leg that failed first says why (a TikTok failure stops the receiving, and the other way).
      const reason = stop.signal.aborted ? (stop.signal.reason as unknown) : error;
      stop.abort(reason);
      spool.fail(reason);
      await relay?.catch(() => undefined);
      await keyed?.failed();
      throw reason;
    } finally {
      stopCounting();
      clientGone.removeEventListener('abort', onGone);
      await spool.remove();
    }
  }

  /** Counts a reception without a post; the returned function stops counting it (once). */
  private countReceiving(userId: string): () => void {
    this.receiving.set(userId, (this.receiving.get(userId) ?? 0) + 1);
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      const left = (this.receiving.get(userId) ?? 1) - 1;
      if (left > 0) this.receiving.set(userId, left);
      else this.receiving.delete(userId);
    };
  }

  /**
   * A user with MAX_UPLOADS_PER_USER uploads going (times RATE_LIMIT_SCALE) is asked to wait
   * before a byte is taken.
   */
  private async checkUploadsGoing(userId: string): Promise<void> {
    const going =
      (await this.posts.countRelaying(userId, RESUMABLE_IDLE_SEC)) + (this.receiving.get(userId) ?? 0);
    const allowed = Math.round(MAX_UPLOADS_PER_USER * this.config.rateLimitScale);
    if (going >= allowed) {
      throw new AppError(
        'RATE_LIMITED',
        `You already have ${going} uploads going. Wait for one to finish (or cancel one), then try again.`,
        { retryable: true, retryAfterSec: 30 },
      );
    }
  }

  /**
   * What both uploads check first, before a byte of the video: the Idempotency-Key is claimed
   * (or its first answer found), the fields are validated, the settings are checked against the
   * creator's current options, and a declared size against TikTok's limits. A failure after the
   * claim lets the key go.
   */
  async begin(
    userId: string,
    accountId: string,
    fields: Record<string, string>,
    idempotencyKey: string | undefined,
  ): Promise<
    | { replay: UploadPublishData }
    | { keyed: KeyedAttempt<UploadPublishData>; prepared: Prepared; videoSize: number | undefined }
  > {
    await this.checkUploadsGoing(userId);
    const started = await this.idempotency.begin<UploadPublishData>(
      userId,
      idempotencyKey,
      { accountId, fields },
      recoveredUpload,
    );
    if ('replay' in started) return { replay: started.replay };
    const keyed = started.attempt;
    try {
      const { settings, videoSize } = await parseFields(fields);
      const prepared = await this.publish.prepare(userId, accountId, settings);
      if (videoSize !== undefined) this.publish.checkSource('FILE_UPLOAD', undefined, videoSize);
      return { keyed, prepared, videoSize };
    } catch (error) {
      await keyed.failed();
      throw error;
    }
  }

  /**
   * TikTok's init for a file of this size (the post exists once it resolves, with its publish id);
   * `send` then forwards the file's chunks as they become readable (see `sender`). A failure of
   * the init marks the post failed with the reason.
   */
  async startRelay(
    userId: string,
    prepared: Prepared,
    file: { size: number; fileName: string; uploadId?: string },
    onPost: (postId: string) => Promise<void>,
  ): Promise<{ postId: string; publishId: string; send: RelaySend }> {
    const init = await this.publish.init(
      userId,
      prepared.account.id,
      prepared,
      { type: 'FILE_UPLOAD', videoSize: file.size, fileName: file.fileName, uploadId: file.uploadId },
      { relay: true, onPost },
    );
    const postId = init.post_id;
    const { upload_url: uploadUrl, plan } = init;
    if (!uploadUrl || !plan) {
      const err = new AppError('TIKTOK_UNAVAILABLE', NO_UPLOAD_ADDRESS_MESSAGE, { retryable: true });
      await this.publish.fail(postId, err);
      throw err;
    }
    const session = { publishId: init.publish_id, uploadUrl, plan };
    return { postId, publishId: init.publish_id, send: this.sender(postId, file.size, session) };
  }

  /**
   * Takes over the relay of a resumable upload whose process stopped (`post` is `uploading`, its
   * file on our disk): TikTok is asked first, so that a video it already has all of is followed,
   * never sent twice; otherwise the upload URL died with that process, so TikTok's init runs
   * again and `send` sends the file from its first byte. Resolves `undefined` when nothing is
   * left to send.
   */
  async resume(post: PostRow): Promise<RelaySend | undefined> {
    if (post.videoSize === null) throw new Error(`post ${post.id} has no video size to resume`);
    try {
      if (await this.sessions.hasWholeVideo(post)) {
        await this.handOver(post.id, post.videoSize);
        return undefined;
      }
      return this.sender(post.id, post.videoSize, await this.sessions.renew(post));
    } catch (error) {
      // TikTok refused the new init, or cannot be asked (the account needs reconnecting): the
      // post fails with that reason. A passing failure (TikTok unavailable) leaves the takeover
      // to the next try (the client's next request, or the next sweep).
      if (error instanceof AppError && error.retryable !== true) await this.publish.fail(post.id, error);
      throw error;
    }
  }

  /**
   * Forwards the file's chunks as they become readable, records TikTok's accepted bytes, and hands
   * the post to its job once the last one is accepted. When TikTok's upload session ends under it
   * (its one-hour URL expired), it inits afresh and sends the file again from `source` — our disk,
   * never the client. A failure marks the post failed with the reason (the signal's reason when it
   * was aborted), unless the relay was suspended.
   */
  private sender(postId: string, size: number, first: UploadSession): RelaySend {
    return async (source, signal) => {
      const progress = this.recordProgress(postId);
      let session = first;
      try {
        let result: UploadChunksResult | undefined;
        for (let renewals = 0; !result; renewals++) {
          try {
            result = await uploadChunks({
              uploadUrl: session.uploadUrl,
              source,
              plan: session.plan,
              signal,
              onProgress: (p) => progress.accepted(p.uploadedBytes),
            });
          } catch (error) {
            if (!(error instanceof UploadSessionGone) || renewals >= MAX_SESSION_RENEWALS) throw error;
            signal.throwIfAborted();
            this.logger.warn(
              { postId, publishId: session.publishId },
              'tiktok ended the upload session mid-relay',
            );
            progress.accepted(0);
            const post = await this.posts.findById(postId);
            if (!post) throw error;
            session = await this.sessions.renew(post);
          }
        }
        progress.stop();
        await this.handOver(postId, size);
        this.logger.info(
          { postId, publishId: session.publishId, bytes: size, chunkRetries: result.chunkRetries },
          'video sent to tiktok',
        );
      } catch (err) {
        progress.stop();
        const reason = signal.aborted ? (signal.reason as unknown) : err;
        if (reason instanceof RelaySuspended) throw reason;
        if (!signal.aborted && (await this.lastChunkArrived(postId, session, progress.bytes()))) {
          await this.handOver(postId, size);
        } else {
          // The signal's reason is why this leg stopped: the client, or the receiving side's error.
          await this.publish.fail(postId, reason);
          throw err;
        }
      }
      return { publish_id: session.publishId, message: SUBMITTED_MESSAGE, post_id: postId };
    };
  }

  /**
   * The last chunk's answer was lost (the connection dropped, a timeout): TikTok may have every
   * byte and post the video. It is asked before the post is failed, so that Try again cannot post
   * it twice.
   */
  private async lastChunkArrived(postId: string, session: UploadSession, accepted: number): Promise<boolean> {
    const last = session.plan.chunks.at(-1);
    if (!last || accepted < last.start) return false;
    const post = await this.posts.findById(postId);
    if (!post || post.publishId !== session.publishId) return false;
    return this.sessions.hasWholeVideo(post).catch(() => false);
  }

  /** TikTok has every byte: the post is `processing`, and its job follows it. */
  private async handOver(postId: string, size: number): Promise<void> {
    await this.posts.relayed(postId, size);
    await this.publish.follow(postId, 1);
  }

  /**
   * TikTok's accepted bytes, written to the post at most every PROGRESS_EVERY_MS; each write is
   * also the relay's heartbeat (at least every RELAY_HEARTBEAT_SEC, progress or not).
   */
  private recordProgress(postId: string) {
    let accepted = 0;
    let recorded = -1;
    let lastWrite = 0;
    const timer = setInterval(() => {
      const now = Date.now();
      if (accepted === recorded && now - lastWrite < RELAY_HEARTBEAT_SEC * 1000) return;
      recorded = accepted;
      lastWrite = now;
      void this.posts
        .update(postId, { relayHeartbeatAt: new Date(now), uploadedBytes: accepted })
        .catch((e: unknown) => this.logger.warn({ err: e, postId }, 'relay progress not recorded'));
    }, PROGRESS_EVERY_MS);
    return {
      accepted: (bytes: number) => (accepted = bytes),
      bytes: () => accepted,
      stop: () => clearInterval(timer),
    };
  }
}

/** Thrown from beforeFile to stop reading the body: the key's first answer is given instead. */
class ReplayInstead extends Error {}

export function cancelled(): AppError {
  return new AppError('UPLOAD_FAILED', UPLOAD_FAILURE_MESSAGES.cancelled, { retryable: true });
}

/** A relay whose process died after TikTok's init and whose post is followed: its answer. */
function recoveredUpload(post: PostRow): UploadPublishData | undefined {
  if (!post.publishId || post.localStatus === 'uploading' || post.localStatus === 'initializing')
    return undefined;
  return { publish_id: post.publishId, message: SUBMITTED_MESSAGE, post_id: post.id };
}

/** The upload's form fields, checked as the API checks a JSON body. */
async function parseFields(
  fields: Record<string, string>,
): Promise<{ settings: RequestedSettings; videoSize: number | undefined }> {
  // The form's text is checked as a JSON body is (common/validation.ts): no NUL reaches the database.
  assertAcceptableInput(fields, 'form');
  const dto = plainToInstance(UploadFieldsDto, fields);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Validation failed', {
      details: flattenValidationErrors(errors),
    });
  }
  const bool = (v: string | undefined) => (v === undefined ? undefined : v === 'true');
  return {
    settings: {
      title: dto.title ?? '',
      privacy_level: dto.privacy_level,
      disable_comment: bool(dto.disable_comment),
      disable_duet: bool(dto.disable_duet),
      disable_stitch: bool(dto.disable_stitch),
      brand_organic_toggle: bool(dto.brand_organic_toggle) ?? false,
      brand_content_toggle: bool(dto.brand_content_toggle) ?? false,
      is_aigc: bool(dto.is_aigc) ?? false,
      video_cover_timestamp_ms:
        dto.video_cover_timestamp_ms === undefined ? undefined : Number(dto.video_cover_timestamp_ms),
    },
    videoSize: dto.video_size === undefined ? undefined : Number(dto.video_size),
  };
}
