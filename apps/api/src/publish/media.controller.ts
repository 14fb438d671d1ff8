import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiSuccess, MediaItem } from '@cliprelay/contract';
import { type AuthUser, CurrentUser } from '../common/request.ts';
import { MediaCreateDto } from './publish.dto.ts';
import { MediaService } from './media.service.ts';
import { RateLimited } from '../common/rate-limit.ts';

/** The user's media library: videos already on our CDN, publishable with PULL_FROM_URL. */
@ApiTags('media')
@ApiBearerAuth()
@Controller('media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  @Get()
  @ApiOperation({ summary: 'Your media library, newest first' })
  async list(@CurrentUser() user: AuthUser): Promise<ApiSuccess<MediaItem[]>> {
    return { success: true, data: await this.media.list(user.id) };
  }

  @Post()
  @RateLimited('media')
  @ApiOperation({ summary: 'Add a video that is on the media CDN (https, under a verified prefix)' })
  async create(@CurrentUser() user: AuthUser, @Body() dto: MediaCreateDto): Promise<ApiSuccess<MediaItem>> {
    return { success: true, data: await this.media.add(user.id, dto) };
  }
}
