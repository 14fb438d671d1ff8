/**
 * The server follows every post to its end. Once TikTok's init gave a publish id, a job owns the
 * post: it asks TikTok's status, records the answer, and asks again later (backoff), until the
 * post is settled — published (a public post: once its post id arrives), failed with TikTok's
 * reason, or sent to the user's inbox — or until TikTok's moderation window has passed.
 *
 * One job per post waits at a time (a `short` queue keyed by the post id), and one runs at a time
 * (an advisory lock on the post, let go by a process that dies), whichever process or tab asks.
 * Not pg-boss's `stately` policy: its "one running per key" makes a waiting job of a post whose
 * running job died with its process the head of the queue that no worker may start until that
 * job expires — every post's following stalled for minutes behind one. Statuses and the history are answered from our database. TikTok's budget of 30 status
 * calls a minute per token is counted in PostgreSQL across processes, and a 429 waits as TikTok
 * says. A process that dies mid-job loses nothing: the job expires and another worker takes it;
 * a recovery job (cron, once across instances, and at boot) re-queues any unsettled post and
 * marks failed the work that died with a process (an init that never answered, a relay whose
 * heartbeat stopped); it also drops Idempotency-Keys older than 24 h.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.ts';
import { InjectConfig } from '../config/config.module.ts';
import type { AppConfig } from '../config/config.ts';
import { InjectLogger, type Logger } from '../common/logger.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { DB_HANDLE } from '../db/database.module.ts';
import type { JobQueue, QueueSpec } from '../jobs/job-queue.ts';
import type { PostRow } from '../db/schema.ts';
import { AccountsRepository } from '../tiktok/accounts.repository.ts';
import { TikTokClient } from '../tiktok/tiktok.client.ts';
import type { TikTokPublishStatus } from '../tiktok/tiktok.types.ts';
import { TokenService } from '../tiktok/token.service.ts';
import { CallBudgetRepository } from './call-budget.repository.ts';
import { IdempotencyRepository } from './idempotency.repository.ts';
import { isSettled, statusUpdate } from './post-status.ts';
import { PostsRepository } from './posts.repository.ts';

export const FOLLOW_QUEUE = 'follow-post';
export const RECOVER_QUEUE = 'recover-posts';

export const QUEUES: QueueSpec[] = [
  // One status call per job: a worker silent for 2 minutes is dead, and its job goes elsewhere.
  { name: FOLLOW_QUEUE, policy: 'short', expireInSeconds: 120, retryLimit: 20, retryDelaySeconds: 5 },
  // Recovery is safe to run twice at once (each step is one conditional update): no key needed.
  { name: RECOVER_QUEUE, policy: 'standard', expireInSeconds: 120, retryLimit: 2, retryDelaySeconds: 10 },
];

/** TikTok allows 30 status fetches a minute per token (tiktok-api.md §10); we keep 2 spare. */
const STATUS_CALLS_PER_MINUTE = 28;
/** How long TikTok's processing and moderation may take before we stop asking. */
const FOLLOW_FOR_SEC = 24 * 3600;
/** An init that has not answered in this long died with its process. */
const INIT_GRACE_SEC = 5 * 60;
/** A relay touches its post every RELAY_HEARTBEAT_SEC; silent this long, it died. */
export const RELAY_HEARTBEAT_SEC = 5;
const RELAY_GRACE_SEC = 60;
/**
 * A resumable upload waits this long for its next byte (relay/tus-uploads.ts); one whose process
 * stopped is taken over by the next, and resolved by recovery only when none did in this time.
 */
export const RESUMABLE_IDLE_SEC = 60 * 60;

/**
 * With TikTok's webhooks on, they settle posts and the job only checks now and then, in case a
 * delivery was lost: never sooner than this after the last look.
 */
const WEBHOOK_FALLBACK_SEC = 5 * 60;
/** A job that found its post being asked about by another worker waits this long. */
const LOCKED_OUT_RETRY_SEC = 5;

export const UNCONFIRMED_MESSAGE =
  'TikTok has not confirmed this post yet. It may still appear on your TikTok profile: look there before posting it again.';
export const RESTARTED_RELAY_MESSAGE =
  'The upload was cut short because our server restarted. Nothing was posted; please try again.';
export const RESTARTED_INIT_MESSAGE =
  'Our server restarted before TikTok answered, so we could not follow this post. Check your TikTok profile before trying again.';

interface FollowJob {
  postId: string;
  /** How many times this post was asked about so far: sets the next wait. */
  attempt: number;
}

/** The wait before asking again: 1 s, growing ×1.6, at most 30 s for 10 minutes, then 5 minutes. */
export function followDelaySec(attempt: number, ageSec: number): number {
  const cap = ageSec < 600 ? 30 : 300;
  return Math.min(cap, Math.round(1.6 ** attempt));
}

@Injectable()
export class PostFollower {
  private jobs: JobQueue | undefined;

  /** TikTok's webhooks reach us (config `TIKTOK_WEBHOOKS`): poll only as a fallback. */
  private readonly webhooks: boolean;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly posts: PostsRepository,
    private readonly accounts: AccountsRepository,
    private readonly tokens: TokenService,
    private readonly tiktok: TikTokClient,
    private readonly budget: CallBudgetRepository,
    private readonly idempotencyKeys: IdempotencyRepository,
    @Inject(DB_HANDLE) private readonly database: DatabaseHandle,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.webhooks = config.tiktok.webhooks;
  }

  /** Starts the workers on this process and runs a recovery pass now. */
  async start(jobs: JobQueue): Promise<void> {
    this.jobs = jobs;
    await jobs.work<FollowJob>(FOLLOW_QUEUE, 1, (job) => this.followOnce(job));
    await jobs.work(RECOVER_QUEUE, 5, () => this.recover());
    await jobs.schedule(RECOVER_QUEUE, '* * * * *');
    await this.recover();
  }

  /**
   * Follows a post from now (or after `delaySec`); a post already followed keeps its one job.
   * With webhooks on, the first look waits for them.
   */
  async follow(postId: string, delaySec = 1, attempt = 0, opts: { now?: boolean } = {}): Promise<void> {
    if (!this.jobs) throw new Error('PostFollower.follow before start');
    const wait = this.webhooks && !opts.now ? Math.max(delaySec, WEBHOOK_FALLBACK_SEC) : delaySec;
    await this.jobs.send(FOLLOW_QUEUE, { postId, attempt } satisfies FollowJob, {
      singletonKey: postId,
      startAfterSeconds: wait,
    });
  }

  /** Re-queues every unsettled post, and fails the work that died with a process. */
  async recover(): Promise<void> {
    const abandoned = await this.posts.resolveAbandoned({
      initGraceSec: INIT_GRACE_SEC,
      relayGraceSec: RELAY_GRACE_SEC,
      resumableGraceSec: RESUMABLE_IDLE_SEC + RELAY_GRACE_SEC,
      unknownMessage: RESTARTED_INIT_MESSAGE,
      cutShortMessage: RESTARTED_RELAY_MESSAGE,
    });
    if (abandoned.inits + abandoned.relays.length > 0) {
      this.logger.warn(
        { inits: abandoned.inits, relays: abandoned.relays.length },
        'resolving the publishes a stopped process left unfinished',
      );
    }
    // Did the relay's last chunk reach TikTok? Its job asks now, webhooks or not.
    for (const postId of abandoned.relays) await this.follow(postId, 0, 0, { now: true });
    const unconfirmed = await this.posts.markUnconfirmed(UNCONFIRMED_MESSAGE, {
      olderThanSec: FOLLOW_FOR_SEC,
    });
    if (unconfirmed > 0) this.logger.warn({ unconfirmed }, 'tiktok did not settle these posts in time');
    const unsettled = (await this.posts.listUnsettled(FOLLOW_FOR_SEC)).filter(
      (p) => !isSettled(p) && !isRelaying(p),
    );
    for (const post of unsettled) await this.follow(post.id);
    await this.budget.prune();
    await this.idempotencyKeys.prune();
  }

  private async followOnce(job: FollowJob): Promise<void> {
    const run = await this.database.whileLocked(`follow-post:${job.postId}`, () => this.lookOnce(job));
    // Another worker is asking about this post right now; its next look (or this one) goes on.
    if (!run.ran) await this.follow(job.postId, LOCKED_OUT_RETRY_SEC, job.attempt);
  }

  private async lookOnce({ postId, attempt }: FollowJob): Promise<void> {
    const post = await this.posts.findById(postId);
    if (!post?.publishId || isSettled(post)) return;
    const ageSec = (Date.now() - post.createdAt.getTime()) / 1000;
    if (ageSec > FOLLOW_FOR_SEC) {
      await this.posts.markUnconfirmed(UNCONFIRMED_MESSAGE, { id: postId });
      this.logger.warn(
        { postId, publishId: post.publishId },
        'tiktok did not settle this post in time; stopped following',
      );
      return;
    }
    const again = (delaySec: number) => this.follow(postId, delaySec, attempt + 1);
    const account = await this.accounts.findForUser(post.userId, post.socialAccountId);
    if (!account || account.status !== 'active') {
      // Nobody can ask TikTok for this account now; look again in a while (a reconnect revives it).
      return again(600);
    }
    const wait = await this.budget.take(account.id, 'status_fetch', STATUS_CALLS_PER_MINUTE);
    if (wait > 0) return again(wait);
    try {
      const status = await this.tokens.withFreshToken(account.id, (t) =>
        this.tiktok.fetchStatus(t, post.publishId!),
      );
      if (relayCutShort(post, status)) {
        if (await this.posts.failCutShort(post.id, RESTARTED_RELAY_MESSAGE)) {
          this.logger.warn(
            { postId, publishId: post.publishId, uploadedBytes: status.uploaded_bytes },
            'the relay was cut short before its last byte reached tiktok',
          );
        }
        return;
      }
      const update = statusUpdate(post, status);
      // A webhook may have settled the post meanwhile: then this older answer is dropped.
      if (!(await this.posts.applyStatus(post.id, update))) return;
      if (update.localStatus !== post.localStatus) {
        this.logger.info(
          { postId, publishId: post.publishId, status: status.status },
          'post status changed at tiktok',
        );
      }
      if (!isSettled({ ...post, ...update })) await again(followDelaySec(attempt, ageSec));
    } catch (err) {
      const retryAfter = err instanceof AppError ? err.retryAfterSec : undefined;
      this.logger.warn(
        { postId, code: err instanceof AppError ? err.code : 'INTERNAL', retryAfter },
        'could not ask tiktok for a post status; asking again later',
      );
      await again(retryAfter ?? Math.max(5, followDelaySec(attempt, ageSec)));
    }
  }
}

/**
 * Our relay sent its last byte before a post reads `processing` — or recovery moved a relay whose
 * process died there: TikTok still waiting for bytes then means the upload was cut short.
 */
function relayCutShort(post: PostRow, status: TikTokPublishStatus): boolean {
  return (
    post.localStatus === 'processing' &&
    post.sourceType === 'FILE_UPLOAD' &&
    status.status === 'PROCESSING_UPLOAD' &&
    post.videoSize !== null &&
    (status.uploaded_bytes ?? 0) < post.videoSize
  );
}

/** A file this API is still relaying: its process follows it once the bytes are sent. */
function isRelaying(post: PostRow): boolean {
  return post.localStatus === 'uploading' && post.relayHeartbeatAt !== null;
}
