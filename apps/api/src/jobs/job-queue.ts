/**
 * Durable jobs on PostgreSQL, behind one thin module of ours: pg-boss (SKIP LOCKED fetching,
 * singleton keys, per-key "short" queues, expiry of a dead worker's job, cron de-duplicated
 * across instances, its own schema migrated under an advisory lock). The rest of the API names
 * queues and handlers; it never imports pg-boss.
 */
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from '../common/logger.ts';

export interface QueueSpec {
  name: string;
  /**
   * `short`: per singleton key, at most one job waiting (a second send while one waits is
   * dropped), however many run; `standard`: no such limit. (pg-boss's `stately`, which also
   * allows one running per key, is not offered: a waiting job whose key's running job died with
   * its worker blocks the whole queue until that job expires.)
   */
  policy: 'short' | 'standard';
  /** A running job whose worker went silent this long is given to another worker. */
  expireInSeconds: number;
  /** Retries of a job that threw, with exponential backoff from `retryDelaySeconds`. */
  retryLimit: number;
  retryDelaySeconds: number;
}

export interface JobOptions {
  /** One waiting job per key on a `short` queue: a second send while one waits is dropped. */
  singletonKey?: string;
  /** Not before this many seconds from now. */
  startAfterSeconds?: number;
}

export type JobHandler<T> = (data: T) => Promise<void>;

/** Our advisory lock around pg-boss's start ("boss"); the migration lock is another. */
const START_LOCK = 0x626f7373;

async function upsertQueues(boss: PgBoss, queues: QueueSpec[]): Promise<void> {
  for (const q of queues) {
    const options = {
      name: q.name,
      policy: q.policy,
      expireInSeconds: q.expireInSeconds,
      retryLimit: q.retryLimit,
      retryDelay: q.retryDelaySeconds,
      retryBackoff: true,
    };
    const existing = await boss.getQueue(q.name);
    if (existing) await boss.updateQueue(q.name, options);
    else await boss.createQueue(q.name, options);
  }
}

export class JobQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly logger: Logger,
  ) {}

  /** Connects, migrates pg-boss's schema (`pgboss`) and creates the queues. */
  static async start(connectionString: string, queues: QueueSpec[], logger: Logger): Promise<JobQueue> {
    const boss = new PgBoss({
      connectionString,
      max: 4,
      application_name: 'cliprelay-jobs',
      // Finished jobs are kept a day for support, then archived and deleted by pg-boss.
      archiveCompletedAfterSeconds: 24 * 3600,
    });
    boss.on('error', (error: Error) => logger.error({ err: error.message }, 'job engine error'));
    // pg-boss's first start on an empty database, by several replicas at once, deadlocks in its
    // schema creation and queue upserts: one process at a time does both, under a lock of ours.
    const lock = new pg.Client({ connectionString });
    await lock.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [START_LOCK]);
      await boss.start();
      await upsertQueues(boss, queues);
    } catch (err) {
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      throw err;
    } finally {
      await lock.end().catch(() => undefined);
    }
    return new JobQueue(boss, logger);
  }

  /** Queues a job; resolves with its id, or null when a `short` key already has one waiting. */
  send(queue: string, data: object, options: JobOptions = {}): Promise<string | null> {
    return this.boss.send(queue, data, {
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.startAfterSeconds ? { startAfter: Math.ceil(options.startAfterSeconds) } : {}),
    });
  }

  /** Runs `handler` for each job of `queue`, polling every `pollingIntervalSeconds`. */
  async work<T extends object>(
    queue: string,
    pollingIntervalSeconds: number,
    handler: JobHandler<T>,
  ): Promise<void> {
    await this.boss.work<T>(queue, { pollingIntervalSeconds, batchSize: 1 }, async ([job]) => {
      if (job) await handler(job.data);
    });
  }

  /** A cron schedule, kept once across every instance (pg-boss's clock). */
  async schedule(queue: string, cron: string): Promise<void> {
    await this.boss.schedule(queue, cron, {});
  }

  /** Stops fetching, lets running jobs finish (up to `timeoutMs`), closes the pool. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.boss
      .stop({ graceful: true, timeout: timeoutMs, wait: true, close: true })
      .catch((err: unknown) => {
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'job engine did not stop cleanly',
        );
      });
  }
}
