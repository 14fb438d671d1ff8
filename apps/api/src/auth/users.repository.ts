import { Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/database.ts';
import { InjectDb } from '../db/database.module.ts';
import { users } from '../db/schema.ts';

@Injectable()
export class UsersRepository {
  /** sub → user id (a pair that never changes): authentication reads the database once per user. */
  private readonly known = new LRUCache<string, string>({ max: 10_000 });

  constructor(@InjectDb() private readonly db: Database) {}

  /**
   * The user with this subject, created on first sight. Safe under concurrent first requests.
   * Known subjects are answered from memory: the mapping never changes once the row exists.
   */
  async upsertBySub(sub: string, profile: { email?: string; name?: string }): Promise<{ id: string }> {
    const cached = this.known.get(sub);
    if (cached !== undefined) return { id: cached };
    const row = await this.findOrCreate(sub, profile);
    this.known.set(sub, row.id);
    return row;
  }

  private async findOrCreate(
    sub: string,
    profile: { email?: string; name?: string },
  ): Promise<{ id: string }> {
    const [existing] = await this.db.select({ id: users.id }).from(users).where(eq(users.sub, sub));
    if (existing) return existing;
    await this.db
      .insert(users)
      .values({ sub, email: profile.email ?? null, name: profile.name ?? null })
      .onConflictDoNothing({ target: users.sub });
    const [row] = await this.db.select({ id: users.id }).from(users).where(eq(users.sub, sub));
    if (!row) throw new Error('user upsert lost the row');
    return row;
  }
}
