import { Injectable } from '@nestjs/common';
import { and, eq, gt, isNull, lt, or, isNotNull } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { InjectDb } from '../db/database.module.ts';
import { oauthStates } from '../db/schema.ts';

@Injectable()
export class OAuthStatesRepository {
  constructor(@InjectDb() private readonly db: Database) {}

  async create(stateHash: string, browserHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.db.insert(oauthStates).values({ stateHash, browserHash, userId, expiresAt });
    // Housekeeping: states older than their lifetime are worthless.
    await this.db
      .delete(oauthStates)
      .where(
        or(lt(oauthStates.expiresAt, new Date(Date.now() - 24 * 3600_000)), isNotNull(oauthStates.usedAt)),
      );
  }

  /**
   * Marks the state used and returns its user and browser binding, if it is known, unused and
   * unexpired; atomic, so a state works once whatever the browser turns out to be.
   */
  async consume(
    stateHash: string,
    now = new Date(),
  ): Promise<{ userId: string; browserHash: string | null } | undefined> {
    const [row] = await this.db
      .update(oauthStates)
      .set({ usedAt: now })
      .where(
        and(eq(oauthStates.stateHash, stateHash), isNull(oauthStates.usedAt), gt(oauthStates.expiresAt, now)),
      )
      .returning({ userId: oauthStates.userId, browserHash: oauthStates.browserHash });
    return row;
  }
}
