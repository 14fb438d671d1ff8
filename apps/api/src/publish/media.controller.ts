import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiSuccess, MediaItem } from '@cliprelay/contract';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';
import { type AuthUser, CurrentUser } from '../common/request.ts';
import type { MediaRow } from '../db/schema.ts';
import { MediaRepository } from './media.repository.ts';
import { MediaCreateDto } from './publish.dto.ts';
import { checkPullUrl } from './pull-url.ts';
import { RateLimited } from '../common/rate-limit.ts';

/** The user's media library: videos already on our CDN, publishable with PULL_FROM_URL. */
@ApiTags('media')
@ApiBearerAuth()
@Controller('media')
export class MediaController {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly media: MediaRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your media library, newest first' })
  async list(@CurrentUser() user: AuthUser): Promise<ApiSuccess<MediaItem[]>> {
    return { success: true, data: (await this.media.listForUser(user.id)).map(toItem) };
  }

  @Post()
  @RateLimited('media')
  @ApiOperation({ summary: 'Add a video that is on the media CDN (https, under a verified prefix)' })
  async create(@CurrentUser() user: AuthUser, @Body() dto: MediaCreateDto): Promise<ApiSuccess<MediaItem>> {
    const url = checkPullUrl(dto.url, this.config.tiktok.verifiedUrlPrefixes, 'library');
    const row = await this.media.create({
      userId: user.id,
      title: dto.title,
      url,
      sizeBytes: dto.size_bytes ?? null,
      mimeType: dto.mime_type ?? null,
      durationSec: dto.duration_sec ?? null,
    });
    return { success: true, data: toItem(row) };
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
