/**
 * A relay's TikTok upload session, and its renewal from our own copy of the file.
 *
 * TikTok's upload_url lives one hour (tiktok-api.md §4: a PUT after that answers 403) and we keep
 * it only in the memory of the process relaying it. So a relay whose URL expired mid-upload, or
 * that a restarted process takes over from the file on its disk, inits the same post afresh and
 * sends the file again from disk: the browser is never asked for a byte twice. The earlier
 * publish id never got all its bytes, so TikTok never makes a post of it; only the new one can be.
 */
import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.ts';
import { InjectLogger, type Logger } from '../common/logger.ts';
import type { PostRow } from '../db/schema.ts';
import { PostsRepository } from '../publish/posts.repository.ts';
import { type ChunkPlan, planChunks } from '../tiktok/chunk-plan.ts';
import { TikTokClient } from '../tiktok/tiktok.client.ts';
import { NO_UPLOAD_ADDRESS_MESSAGE, type PrivacyLevel } from '@cliprelay/contract';
import type { TikTokPostInfo } from '../tiktok/tiktok.types.ts';
import { TokenService } from '../tiktok/token.service.ts';

/** Where a relay sends its chunks: never logged (the URL is a credential for the upload). */
export interface UploadSession {
  publishId: string;
  uploadUrl: string;
  plan: ChunkPlan;
}

@Injectable()
export class UploadSessions {
  constructor(
    private readonly tokens: TokenService,
    private readonly tiktok: TikTokClient,
    private readonly posts: PostsRepository,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  /**
   * Does TikTok have every byte of the post's current publish id? Then it will process it (or
   * already did): the post must be followed, never sent again.
   */
  async hasWholeVideo(post: PostRow): Promise<boolean> {
    if (!post.publishId || post.videoSize === null) return false;
    const status = await this.tokens.withFreshToken(post.socialAccountId, (token) =>
      this.tiktok.fetchStatus(token, post.publishId!),
    );
    return status.status !== 'PROCESSING_UPLOAD' || (status.uploaded_bytes ?? 0) >= post.videoSize;
  }

  /**
   * TikTok's init again, for the same post, settings and size: the post takes the new publish id
   * (its upload's status and history follow it), with no byte accepted yet.
   */
  async renew(post: PostRow): Promise<UploadSession> {
    if (post.videoSize === null) throw new Error(`post ${post.id} has no video size to init again`);
    const plan = planChunks(post.videoSize);
    const result = await this.tokens.withFreshToken(post.socialAccountId, (token) =>
      this.tiktok.initVideo(token, postInfoOf(post), {
        source: 'FILE_UPLOAD',
        video_size: post.videoSize!,
        chunk_size: plan.chunkSize,
        total_chunk_count: plan.totalChunkCount,
      }),
    );
    if (!result.upload_url) {
      throw new AppError('TIKTOK_UNAVAILABLE', NO_UPLOAD_ADDRESS_MESSAGE, { retryable: true });
    }
    await this.posts.update(post.id, {
      publishId: result.publish_id,
      tiktokLogId: result.logId,
      tiktokStatus: 'PROCESSING_UPLOAD',
      uploadedBytes: 0,
      relayHeartbeatAt: new Date(),
    });
    this.logger.info(
      { postId: post.id, previousPublishId: post.publishId, publishId: result.publish_id },
      'tiktok upload session renewed: the file goes again from our disk',
    );
    return { publishId: result.publish_id, uploadUrl: result.upload_url, plan };
  }
}

/** The post_info a post was initialised with, as its row keeps it. */
function postInfoOf(post: PostRow): TikTokPostInfo {
  return {
    title: post.title,
    privacy_level: post.privacyLevel as PrivacyLevel,
    disable_comment: post.disableComment,
    disable_duet: post.disableDuet,
    disable_stitch: post.disableStitch,
    brand_content_toggle: post.brandContentToggle,
    brand_organic_toggle: post.brandOrganicToggle,
    is_aigc: post.isAigc,
    ...(post.videoCoverTimestampMs === null ? {} : { video_cover_timestamp_ms: post.videoCoverTimestampMs }),
  };
}
