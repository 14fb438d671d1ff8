import { Injectable } from '@nestjs/common';
import { and, desc, eq } from 'drizzle-orm';
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
