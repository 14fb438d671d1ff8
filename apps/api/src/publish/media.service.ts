import { Injectable } from '@nestjs/common';
import type { MediaCreateRequest, MediaItem } from '@cliprelay/contract';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';
import type { MediaRow } from '../db/schema.ts';
import { MediaRepository } from './media.repository.ts';
import { checkPullUrl } from './pull-url.ts';

/** The user's media library: videos already on our CDN, publishable with PULL_FROM_URL. */
@Injectable()
export class MediaService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly media: MediaRepository,
  ) {}

  /** The user's videos, newest first. */
  async list(userId: string): Promise<MediaItem[]> {
    return (await this.media.listForUser(userId)).map(toItem);
  }

  /** Adds a video on the media CDN: its URL must be https, under one of the verified prefixes. */
  async add(userId: string, input: MediaCreateRequest): Promise<MediaItem> {
    const url = checkPullUrl(input.url, this.config.tiktok.verifiedUrlPrefixes, 'library');
    const row = await this.media.create({
      userId,
      title: input.title,
      url,
      sizeBytes: input.size_bytes ?? null,
      mimeType: input.mime_type ?? null,
      durationSec: input.duration_sec ?? null,
    });
    return toItem(row);
  }
}

function toItem(m: MediaRow): MediaItem {
  return {
    id: m.id,
    title: m.title,
    url: m.url,
    size_bytes: m.sizeBytes,
    mime_type: m.mimeType,
    duration_sec: m.durationSec,
    created_at: m.createdAt.toISOString(),
  };
}
