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
import { type Prepared, PublishService, type RequestedSettings } from './publish.service.ts';

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
  ) {}

  async uploadAndPublish(
    userId: string,
    accountId: string,
    req: IncomingMessage,
    res: Response,
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
    const upload = await receiveMultipartVideo(req, {
      tmpDir: this.config.uploadTmpDir,
      maxFileBytes: MAX_VIDEO_BYTES,
      allowedFields: UPLOAD_FIELD_NAMES,
      // The fields come first: settings the creator can't use are refused before the video streams.
      beforeFile: async (fields) => {
        prepared = await this.publish.prepare(userId, accountId, await parseFields(fields));
      },
    });
    try {
      if (!prepared) throw new Error('multipart upload finished without its settings being checked');
      return await this.publish.publishFile(userId, prepared, upload.file, abort.signal);
    } finally {
      res.off('close', onClose);
      await upload.cleanup();
    }
  }
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
