import { Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { InjectDb } from '../db/database.module.ts';
import { users } from '../db/schema.ts';

/** How many subjects' ids a process remembers (a `sub` → id pair never changes). */
const REMEMBERED_USERS = 10_000;

@Injectable()
export class UsersRepository {
  /** sub → user id, least recently used first: authentication reads the database once per user. */
  private readonly known = new Map<string, string>();

  constructor(@InjectDb() private readonly db: Database) {}

  /**
   * The user with this subject, created on first sight. Safe under concurrent first requests.
   * Known subjects are answered from memory: the mapping never changes once the row exists.
   */
  async upsertBySub(sub: string, profile: { email?: string; name?: string }): Promise<{ id: string }> {
    const cached = this.known.get(sub);
    if (cached !== undefined) {
      this.known.delete(sub);
      this.known.set(sub, cached);
      return { id: cached };
    }
    const row = await this.findOrCreate(sub, profile);
    this.known.set(sub, row.id);
    if (this.known.size > REMEMBERED_USERS) this.known.delete(this.known.keys().next().value!);
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
