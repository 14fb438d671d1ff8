import { Module } from '@nestjs/common';
import { TikTokModule } from '../tiktok/tiktok.module.ts';
import { MediaController } from './media.controller.ts';
import { MediaRepository } from './media.repository.ts';
import { MediaService } from './media.service.ts';
import { CallBudgetRepository } from './call-budget.repository.ts';
import { Idempotency } from './idempotency.ts';
import { IdempotencyRepository } from './idempotency.repository.ts';
import { PostFollower } from './post-follower.ts';
import { PostsRepository } from './posts.repository.ts';
import { PublishController } from './publish.controller.ts';
import { PublishService } from './publish.service.ts';
import { RelayService } from '../relay/relay.service.ts';
import { ResumableUploadsService } from '../relay/resumable-uploads.service.ts';
import { TusController } from '../relay/tus.controller.ts';
import { TusUploads } from '../relay/tus-uploads.ts';
import { UploadSessions } from '../relay/upload-session.ts';

@Module({
  imports: [TikTokModule],
  controllers: [PublishController, MediaController, TusController],
  providers: [
    PostsRepository,
    PublishService,
    RelayService,
    TusUploads,
    UploadSessions,
    MediaRepository,
    MediaService,
    ResumableUploadsService,
    PostFollower,
    CallBudgetRepository,
    Idempotency,
    IdempotencyRepository,
  ],
  exports: [PostFollower, PostsRepository],
})
export class PublishModule {}
