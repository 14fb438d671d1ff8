import { Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { InjectDb } from '../db/database.module.ts';
import { INSTANCE_ID, ownerAlive } from '../db/presence.ts';
import { idempotencyKeys, type PostRow, posts } from '../db/schema.ts';

/** What a key holds when a request under it arrives. */
export type KeyClaim =
  /** The key is this request's now: run the publish. */
  | { kind: 'run' }
  /** Another request used it first, for something else. */
  | { kind: 'mismatch' }
  /** Its first success, as it was answered. */
  | { kind: 'replay'; response: unknown }
  /** An attempt under it is running, or its post's outcome is still open. */
  | { kind: 'busy'; post: PostRow | undefined };

@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDb() private readonly db: Database) {}

  /**
   * Claims `key` for a request with this hash, in one transaction with the row locked: a new
   * key is this request's; a known one replays its success, is busy while its attempt may still
   * lead to a post, or is taken over once that attempt failed for good (`failedForGood(post)`)
   * or died before it made a post (its process is gone, or it started more than `staleSec` ago:
   * longer than any upload takes, so a live attempt is never run twice).
   */
  claim(
    userId: string,
    key: string,
    requestHash: string,
    opts: { staleSec: number; failedForGood: (post: PostRow) => boolean },
  ): Promise<KeyClaim> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(idempotencyKeys)
        .values({ userId, key, requestHash, ownerInstance: INSTANCE_ID })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (inserted.length > 0) return { kind: 'run' };
      const [row] = await tx
        .select({
          requestHash: idempotencyKeys.requestHash,
          response: idempotencyKeys.response,
          stale: sql<boolean>`${idempotencyKeys.startedAt} < now() - make_interval(secs => ${opts.staleSec})`,
          ownerAlive: ownerAlive(idempotencyKeys.ownerInstance),
          post: posts,
        })
        .from(idempotencyKeys)
        .leftJoin(posts, eq(posts.id, idempotencyKeys.postId))
        .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)))
        .for('update', { of: idempotencyKeys });
      if (!row) return { kind: 'busy', post: undefined };
      if (row.requestHash !== requestHash) return { kind: 'mismatch' };
      const post = row.post ?? undefined;
      // A success answered before (TikTok's init) can still end failed for good (TikTok's status
      // said FAILED): then the key runs anew rather than replaying that answer.
      const failed = post !== undefined && opts.failedForGood(post);
      if (row.response !== null && !failed) return { kind: 'replay', response: row.response };
      // No post yet: the attempt is still receiving the file, or its process died doing so.
      const runsAnew = post ? failed : row.stale || !row.ownerAlive;
      if (!runsAnew) return { kind: 'busy', post };
      await tx
        .update(idempotencyKeys)
        .set({ postId: null, response: null, startedAt: new Date(), ownerInstance: INSTANCE_ID })
        .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
      return { kind: 'run' };
    });
  }

  /** The key's running attempt made this post; the post joins the key's submit (history row). */
  async attachPost(userId: string, key: string, postId: string): Promise<void> {
    const [row] = await this.db
      .update(idempotencyKeys)
      .set({ postId })
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)))
      .returning({ submissionId: idempotencyKeys.submissionId });
    if (row) {
      await this.db
        .update(posts)
        .set({ submissionId: row.submissionId })
        .where(and(eq(posts.id, postId), eq(posts.userId, userId)));
    }
  }

  async storeResponse(userId: string, key: string, response: unknown): Promise<void> {
    await this.db
      .update(idempotencyKeys)
      .set({ response })
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
  }

  /** A request refused before it made a post: the key may be used again at once. */
  async releaseIfNoPost(userId: string, key: string): Promise<void> {
    await this.db
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.userId, userId),
          eq(idempotencyKeys.key, key),
          sql`${idempotencyKeys.postId} is null`,
          sql`${idempotencyKeys.response} is null`,
        ),
      );
  }

  /** Keys are kept 24 hours. */
  async prune(): Promise<void> {
    await this.db.execute(sql`delete from idempotency_keys where created_at < now() - interval '24 hours'`);
  }
}
