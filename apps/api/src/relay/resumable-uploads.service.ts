import { Injectable } from '@nestjs/common';
import type { PublishStatusData } from '@cliprelay/contract';
import { AppError } from '../common/app-error.ts';
import type { PostRow } from '../db/schema.ts';
import { PostsRepository } from '../publish/posts.repository.ts';
import { PublishService } from '../publish/publish.service.ts';
import { TusUploads } from './tus-uploads.ts';

/**
 * A user's resumable uploads (tus.controller.ts), before @tus/server (tus-uploads.ts) answers a
 * request for one: the upload must be the user's (anyone else's is a 404), and one whose post has
 * ended takes no more bytes (410 UPLOAD_ENDED, with the post's reason).
 */
@Injectable()
export class ResumableUploadsService {
  constructor(
    private readonly posts: PostsRepository,
    private readonly publish: PublishService,
    private readonly tus: TusUploads,
  ) {}

  /** The post the upload publishes: its status and the bytes TikTok has accepted. */
  async status(userId: string, uploadId: string): Promise<PublishStatusData & { post_id: string }> {
    const post = await this.posts.findByUploadId(uploadId, userId);
    if (!post?.publishId) throw notFound();
    return { ...(await this.publish.statusOf(userId, post)), post_id: post.id };
  }

  /** DELETE: the relay stops and the post fails as cancelled. */
  async cancel(userId: string, uploadId: string): Promise<void> {
    const post = await this.owned(userId, uploadId);
    await this.tus.cancel(uploadId, post.id);
  }

  /**
   * HEAD or PATCH: the upload still takes bytes. A client back after our restart has its relay
   * taken over here.
   */
  async resume(userId: string, uploadId: string): Promise<void> {
    const post = await this.owned(userId, uploadId);
    if (post.localStatus !== 'uploading') {
      throw new AppError(
        'UPLOAD_ENDED',
        post.userMessage ??
          'This upload has ended: TikTok has the whole video. Follow the post in your history.',
      );
    }
    this.tus.ensureRelay(uploadId, post.id);
  }

  /** Any other request for the upload: it must be the user's. */
  async requireOwned(userId: string, uploadId: string): Promise<void> {
    await this.owned(userId, uploadId);
  }

  private async owned(userId: string, uploadId: string): Promise<PostRow> {
    const post = await this.posts.findByUploadId(uploadId, userId);
    if (!post) throw notFound();
    return post;
  }
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No upload with this id was found.');
}
