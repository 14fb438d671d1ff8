import { All, Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiSuccess, PublishStatusData } from '@cliprelay/contract';
import type { Response } from 'express';
import { AppError } from '../common/app-error.ts';
import { type AppRequest, type AuthUser, CurrentUser } from '../common/request.ts';
import { ResumableUploadsService } from './resumable-uploads.service.ts';
import { TusUploads } from './tus-uploads.ts';
import { RateLimited } from '../common/rate-limit.ts';

/**
 * The tus endpoint (relay/tus-uploads.ts), behind our bearer like every route: the creation POST
 * at /tiktok/uploads, and HEAD / PATCH / DELETE at /tiktok/uploads/:uploadId for the user's own
 * uploads only (anyone else's is a 404). An upload whose post has ended takes no more bytes (410
 * UPLOAD_ENDED, with the post's reason), so a client never sends a file nobody will relay.
 */
@ApiTags('publish')
@ApiBearerAuth()
@Controller('tiktok/uploads')
export class TusController {
  constructor(
    private readonly tus: TusUploads,
    private readonly uploads: ResumableUploadsService,
  ) {}

  @All()
  @RateLimited('publish')
  @ApiOperation({
    summary:
      'Create a resumable upload (tus 1.0.0 creation): Upload-Length, Upload-Metadata with social_account_id, filename and the publish form',
  })
  async create(@Req() req: AppRequest, @Res() res: Response): Promise<void> {
    if (req.method !== 'POST') throw new AppError('NOT_FOUND', 'Not found.');
    await this.tus.handle(req, res);
  }

  @Get(':uploadId/status')
  @ApiOperation({
    summary: 'The post a resumable upload publishes: its status and the bytes TikTok has accepted',
  })
  async status(
    @CurrentUser() user: AuthUser,
    @Param('uploadId') uploadId: string,
  ): Promise<ApiSuccess<PublishStatusData & { post_id: string }>> {
    return { success: true, data: await this.uploads.status(user.id, uploadId) };
  }

  @All(':uploadId')
  @ApiOperation({ summary: 'tus 1.0.0: HEAD (the offset), PATCH (bytes from the offset), DELETE (cancel)' })
  async upload(
    @CurrentUser() user: AuthUser,
    @Param('uploadId') uploadId: string,
    @Req() req: AppRequest,
    @Res() res: Response,
  ): Promise<void> {
    if (req.method === 'DELETE') {
      await this.uploads.cancel(user.id, uploadId);
      res.status(204).end();
      return;
    }
    if (req.method === 'PATCH' || req.method === 'HEAD') await this.uploads.resume(user.id, uploadId);
    else await this.uploads.requireOwned(user.id, uploadId);
    await this.tus.handle(req, res);
  }
}
