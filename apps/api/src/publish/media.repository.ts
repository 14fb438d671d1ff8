import { Injectable } from '@nestjs/common';
import { desc, eq } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { InjectDb } from '../db/database.module.ts';
import { media, type MediaRow } from '../db/schema.ts';

@Injectable()
export class MediaRepository {
  constructor(@InjectDb() private readonly db: Database) {}

  listForUser(userId: string, limit = 200): Promise<MediaRow[]> {
    return this.db
      .select()
      .from(media)
      .where(eq(media.userId, userId))
      .orderBy(desc(media.createdAt))
      .limit(limit);
  }

  async create(values: typeof media.$inferInsert): Promise<MediaRow> {
    const [row] = await this.db.insert(media).values(values).returning();
    if (!row) throw new Error('media insert returned nothing');
    return row;
  }
}
