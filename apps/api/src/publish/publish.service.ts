import { Injectable } from '@nestjs/common';
import {
  applyCreatorRules,
  type CreatorInfoData,
  fileTooLargeMessage,
  messageFor,
  type LocalPostStatus,
  MAX_VIDEO_BYTES,
  type PostSummary,
  type PublishInitData,
  type PublishInitRequest,
  type PublishStatusData,
  type RequestedPostSettings,
  type SourceType,
} from '@cliprelay/contract';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';
import { INSTANCE_ID } from '../db/presence.ts';
import { AppError } from '../common/app-error.ts';
import { InjectLogger, type Logger } from '../common/logger.ts';
import type { PostRow } from '../db/schema.ts';
import { AccountsService, assertUsable } from '../tiktok/accounts.service.ts';
import { CreatorInfoService } from '../tiktok/creator-info.ts';
import { TikTokClient } from '../tiktok/tiktok.client.ts';
import type { TikTokCreatorInfo, TikTokPostInfo, TikTokSourceInfo } from '../tiktok/tiktok.types.ts';
import { TokenService } from '../tiktok/token.service.ts';
import { type ChunkPlan, planChunks } from '../tiktok/chunk-plan.ts';
import { PostFollower } from './post-follower.ts';
import { isSettled } from './post-status.ts';
import { type Submission, PostsRepository } from './posts.repository.ts';
import { CallBudgetRepository } from './call-budget.repository.ts';
import { Idempotency, OUTCOME_UNKNOWN } from './idempotency.ts';
import { checkPullUrl } from './pull-url.ts';

export { SUBMITTED_MESSAGE } from '@cliprelay/contract';

/** TikTok's video init budget per account token (tiktok-api.md §10). */
const INITS_PER_MINUTE = 6;

export const UNANSWERED_INIT_MESSAGE =
  'TikTok did not answer, so we cannot tell whether this video is being posted. Check your TikTok profile in a few minutes before posting it again.';

/**
 * An init TikTok may have acted on without our hearing it: no HTTP answer at all, a 5xx or
 * TikTok's internal_error, an answer we could not read (tiktok.client.ts: TIKTOK_UNAVAILABLE).
 */
function outcomeUnknown(err: unknown): boolean {
  return err instanceof AppError && err.code === 'TIKTOK_UNAVAILABLE';
}

export type Source =
  | { type: 'PULL_FROM_URL'; videoUrl: string }
  | {
      type: 'FILE_UPLOAD';
      videoSize: number;
      fileName?: string;
      /** The resumable upload (tus) whose bytes this post relays. */
      uploadId?: string | undefined;
    };

/** A publish checked and ready to initialise: see PublishService.prepare. */
export interface Prepared {
  account: { id: string };
  postInfo: TikTokPostInfo;
  /** As requested: checked again against TikTok's current options if TikTok refuses them. */
  settings: RequestedSettings;
}

/** Settings as the request gave them: omitted interaction switches follow the creator's. */
export type RequestedSettings = RequestedPostSettings;

/**
 * Publishing use cases: creator info, init (URL pull or upload URL), status and history (the
 * relay of an uploaded file is relay/relay.service.ts). Every publish is a `posts` row whose publish_id is stored as
 * soon as TikTok's init answers, before any byte is sent. Init is never retried automatically:
 * TikTok's init is not idempotent and a retry could post twice (tiktok-api.md §12 item 9).
 */
@Injectable()
export class PublishService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly accounts: AccountsService,
    private readonly tokens: TokenService,
    private readonly tiktok: TikTokClient,
    private readonly creators: CreatorInfoService,
    private readonly posts: PostsRepository,
    private readonly follower: PostFollower,
    private readonly budget: CallBudgetRepository,
    @InjectLogger() private readonly logger: Logger,
    private readonly idempotency: Idempotency,
  ) {}

  async creatorInfo(userId: string, accountId: string): Promise<CreatorInfoData> {
    const { creator } = await this.currentCreator(userId, accountId);
    return {
      privacy_level_options: creator.privacy_level_options,
      comment_disabled: creator.comment_disabled,
      duet_disabled: creator.duet_disabled,
      stitch_disabled: creator.stitch_disabled,
      max_video_post_duration_sec: creator.max_video_post_duration_sec,
      creator_nickname: creator.creator_nickname,
      creator_username: creator.creator_username,
      creator_avatar_url: creator.creator_avatar_url,
    };
  }

  /** Checks a source before anything is stored or sent. */
  checkSource(sourceType: SourceType, videoUrl?: string, videoSize?: number): Source {
    if (sourceType === 'PULL_FROM_URL') {
      if (!videoUrl) throw validation('video_url is required for PULL_FROM_URL');
      return {
        type: 'PULL_FROM_URL',
        videoUrl: checkPullUrl(videoUrl, this.config.tiktok.verifiedUrlPrefixes),
      };
    }
    if (videoSize === undefined) throw validation('video_size is required for FILE_UPLOAD');
    if (videoSize > MAX_VIDEO_BYTES) {
      throw new AppError('FILE_TOO_LARGE', fileTooLargeMessage());
    }
    return { type: 'FILE_UPLOAD', videoSize };
  }

  /**
   * The user's account and the post_info for these settings, checked against the creator's
   * current options (fetched now, as TikTok's UX rules ask). Throws before anything is stored.
   */
  async prepare(userId: string, accountId: string, settings: RequestedSettings): Promise<Prepared> {
    const { account, creator } = await this.currentCreator(userId, accountId);
    const postInfo = resolvePostInfo(settings, creator);
    await this.spendInit(account.id);
    return { account: { id: account.id }, postInfo, settings };
  }

  /**
   * TikTok allows 6 video inits a minute per account's token (tiktok-api.md §10): counted here
   * across processes, so that a seventh is refused before its file is taken — not after.
   */
  private async spendInit(accountId: string): Promise<void> {
    const wait = await this.budget.take(accountId, 'video_init', INITS_PER_MINUTE);
    if (wait > 0) {
      throw new AppError(
        'TIKTOK_RATE_LIMITED',
        `TikTok allows ${INITS_PER_MINUTE} new posts a minute for an account. Try again in ${wait} seconds.`,
        { retryable: true, retryAfterSec: wait },
      );
    }
  }

  /**
   * The user's usable account and its creator's settings as TikTok stated them within the last
   * few seconds (creator-info.ts: the form and the upload share one answer).
   */
  private async currentCreator(userId: string, accountId: string) {
    const account = await this.accounts.requireOwned(userId, accountId);
    const creator = await this.creators.get(account);
    return { account, creator };
  }

  /**
   * POST /tiktok/publish/init: checks the settings against the creator's current options, then
   * initialises the Direct Post. For FILE_UPLOAD the caller gets TikTok's upload_url and sends
   * the bytes itself.
   */
  async init(
    userId: string,
    accountId: string,
    settings: RequestedSettings | Prepared,
    source: Source,
    opts: {
      /** This API sends the bytes itself (relay/relay.service.ts): it follows the post once they are sent. */
      relay?: boolean;
      /** Hears the post's id once its row exists, before TikTok is asked (the Idempotency-Key). */
      onPost?: (postId: string) => Promise<void>;
    } = {},
  ): Promise<PublishInitData & { plan?: ChunkPlan }> {
    const { relay = false } = opts;
    const prepared = 'postInfo' in settings ? settings : await this.prepare(userId, accountId, settings);
    const { account, postInfo } = prepared;
    const plan = source.type === 'FILE_UPLOAD' ? planChunks(source.videoSize) : undefined;
    const sourceInfo: TikTokSourceInfo =
      source.type === 'PULL_FROM_URL'
        ? { source: 'PULL_FROM_URL', video_url: source.videoUrl }
        : {
            source: 'FILE_UPLOAD',
            video_size: source.videoSize,
            chunk_size: plan!.chunkSize,
            total_chunk_count: plan!.totalChunkCount,
          };

    const post = await this.posts.create({
      userId,
      socialAccountId: account.id,
      sourceType: source.type,
      title: postInfo.title ?? '',
      privacyLevel: postInfo.privacy_level,
      disableComment: postInfo.disable_comment,
      disableDuet: postInfo.disable_duet,
      disableStitch: postInfo.disable_stitch,
      brandOrganicToggle: postInfo.brand_organic_toggle,
      brandContentToggle: postInfo.brand_content_toggle,
      isAigc: postInfo.is_aigc,
      videoCoverTimestampMs: postInfo.video_cover_timestamp_ms ?? null,
      videoUrl: source.type === 'PULL_FROM_URL' ? source.videoUrl : null,
      fileName: source.type === 'FILE_UPLOAD' ? (source.fileName ?? null) : null,
      videoSize: source.type === 'FILE_UPLOAD' ? source.videoSize : null,
      uploadId: source.type === 'FILE_UPLOAD' ? (source.uploadId ?? null) : null,
      localStatus: 'initializing',
      ownerInstance: INSTANCE_ID,
    });
    try {
      await opts.onPost?.(post.id);
      const result = await this.tokens.withFreshToken(account.id, (t) =>
        this.tiktok.initVideo(t, postInfo, sourceInfo),
      );
      await this.posts.update(post.id, {
        publishId: result.publish_id,
        tiktokLogId: result.logId,
        localStatus: source.type === 'PULL_FROM_URL' ? 'processing' : 'uploading',
        tiktokStatus: source.type === 'PULL_FROM_URL' ? 'PROCESSING_DOWNLOAD' : 'PROCESSING_UPLOAD',
        ...(relay ? { relayHeartbeatAt: new Date() } : {}),
      });
      // A post made changes what TikTok's creator_info says (its daily count): ask it anew next time.
      await this.creators
        .forget(account.id)
        .catch((e: unknown) => this.logger.warn({ err: e }, 'could not forget the creator info'));
      // From here a job owns the post: TikTok pulls the URL, or the browser sends the bytes.
      if (!relay) await this.follow(post.id, source.type === 'PULL_FROM_URL' ? 1 : 5);
      this.logger.info(
        { postId: post.id, publishId: result.publish_id, tiktokLogId: result.logId, source: source.type },
        'tiktok publish initialised',
      );
      return {
        publish_id: result.publish_id,
        ...(result.upload_url ? { upload_url: result.upload_url } : {}),
        post_id: post.id,
        ...(plan ? { plan } : {}),
      };
    } catch (err) {
      if (source.type === 'PULL_FROM_URL' && outcomeUnknown(err)) {
        // No answer (a timeout, a dropped connection, a 5xx): TikTok may have taken the init and
        // be pulling the video now. Never run it again by itself, under the key or otherwise.
        await this.posts.update(post.id, {
          localStatus: 'failed',
          errorCode: OUTCOME_UNKNOWN,
          userMessage: UNANSWERED_INIT_MESSAGE,
        });
        throw new AppError('TIKTOK_UNAVAILABLE', UNANSWERED_INIT_MESSAGE, { retryable: false, cause: err });
      }
      await this.fail(post.id, err);
      throw await this.refusedSettings(err, account.id, prepared.settings);
    }
  }

  /**
   * POST /tiktok/publish/init as the request gave it, under its optional Idempotency-Key
   * (idempotency.ts). The source is checked before the key is claimed; the same key answers the
   * first success again, or the followed post of an attempt whose process died after TikTok's
   * init. A failure lets the key go.
   */
  async initRequested(
    userId: string,
    request: PublishInitRequest,
    idempotencyKey: string | undefined,
  ): Promise<PublishInitData> {
    const source = this.checkSource(request.source_type, request.video_url, request.video_size);
    const started = await this.idempotency.begin<PublishInitData>(
      userId,
      idempotencyKey,
      request,
      recoveredInit,
    );
    if ('replay' in started) return started.replay;
    const { attempt } = started;
    try {
      const { plan: _plan, ...data } = await this.init(
        userId,
        request.socialAccountId,
        {
          title: request.title ?? '',
          privacy_level: request.privacy_level,
          disable_comment: request.disable_comment,
          disable_duet: request.disable_duet,
          disable_stitch: request.disable_stitch,
          brand_organic_toggle: request.brand_organic_toggle ?? false,
          brand_content_toggle: request.brand_content_toggle ?? false,
          is_aigc: request.is_aigc ?? false,
          video_cover_timestamp_ms: request.video_cover_timestamp_ms,
        },
        source,
        { onPost: attempt.onPost },
      );
      return await attempt.succeeded(data);
    } catch (error) {
      await attempt.failed();
      throw error;
    }
  }

  /**
   * GET /tiktok/publish/status/:publishId — from our database: the post's job asks TikTok (one
   * per post, however many tabs watch) and records each answer.
   */
  async status(userId: string, publishId: string): Promise<PublishStatusData> {
    const post = await this.posts.findByPublishId(userId, publishId);
    if (!post) throw new AppError('NOT_FOUND', 'No publish with this id was found.');
    return this.statusOf(userId, post);
  }

  /** A post of the user's, as its status reads (the resumable upload's status reads it by upload). */
  async statusOf(userId: string, post: PostRow): Promise<PublishStatusData> {
    if (!isSettled(post)) {
      // Its job cannot ask TikTok while the account needs reconnecting: say so, as every
      // publishing endpoint does. (A disconnected account keeps its last recorded status.)
      const account = await this.accounts.findOwned(userId, post.socialAccountId);
      if (account) assertUsable(account);
    }
    return toStatus(post);
  }

  /**
   * TikTok refused the init (a setting no longer allowed, a cap): the kept creator info may be out
   * of date, so it is forgotten — the next form shows TikTok's options as they are now. When
   * TikTok refused the privacy level, the settings are checked against those fresh options, so
   * the user reads the same words as when our own check refuses them, with the current choices.
   */
  private async refusedSettings(
    err: unknown,
    accountId: string,
    settings: RequestedSettings,
  ): Promise<unknown> {
    if (!(err instanceof AppError) || !err.tiktok) return err;
    try {
      if (err.tiktok.code !== 'privacy_level_option_mismatch') {
        await this.creators.forget(accountId);
        return err;
      }
      resolvePostInfo(settings, await this.creators.refresh(accountId));
      return err;
    } catch (e) {
      if (e instanceof AppError && e.code === 'PRIVACY_LEVEL_NOT_ALLOWED') return e;
      this.logger.warn({ err: e, accountId }, 'could not refresh the creator info after a refusal');
      return err;
    }
  }

  /** Hands the post to its job; a job engine that does not answer must not fail the publish. */
  async follow(postId: string, delaySec: number): Promise<void> {
    await this.follower
      .follow(postId, delaySec)
      .catch((e: unknown) =>
        this.logger.error(
          { err: e, postId },
          'could not queue the post’s follow job; recovery will queue it',
        ),
      );
  }

  async history(userId: string, limit = 50): Promise<PostSummary[]> {
    return (await this.posts.listForUser(userId, limit)).map(toSummary);
  }

  /** Records why a publish failed, with TikTok's code and log id when TikTok said it. */
  async fail(postId: string, err: unknown): Promise<void> {
    const app = err instanceof AppError ? err : undefined;
    await this.posts
      .update(postId, {
        localStatus: 'failed',
        errorCode: app?.code ?? 'INTERNAL',
        userMessage: app?.message ?? messageFor('INTERNAL'),
        // TikTok's own code (e.g. spam_risk_too_many_posts at init) is the reason this publish
        // failed: keep it with the log id, so history and support can tell what TikTok said.
        ...(app?.tiktok ? { failReason: app.tiktok.code } : {}),
        ...(app?.tiktok?.logId ? { tiktokLogId: app.tiktok.logId } : {}),
      })
      .catch((e: unknown) => this.logger.error({ err: e, postId }, 'could not record a failed publish'));
  }
}

/**
 * The server enforces what the form enforces, by the same rules (contract creator-rules.ts):
 * privacy must be one of the creator's current options; branded content cannot be private
 * (tiktok-api.md §11 point 3b); an interaction the creator disabled cannot be turned on
 * (omitted = follow the creator).
 */
export function resolvePostInfo(requested: RequestedSettings, creator: TikTokCreatorInfo): TikTokPostInfo {
  const checked = applyCreatorRules(requested, creator);
  if (!checked.ok) {
    const { code, message } = checked.violation;
    throw code === 'VALIDATION_FAILED' ? validation(message) : new AppError(code, message);
  }
  const s = checked.settings;
  return {
    ...(s.title ? { title: s.title } : {}),
    privacy_level: s.privacy_level,
    disable_comment: s.disable_comment,
    disable_duet: s.disable_duet,
    disable_stitch: s.disable_stitch,
    brand_content_toggle: s.brand_content_toggle,
    brand_organic_toggle: s.brand_organic_toggle,
    is_aigc: s.is_aigc,
    ...(s.video_cover_timestamp_ms !== undefined
      ? { video_cover_timestamp_ms: s.video_cover_timestamp_ms }
      : {}),
  };
}

/** A PULL_FROM_URL init whose process died after TikTok answered: its post is followed. */
function recoveredInit(post: PostRow): PublishInitData | undefined {
  // A FILE_UPLOAD init's upload_url is not kept: that attempt can only be waited out.
  if (!post.publishId || post.sourceType !== 'PULL_FROM_URL') return undefined;
  return { publish_id: post.publishId, post_id: post.id };
}

function validation(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { details: [message] });
}

function toStatus(post: PostRow): PublishStatusData {
  return {
    publish_id: post.publishId ?? '',
    status: post.tiktokStatus ?? 'PROCESSING_UPLOAD',
    fail_reason: post.failReason,
    post_ids: post.postIds,
    uploaded_bytes: post.uploadedBytes,
    downloaded_bytes: null,
    local_status: post.localStatus as LocalPostStatus,
    user_message: post.userMessage,
    unconfirmed: post.followEndedAt !== null,
  };
}

function toSummary({ latest: p, earlier }: Submission): PostSummary {
  return {
    id: p.id,
    social_account_id: p.socialAccountId,
    account_display_name: p.accountDisplayName,
    account_username: p.accountUsername,
    source_type: p.sourceType as SourceType,
    title: p.title,
    privacy_level: p.privacyLevel as PostSummary['privacy_level'],
    disable_comment: p.disableComment,
    disable_duet: p.disableDuet,
    disable_stitch: p.disableStitch,
    brand_organic_toggle: p.brandOrganicToggle,
    brand_content_toggle: p.brandContentToggle,
    is_aigc: p.isAigc,
    video_url: p.videoUrl,
    file_name: p.fileName,
    video_size: p.videoSize,
    publish_id: p.publishId,
    local_status: p.localStatus as LocalPostStatus,
    tiktok_status: p.tiktokStatus,
    fail_reason: p.failReason,
    error_code: p.errorCode,
    user_message: p.userMessage,
    post_ids: p.postIds,
    tiktok_log_id: p.tiktokLogId,
    unconfirmed: p.followEndedAt !== null,
    earlier_attempts: earlier.map((a) => ({
      id: a.id,
      publish_id: a.publishId,
      local_status: a.localStatus as LocalPostStatus,
      error_code: a.errorCode,
      user_message: a.userMessage,
      created_at: a.createdAt.toISOString(),
    })),
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}
