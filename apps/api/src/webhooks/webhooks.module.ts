import { Module } from '@nestjs/common';
import { PublishModule } from '../publish/publish.module.ts';
import { TikTokModule } from '../tiktok/tiktok.module.ts';
import { TikTokWebhooksController } from './tiktok-webhooks.controller.ts';
import { TikTokWebhooks } from './tiktok-webhooks.service.ts';

/** POST /tiktok/webhooks: TikTok's events applied to posts and accounts. */
@Module({
  imports: [PublishModule, TikTokModule],
  controllers: [TikTokWebhooksController],
  providers: [TikTokWebhooks],
})
export class WebhooksModule {}
