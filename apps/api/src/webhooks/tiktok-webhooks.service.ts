/**
 * Applies TikTok's webhook events (tiktok-api.md §9). Deliveries come at least once and in any
 * order, so applying one is idempotent: a post's status is written only while the post is open
 * and never backwards (PostsRepository.applyStatus), the same mapping the job that follows
 * posts uses (post-status.ts); a removed authorization marks the account for reconnecting.
 */
import { Injectable } from '@nestjs/common';
import { parse as parseLossless } from 'lossless-json';
import { z } from 'zod';
import { AppError } from '../common/app-error.ts';
import { InjectLogger, type Logger } from '../common/logger.ts';
import { statusUpdate } from '../publish/post-status.ts';
import { PostsRepository } from '../publish/posts.repository.ts';
import { AccountsRepository } from '../tiktok/accounts.repository.ts';

const deliverySchema = z.object({
  client_key: z.string(),
  event: z.string().min(1),
  create_time: z.number(),
  user_openid: z.string(),
  content: z.string(),
});
export type WebhookDelivery = z.infer<typeof deliverySchema>;

/** The content keys we read; every number is kept as its digits (post ids are 19 digits). */
const contentSchema = z.looseObject({
  publish_id: z.string().optional(),
  post_id: z.string().optional(),
  reason: z.string().optional(),
});

/** What a delivery changed, for the log and the test of repeats. */
export type WebhookOutcome = 'applied' | 'unchanged' | 'unknown_publish' | 'ignored';

/** The status TikTok's status fetch would report, as each publish event implies it. */
const STATUS_OF_EVENT: Record<string, string | undefined> = {
  'post.publish.failed': 'FAILED',
  'post.publish.complete': 'PUBLISH_COMPLETE',
  'post.publish.publicly_available': 'PUBLISH_COMPLETE',
  'post.publish.inbox_delivered': 'SEND_TO_USER_INBOX',
};

@Injectable()
export class TikTokWebhooks {
  constructor(
    private readonly posts: PostsRepository,
    private readonly accounts: AccountsRepository,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /** Reads a delivery whose signature was checked; a body TikTok would not send is a 400. */
  parse(
    body: unknown,
    clientKey: string,
  ): { delivery: WebhookDelivery; content: z.infer<typeof contentSchema> } {
    const delivery = deliverySchema.safeParse(body);
    if (!delivery.success) {
      const details = delivery.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
      throw new AppError('VALIDATION_FAILED', 'This is not a TikTok webhook delivery.', { details });
    }
    if (delivery.data.client_key !== clientKey) {
      const message = 'client_key is not this app’s.';
      throw new AppError('VALIDATION_FAILED', message, { details: [message] });
    }
    let content: unknown;
    try {
      content = parseLossless(delivery.data.content, undefined, (digits) => digits);
    } catch {
      const message = 'content must be a JSON-encoded object.';
      throw new AppError('VALIDATION_FAILED', message, { details: [message] });
    }
    const parsed = contentSchema.safeParse(content);
    if (!parsed.success) {
      const message = 'content must be a JSON-encoded object.';
      throw new AppError('VALIDATION_FAILED', message, { details: [message] });
    }
    return { delivery: delivery.data, content: parsed.data };
  }

  async apply(delivery: WebhookDelivery, content: z.infer<typeof contentSchema>): Promise<WebhookOutcome> {
    const { event } = delivery;
    if (event === 'authorization.removed') {
      const marked = await this.accounts.markReconnectRequiredByOpenId(delivery.user_openid);
      this.logger.info({ event, accounts: marked, reason: content.reason }, 'tiktok webhook applied');
      return marked > 0 ? 'applied' : 'unchanged';
    }
    const status = STATUS_OF_EVENT[event];
    if (status === undefined || content.publish_id === undefined) {
      // e.g. post.publish.no_longer_publicaly_available: nothing of ours changes.
      this.logger.info({ event }, 'tiktok webhook not used');
      return 'ignored';
    }
    const post = await this.posts.findByPublishIdForWebhook(content.publish_id);
    if (!post) {
      // Another deployment of the same app, or a post from before our database: not ours to change.
      this.logger.info(
        { event, publishId: content.publish_id },
        'tiktok webhook for a publish we do not know',
      );
      return 'unknown_publish';
    }
    const update = statusUpdate(post, {
      status,
      fail_reason: event === 'post.publish.failed' ? (content.reason ?? 'unknown') : null,
      post_ids: content.post_id === undefined ? [] : [content.post_id],
      logId: null,
    });
    const applied = await this.posts.applyStatus(post.id, update);
    this.logger.info(
      { event, postId: post.id, publishId: post.publishId, applied },
      applied ? 'tiktok webhook applied' : 'tiktok webhook changed nothing (post already settled)',
    );
    return applied ? 'applied' : 'unchanged';
  }
}
