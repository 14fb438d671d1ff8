import { Injectable } from '@nestjs/common';
import { MAX_VIDEO_BYTES, type UploadPublishData } from '@cliprelay/contract';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Response } from 'express';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';
import { AppError } from '../common/app-error.ts';
import { flattenValidationErrors } from '../common/validation.ts';
import { exceedsDeclaredLength, receiveMultipartVideo } from '../upload/multipart-upload.ts';
import { UPLOAD_FIELD_NAMES, UploadFieldsDto } from './publish.dto.ts';
import type { PostRow } from '../db/schema.ts';
import { Idempotency, type KeyedAttempt } from './idempotency.ts';
import {
  type Prepared,
  PublishService,
  type RequestedSettings,
  SUBMITTED_MESSAGE,
} from './publish.service.ts';

/**
 * The seed's one-request FILE_UPLOAD: the multipart body is streamed to a temp file (never held
 * in memory), then init + chunked upload to TikTok. The temp file is removed in `finally` on
 * every path; a client that goes away mid-way stops the upload to TikTok too.
 */
@Injectable()
export class UploadService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly publish: PublishService,
    private readonly idempotency: Idempotency,
  ) {}

  async uploadAndPublish(
    userId: string,
    accountId: string,
    req: IncomingMessage,
    res: Response,
    idempotencyKey?: string,
  ): Promise<UploadPublishData> {
    // Refuse before reading a byte a body that cannot fit. Ownership and settings are checked in
    // beforeFile, once the fields are in and before a byte of the video is stored.
    if (exceedsDeclaredLength(req, MAX_VIDEO_BYTES)) {
      throw new AppError('FILE_TOO_LARGE', 'Video file is too large. Maximum size is 4 GB.');
    }

    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', onClose);
    let prepared: Prepared | undefined;
    let keyed: KeyedAttempt<UploadPublishData> | undefined;
    let replay: UploadPublishData | undefined;
    try {
      const upload = await receiveMultipartVideo(req, {
        tmpDir: this.config.uploadTmpDir,
        maxFileBytes: MAX_VIDEO_BYTES,
        allowedFields: UPLOAD_FIELD_NAMES,
        // The fields come first: a key already used, or settings the creator can't use, are
        // answered before the video streams.
        beforeFile: async (fields) => {
          const started = await this.idempotency.begin<UploadPublishData>(
            userId,
            idempotencyKey,
            { accountId, fields },
            recoveredUpload,
          );
          if ('replay' in started) {
            replay = started.replay;
            throw new ReplayInstead();
          }
          keyed = started.attempt;
          prepared = await this.publish.prepare(userId, accountId, await parseFields(fields));
        },
      });
      try {
        if (!prepared || !keyed)
          throw new Error('multipart upload finished without its settings being checked');
        const result = await this.publish.publishFile(
          userId,
          prepared,
          upload.file,
          abort.signal,
          keyed.onPost,
        );
        return await keyed.succeeded(result);
      } finally {
        await upload.cleanup();
      }
    } catch (error) {
      if (error instanceof ReplayInstead && replay) return replay;
      await keyed?.failed();
      throw error;
    } finally {
      res.off('close', onClose);
    }
  }
}

/** Thrown from beforeFile to stop reading the body: the key's first answer is given instead. */
class ReplayInstead extends Error {}

/** A relay whose process died after TikTok's init and whose post is followed: its answer. */
function recoveredUpload(post: PostRow): UploadPublishData | undefined {
  if (!post.publishId || post.localStatus === 'uploading' || post.localStatus === 'initializing')
    return undefined;
  return { publish_id: post.publishId, message: SUBMITTED_MESSAGE, post_id: post.id };
}

async function parseFields(fields: Record<string, string>): Promise<RequestedSettings> {
  const dto = plainToInstance(UploadFieldsDto, fields);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new AppError('VALIDATION_FAILED', 'Validation failed', {
      details: flattenValidationErrors(errors),
    });
  }
  const bool = (v: string | undefined) => (v === undefined ? undefined : v === 'true');
  return {
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
  };
}
