import { Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { InjectDb } from '../db/database.module.ts';

/**
 * TikTok's per-token call budgets, counted in PostgreSQL so that every API process spends from
 * the same one: a one-minute window per account and endpoint, claimed a call at a time.
 */
@Injectable()
export class CallBudgetRepository {
  constructor(@InjectDb() private readonly db: Database) {}

  /**
   * Claims one call of `limit` per minute. Resolves 0 when claimed, else the seconds until the
   * next window opens.
   */
  async take(accountId: string, endpoint: string, limit: number): Promise<number> {
    const result = await this.db.execute<{ calls: number; wait: number }>(sql`
      insert into tiktok_call_budget (social_account_id, endpoint, window_start, calls)
      values (${accountId}, ${endpoint}, date_trunc('minute', now()), 1)
      on conflict (social_account_id, endpoint, window_start)
        do update set calls = tiktok_call_budget.calls + 1
      returning calls, ceil(extract(epoch from date_trunc('minute', now()) + interval '1 minute' - now()))::int as wait`);
    const row = result.rows[0];
    return row && row.calls > limit ? Math.max(1, row.wait) : 0;
  }

  /** Drops windows older than an hour. */
  async prune(): Promise<void> {
    await this.db.execute(sql`delete from tiktok_call_budget where window_start < now() - interval '1 hour'`);
  }
}
