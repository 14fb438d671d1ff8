import { Injectable } from '@nestjs/common';
import {
  type AnyColumn,
  and,
  desc,
  eq,
  gt,
  inArray,
  isNotNull,
  isNull,
  lt,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import { isStorableText } from '../common/validation.ts';
import { ownerAlive } from '../db/presence.ts';
import { OUTCOME_UNKNOWN } from './idempotency.ts';
import type { Database } from '../db/database.ts';
import { InjectDb } from '../db/database.module.ts';
import { type PostRow, posts, socialAccounts } from '../db/schema.ts';

export type NewPost = typeof posts.$inferInsert;
export type PostUpdate = Partial<
  Pick<
    PostRow,
    | 'publishId'
    | 'localStatus'
    | 'tiktokStatus'
    | 'failReason'
    | 'errorCode'
    | 'userMessage'
    | 'postIds'
    | 'tiktokLogId'
    | 'videoSize'
    | 'relayHeartbeatAt'
    | 'uploadedBytes'
    | 'followEndedAt'
  >
>;

export interface PostWithAccount extends PostRow {
  accountDisplayName: string | null;
  accountUsername: string | null;
}

/** One submit of the history: its latest attempt, and the attempts before it (newest first). */
export interface Submission {
  latest: PostWithAccount;
  earlier: PostRow[];
}

/**
 * The SQL twin of post-status.ts `isSettled`: nothing more will come from TikTok for this row.
 * Status writes are guarded by it, so a late status never undoes a final one (a webhook and the
 * job that follows the post may both write).
 */
const settled = sql`coalesce(
  ${posts.localStatus} = 'failed'
  or ${posts.tiktokStatus} in ('FAILED', 'SEND_TO_USER_INBOX')
  or (${posts.tiktokStatus} = 'PUBLISH_COMPLETE'
      and (${posts.privacyLevel} <> 'PUBLIC_TO_EVERYONE' or ${posts.postIds} <> '[]'::jsonb)),
  false
)`;

@Injectable()
export class PostsRepository {
  /** The history screen's query, prepared: its SQL built once, parsed and planned once per connection. */
  private readonly latestQuery;

  constructor(@InjectDb() private readonly db: Database) {
    const group = sql`coalesce(${posts.submissionId}, ${posts.id})`;
    const latest = db
      .selectDistinctOn([group], { id: posts.id, createdAt: posts.createdAt })
      .from(posts)
      .where(eq(posts.userId, sql.placeholder('userId')))
      .orderBy(group, desc(posts.createdAt), desc(posts.id))
      .as('latest');
    this.latestQuery = db
      .select({
        post: posts,
        accountDisplayName: socialAccounts.displayName,
        accountUsername: socialAccounts.username,
      })
      .from(latest)
      .innerJoin(posts, eq(posts.id, latest.id))
      .innerJoin(socialAccounts, eq(socialAccounts.id, posts.socialAccountId))
      .orderBy(desc(latest.createdAt))
      .limit(sql.placeholder('limit'))
      .prepare('posts_list_for_user');
  }

  async create(values: NewPost): Promise<PostRow> {
    const [row] = await this.db.insert(posts).values(values).returning();
    if (!row) throw new Error('post insert returned nothing');
    return row;
  }

  async update(id: string, values: PostUpdate): Promise<void> {
    await this.db
      .update(posts)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(posts.id, id));
  }

  /**
   * The relay sent the last byte and TikTok accepted it: the post is `processing` — unless a
   * webhook already said more (a quick PUBLISH_COMPLETE must not be taken back).
   */
  async relayed(id: string, videoSize: number): Promise<void> {
    await this.db
      .update(posts)
      .set({
        localStatus: 'processing',
        relayHeartbeatAt: null,
        uploadedBytes: videoSize,
        updatedAt: new Date(),
      })
      .where(and(eq(posts.id, id), eq(posts.localStatus, 'uploading')));
  }

  /**
   * Writes what TikTok said of a post unless the post is settled already, and never takes a
   * published post back to processing (statuses can arrive out of order). Returns whether it wrote.
   */
  async applyStatus(id: string, values: PostUpdate): Promise<boolean> {
    const regress =
      values.tiktokStatus === 'PROCESSING_UPLOAD' || values.tiktokStatus === 'PROCESSING_DOWNLOAD'
        ? sql`${posts.tiktokStatus} is distinct from 'PUBLISH_COMPLETE'`
        : sql`true`;
    const rows = await this.db
      .update(posts)
      .set({ ...values, updatedAt: new Date() })
      .where(and(eq(posts.id, id), sql`not ${settled}`, regress))
      .returning({ id: posts.id });
    return rows.length > 0;
  }

  /**
   * The job stopped following a post TikTok never settled: it says so (`userMessage`) instead of
   * "processing" forever. `olderThanSec` picks every such post of that age (recovery), `id` one.
   */
  async markUnconfirmed(
    userMessage: string,
    which: { id: string } | { olderThanSec: number },
  ): Promise<number> {
    const pick =
      'id' in which
        ? eq(posts.id, which.id)
        : and(
            isNotNull(posts.publishId),
            inArray(posts.localStatus, ['uploading', 'processing', 'published']),
            lt(posts.createdAt, sql`now() - make_interval(secs => ${which.olderThanSec})`),
          );
    const rows = await this.db
      .update(posts)
      .set({ followEndedAt: new Date(), userMessage, updatedAt: new Date() })
      .where(and(pick, isNull(posts.followEndedAt), sql`not ${settled}`))
      .returning({ id: posts.id });
    return rows.length;
  }

  /** The post TikTok's webhook speaks of (publish ids are unique across users). */
  async findByPublishIdForWebhook(publishId: string): Promise<PostRow | undefined> {
    const [row] = await this.db.select().from(posts).where(eq(posts.publishId, publishId));
    return row;
  }

  /** The post a resumable upload relays; with `userId`, only that user's (else: not found). */
  async findByUploadId(uploadId: string, userId?: string): Promise<PostRow | undefined> {
    // An id from the URL that no column can hold (a NUL) names no post: not found, not a 500.
    if (!isStorableText(uploadId)) return undefined;
    const [row] = await this.db
      .select()
      .from(posts)
      .where(and(eq(posts.uploadId, uploadId), userId ? eq(posts.userId, userId) : undefined));
    return row;
  }

  /**
   * The user's uploads our relays are carrying now (initialising or uploading, in any process, a
   * resumable one until its idle hour is up): each holds a file on some replica's disk.
   */
  async countRelaying(userId: string, idleSec: number): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(posts)
      .where(
        and(
          eq(posts.userId, userId),
          eq(posts.sourceType, 'FILE_UPLOAD'),
          inArray(posts.localStatus, ['initializing', 'uploading']),
          or(isNotNull(posts.uploadId), isNotNull(posts.relayHeartbeatAt)),
          gt(posts.updatedAt, sql`now() - make_interval(secs => ${idleSec})`),
        ),
      );
    return row?.n ?? 0;
  }

  async findById(id: string): Promise<PostRow | undefined> {
    const [row] = await this.db.select().from(posts).where(eq(posts.id, id));
    return row;
  }

  /**
   * Posts of the last `withinSec` that TikTok has a publish id for and whose outcome is open:
   * still uploading or processing, or public and published without its post id yet.
   */
  async listUnsettled(withinSec: number): Promise<PostRow[]> {
    return this.db
      .select()
      .from(posts)
      .where(
        and(
          isNotNull(posts.publishId),
          gt(posts.createdAt, sql`now() - make_interval(secs => ${withinSec})`),
          or(
            inArray(posts.localStatus, ['uploading', 'processing']),
            and(
              eq(posts.localStatus, 'published'),
              eq(posts.privacyLevel, 'PUBLIC_TO_EVERYONE'),
              sql`${posts.postIds} = '[]'::jsonb`,
            ),
          ),
        ),
      );
  }

  /**
   * Resolves the posts whose work died with a process (its owner is gone, db/presence.ts, or was
   * silent past the grace). An init that never came back fails: a FILE_UPLOAD's (TikTok got no
   * byte of it, so nothing was posted) or a PULL_FROM_URL's (TikTok may have taken it:
   * `OUTCOME_UNKNOWN`). A relay cut short is handed back as `relays`, moved to `processing`: only
   * TikTok knows whether its last chunk arrived, so the post's job asks it (PostFollower). A
   * resumable upload's relay waits for the next process to take it over (relay/tus-uploads.ts)
   * and is resolved so only when none did for `resumableGraceSec`.
   */
  async resolveAbandoned(opts: {
    initGraceSec: number;
    relayGraceSec: number;
    /** A resumable upload's relay is taken over by the next process; left this long, it is not. */
    resumableGraceSec: number;
    unknownMessage: string;
    cutShortMessage: string;
  }): Promise<{ inits: number; relays: string[] }> {
    const gone = (graceSince: AnyColumn, graceSec: number) =>
      or(
        and(isNotNull(posts.ownerInstance), sql`not ${ownerAlive(posts.ownerInstance)}`),
        sql`${graceSince} < now() - make_interval(secs => ${graceSec})`,
      );
    const deadInit = and(
      eq(posts.localStatus, 'initializing'),
      isNull(posts.publishId),
      gone(posts.createdAt, opts.initGraceSec),
    );
    const uploads = await this.failWhere(
      'UPLOAD_FAILED',
      opts.cutShortMessage,
      and(deadInit, eq(posts.sourceType, 'FILE_UPLOAD')),
    );
    const pulls = await this.failWhere(
      OUTCOME_UNKNOWN,
      opts.unknownMessage,
      and(deadInit, eq(posts.sourceType, 'PULL_FROM_URL')),
    );
    const relays = await this.db
      .update(posts)
      .set({ localStatus: 'processing', relayHeartbeatAt: null, updatedAt: new Date() })
      .where(
        and(
          eq(posts.localStatus, 'uploading'),
          isNotNull(posts.relayHeartbeatAt),
          or(
            and(isNull(posts.uploadId), gone(posts.relayHeartbeatAt, opts.relayGraceSec)),
            and(
              isNotNull(posts.uploadId),
              sql`${posts.relayHeartbeatAt} < now() - make_interval(secs => ${opts.resumableGraceSec})`,
            ),
          ),
        ),
      )
      .returning({ id: posts.id });
    return { inits: uploads + pulls, relays: relays.map((r) => r.id) };
  }

  /** A relay TikTok says stopped before its last byte: it will never be a post. */
  async failCutShort(id: string, userMessage: string): Promise<boolean> {
    return (
      (await this.failWhere('UPLOAD_FAILED', userMessage, and(eq(posts.id, id), sql`not ${settled}`))) > 0
    );
  }

  private async failWhere(errorCode: string, userMessage: string, where: SQL | undefined): Promise<number> {
    const rows = await this.db
      .update(posts)
      .set({ localStatus: 'failed', errorCode, userMessage, relayHeartbeatAt: null, updatedAt: new Date() })
      .where(where)
      .returning({ id: posts.id });
    return rows.length;
  }

  async findByPublishId(userId: string, publishId: string): Promise<PostRow | undefined> {
    if (!isStorableText(publishId)) return undefined;
    const [row] = await this.db
      .select()
      .from(posts)
      .where(and(eq(posts.publishId, publishId), eq(posts.userId, userId)));
    return row;
  }

  /**
   * The user's submits, newest first, with the account's names: attempts made under one
   * Idempotency-Key (a Try again) are one submit, shown by its latest attempt.
   */
  async listForUser(userId: string, limit: number): Promise<Submission[]> {
    const rows = await this.latestQuery.execute({ userId, limit });
    const submissionIds = rows.flatMap((r) => (r.post.submissionId ? [r.post.submissionId] : []));
    const attempts =
      submissionIds.length === 0
        ? []
        : await this.db
            .select()
            .from(posts)
            .where(and(eq(posts.userId, userId), inArray(posts.submissionId, submissionIds)))
            .orderBy(desc(posts.createdAt));
    return rows.map((r) => ({
      latest: {
        ...r.post,
        accountDisplayName: r.accountDisplayName,
        accountUsername: r.accountUsername,
      },
      earlier: attempts.filter((a) => a.submissionId === r.post.submissionId && a.id !== r.post.id),
    }));
  }
}
