import { Injectable } from '@nestjs/common';
import { and, eq, gt, isNull, lt, or, isNotNull } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { InjectDb } from '../db/database.module.ts';
import { oauthStates } from '../db/schema.ts';

@Injectable()
export class OAuthStatesRepository {
  constructor(@InjectDb() private readonly db: Database) {}

  async create(stateHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.db.insert(oauthStates).values({ stateHash, userId, expiresAt });
    // Housekeeping: states older than their lifetime are worthless.
    await this.db
      .delete(oauthStates)
      .where(
        or(lt(oauthStates.expiresAt, new Date(Date.now() - 24 * 3600_000)), isNotNull(oauthStates.usedAt)),
      );
  }

  /** Marks the state used and returns its user, if it is known, unused and unexpired; atomic. */
  async consume(stateHash: string, now = new Date()): Promise<string | undefined> {
    const [row] = await this.db
      .update(oauthStates)
      .set({ usedAt: now })
      .where(
        and(eq(oauthStates.stateHash, stateHash), isNull(oauthStates.usedAt), gt(oauthStates.expiresAt, now)),
      )
      .returning({ userId: oauthStates.userId });
    return row?.userId;
  }
}
