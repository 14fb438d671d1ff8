import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { RelayService } from '../relay/relay.service.ts';
import { RateLimited } from '../common/rate-limit.ts';

const IDEMPOTENCY_KEY_DOC =
  'One key per submit (1–255 visible ASCII characters), kept 24 h: the same key answers the first ' +
  'success again or 409 while it runs, never a second TikTok post; the same key for another request is 422.';

@ApiTags('publish')
@ApiBearerAuth()
@Controller('tiktok')
export class PublishController {
  constructor(
    private readonly publish: PublishService,
    private readonly relay: RelayService,
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
  @RateLimited('publish')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Initialise a Direct Post: PULL_FROM_URL, or FILE_UPLOAD returning TikTok’s upload_url',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: IDEMPOTENCY_KEY_DOC })
  async init(
    @CurrentUser() user: AuthUser,
    @Body() dto: PublishInitDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ApiSuccess<PublishInitData>> {
    return { success: true, data: await this.publish.initRequested(user.id, dto, idempotencyKey) };
  }

  @Post('publish/upload/:socialAccountId')
  @RateLimited('publish')
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
        video_size: {
          type: 'string',
          pattern: '^[1-9]\\d{0,12}$',
          description:
            'The file’s exact size in bytes, before `file`: the video then streams to TikTok as it arrives (else it is received whole first)',
        },
        file: { type: 'string', format: 'binary' },
      },
    },
  })
  @ApiOperation({
    summary:
      'Upload a video (multipart: metadata fields, then `file`) and publish it: init + chunked upload in one request',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: IDEMPOTENCY_KEY_DOC })
  async upload(
    @CurrentUser() user: AuthUser,
    @Param('socialAccountId') accountId: string,
    @Req() req: AppRequest,
    @Res({ passthrough: true }) res: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ApiSuccess<UploadPublishData>> {
    // The client that stops waiting (a closed tab, a cancel) stops the relay too.
    const clientGone = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) clientGone.abort();
    };
    res.once('close', onClose);
    try {
      const data = await this.relay.uploadAndPublish(
        user.id,
        accountId,
        { headers: req.headers, body: req },
        clientGone.signal,
        idempotencyKey,
      );
      return { success: true, data };
    } finally {
      res.off('close', onClose);
    }
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
