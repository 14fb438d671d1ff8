import { Injectable } from '@nestjs/common';
import { and, desc, eq, gt, inArray, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
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
  >
>;

export interface PostWithAccount extends PostRow {
  accountDisplayName: string | null;
  accountUsername: string | null;
}

@Injectable()
export class PostsRepository {
  constructor(@InjectDb() private readonly db: Database) {}

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
   * Marks failed the posts whose work died with a process: an init that never came back (no
   * publish id after `initGraceSec`), and a relay whose heartbeat stopped (`relayGraceSec`).
   * Returns how many of each.
   */
  async failAbandoned(opts: {
    initGraceSec: number;
    relayGraceSec: number;
    initMessage: string;
    relayMessage: string;
  }): Promise<{ inits: number; relays: number }> {
    const inits = await this.failWhere(
      opts.initMessage,
      and(
        eq(posts.localStatus, 'initializing'),
        isNull(posts.publishId),
        lt(posts.createdAt, sql`now() - make_interval(secs => ${opts.initGraceSec})`),
      ),
    );
    const relays = await this.failWhere(
      opts.relayMessage,
      and(
        eq(posts.localStatus, 'uploading'),
        isNotNull(posts.relayHeartbeatAt),
        lt(posts.relayHeartbeatAt, sql`now() - make_interval(secs => ${opts.relayGraceSec})`),
      ),
    );
    return { inits, relays };
  }

  private async failWhere(userMessage: string, where: SQL | undefined): Promise<number> {
    const rows = await this.db
      .update(posts)
      .set({ localStatus: 'failed', errorCode: 'UPLOAD_FAILED', userMessage, updatedAt: new Date() })
      .where(where)
      .returning({ id: posts.id });
    return rows.length;
  }

  async findByPublishId(userId: string, publishId: string): Promise<PostRow | undefined> {
    const [row] = await this.db
      .select()
      .from(posts)
      .where(and(eq(posts.publishId, publishId), eq(posts.userId, userId)));
    return row;
  }

  /** The user's publishes, newest first, with the account's names. */
  async listForUser(userId: string, limit: number): Promise<PostWithAccount[]> {
    const rows = await this.db
      .select({
        post: posts,
        accountDisplayName: socialAccounts.displayName,
        accountUsername: socialAccounts.username,
      })
      .from(posts)
      .innerJoin(socialAccounts, eq(socialAccounts.id, posts.socialAccountId))
      .where(eq(posts.userId, userId))
      .orderBy(desc(posts.createdAt))
      .limit(limit);
    return rows.map((r) => ({
      ...r.post,
      accountDisplayName: r.accountDisplayName,
      accountUsername: r.accountUsername,
    }));
  }
}
