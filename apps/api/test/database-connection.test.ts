import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAdminUrl, type Stack, startStack } from './support/stack.ts';

/**
 * PostgreSQL restarts, fails over, or an administrator ends sessions: the pool's idle connections
 * die under the API. It must keep serving on new connections, not crash on the first one lost.
 */
describe('the database closes the API’s idle connections', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('the API keeps answering, and logs what happened', async () => {
    // Several requests at once leave several idle connections in the pool.
    await Promise.all(Array.from({ length: 4 }, () => stack.call('/health')));
    const database = new URL(stack.databaseUrl ?? '').pathname.slice(1);
    const admin = new pg.Client({ connectionString: postgresAdminUrl() });
    await admin.connect();
    try {
      const ended = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
      expect(ended.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }

    await expect.poll(() => stack.logs.some((l) => l.includes('closed an idle connection'))).toBe(true);
    const res = await stack.call('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, data: { status: 'ok', database: 'up' } });
  });
});
