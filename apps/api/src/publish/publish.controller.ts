import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PRIVACY_LEVELS, TITLE_MAX_LENGTH } from '@cliprelay/contract';
import type {
  ApiSuccess,
  CreatorInfoData,
  PostSummary,
  PublishInitData,
  PublishStatusData,
  UploadPublishData,
} from '@cliprelay/contract';
import type { Response } from 'express';
import { type AppRequest, type AuthUser, CurrentUser } from '../common/request.ts';
import { PublishInitDto } from './publish.dto.ts';
import { PublishService } from './publish.service.ts';
import { UploadService } from './upload.service.ts';

@ApiTags('publish')
@ApiBearerAuth()
@Controller('tiktok')
export class PublishController {
  constructor(
    private readonly publish: PublishService,
    private readonly uploads: UploadService,
  ) {}

  @Get('creator-info/:socialAccountId')
  @ApiOperation({ summary: "The creator's current posting options; drives the publish form" })
  async creatorInfo(
    @CurrentUser() user: AuthUser,
    @Param('socialAccountId') accountId: string,
  ): Promise<ApiSuccess<CreatorInfoData>> {
    return { success: true, data: await this.publish.creatorInfo(user.id, accountId) };
  }

  @Post('publish/init')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Initialise a Direct Post: PULL_FROM_URL, or FILE_UPLOAD returning TikTok’s upload_url',
  })
  async init(
    @CurrentUser() user: AuthUser,
    @Body() dto: PublishInitDto,
  ): Promise<ApiSuccess<PublishInitData>> {
    const source = this.publish.checkSource(dto.source_type, dto.video_url, dto.video_size);
    const { plan: _plan, ...data } = await this.publish.init(
      user.id,
      dto.socialAccountId,
      {
        title: dto.title ?? '',
        privacy_level: dto.privacy_level,
        disable_comment: dto.disable_comment,
        disable_duet: dto.disable_duet,
        disable_stitch: dto.disable_stitch,
        brand_organic_toggle: dto.brand_organic_toggle ?? false,
        brand_content_toggle: dto.brand_content_toggle ?? false,
        is_aigc: dto.is_aigc ?? false,
        video_cover_timestamp_ms: dto.video_cover_timestamp_ms,
      },
      source,
    );
    return { success: true, data };
  }

  @Post('publish/upload/:socialAccountId')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description:
      'Metadata fields first, then `file` (video/*, at most 4 GiB). Booleans are "true" / "false".',
    schema: {
      type: 'object',
      required: ['privacy_level', 'file'],
      properties: {
        title: { type: 'string', maxLength: TITLE_MAX_LENGTH },
        privacy_level: { type: 'string', enum: [...PRIVACY_LEVELS] },
        disable_comment: { type: 'string', enum: ['true', 'false'] },
        disable_duet: { type: 'string', enum: ['true', 'false'] },
        disable_stitch: { type: 'string', enum: ['true', 'false'] },
        brand_organic_toggle: { type: 'string', enum: ['true', 'false'] },
        brand_content_toggle: { type: 'string', enum: ['true', 'false'] },
        is_aigc: { type: 'string', enum: ['true', 'false'] },
        video_cover_timestamp_ms: { type: 'string', pattern: '^\\d{1,9}$' },
        file: { type: 'string', format: 'binary' },
      },
    },
  })
  @ApiOperation({
    summary:
      'Upload a video (multipart: metadata fields, then `file`) and publish it: init + chunked upload in one request',
  })
  async upload(
    @CurrentUser() user: AuthUser,
    @Param('socialAccountId') accountId: string,
    @Req() req: AppRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApiSuccess<UploadPublishData>> {
    return { success: true, data: await this.uploads.uploadAndPublish(user.id, accountId, req, res) };
  }

  @Get('publish/status/:publishId')
  @ApiOperation({ summary: 'The publish’s status on TikTok (post ids as strings)' })
  async status(
    @CurrentUser() user: AuthUser,
    @Param('publishId') publishId: string,
  ): Promise<ApiSuccess<PublishStatusData>> {
    return { success: true, data: await this.publish.status(user.id, publishId) };
  }

  @Get('posts')
  @ApiOperation({ summary: 'Your publish history, newest first' })
  async posts(
    @CurrentUser() user: AuthUser,
    @Query('limit') limit?: string,
  ): Promise<ApiSuccess<PostSummary[]>> {
    const n = Math.min(Math.max(Number.parseInt(limit ?? '50', 10) || 50, 1), 200);
    return { success: true, data: await this.publish.history(user.id, n) };
  }
}
