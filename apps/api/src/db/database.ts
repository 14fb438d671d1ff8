import { type LocalPostgres, startLocalPostgres } from '@cliprelay/local-postgres';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type AccountChangeListener, announcePresence, type Presence } from './presence.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Database = NodePgDatabase<Schema>;

export interface DatabaseHandle {
  readonly db: Database;
  /** The pool under `db`, for a library that speaks node-postgres itself (common/rate-limit.ts). */
  readonly pool: pg.Pool;
  /** `embedded`: the server this process started in DATA_DIR; `external`: DATABASE_URL. */
  readonly kind: 'embedded' | 'external';
  /** host:port, and the data folder when embedded: what may be logged (no credentials). */
  readonly where: string;
  /** The embedded server's process id, for figures; undefined for an external database. */
  readonly serverPid: number | undefined;
  /** The URL with its credentials, for the job engine's own pool: never log it. */
  readonly connectionString: string;
  /** How many migrations this process applied at boot (0: the schema was already current). */
  readonly migrationsApplied: number;
  /** Every change to an account row, from any process (db/presence.ts). */
  onAccountChange(listener: AccountChangeListener): () => void;
  /** Runs `work` under a lock across every process, let go if this one dies (db/presence.ts). */
  whileLocked: Presence['whileLocked'];
  /** Resolves when the database answers a query; used by /health. */
  ping(): Promise<void>;
  /** Ends the pool, then stops the embedded server if this process started one. */
  close(): Promise<void>;
}

/** apps/api/drizzle: two folders up from src/db/, one up from the built dist/main.js. */
const MIGRATIONS = ['../../drizzle', '../drizzle']
  .map((path) => fileURLToPath(new URL(path, import.meta.url)))
  .find((dir) => existsSync(join(dir, 'meta', '_journal.json')));
/** Any constant of ours: every replica that boots takes this advisory lock to migrate. */
const MIGRATION_LOCK = 0x636c6970; // "clip"

export interface OpenDatabaseOptions {
  /** An external PostgreSQL; without it, an embedded server runs in `${dataDir}/postgres`. */
  databaseUrl?: string;
  dataDir: string;
  /** What the embedded server's start found and did that a person should know. */
  onNotice?: (message: string) => void;
  /**
   * Hears of a pooled connection the server closed while nobody used it (a restart, a failover,
   * an administrator): the pool drops it and opens a new one on demand. Without a listener,
   * node-postgres would throw that error and end the process.
   */
  onIdleConnectionLost?: (error: Error) => void;
}

/**
 * Opens PostgreSQL — DATABASE_URL's, or an embedded server whose data lives in DATA_DIR — and
 * applies the committed SQL migrations under an advisory lock before anything else touches it,
 * so any number of replicas may boot at once on one empty database.
 */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<DatabaseHandle> {
  let embedded: LocalPostgres | undefined;
  let url = opts.databaseUrl;
  if (!url) {
    const dir = join(opts.dataDir, 'postgres');
    noticeOldPglite(opts.dataDir, opts.onNotice);
    embedded = await startLocalPostgres({ dir, database: 'cliprelay', onNotice: opts.onNotice });
    url = embedded.url;
  }
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', (error) => opts.onIdleConnectionLost?.(error));
  let presence: Presence | undefined;
  const close = async () => {
    await presence?.close();
    await pool.end();
    await embedded?.stop();
  };
  try {
    const migrationsApplied = await migrateUnderLock(pool);
    presence = await announcePresence(url, (error) => opts.onIdleConnectionLost?.(error));
    const db = drizzle(pool, { schema });
    const { host } = new URL(url);
    return {
      db,
      pool,
      kind: embedded ? 'embedded' : 'external',
      where: embedded ? `${host}, data in ${join(opts.dataDir, 'postgres')}` : host,
      serverPid: embedded?.pid,
      connectionString: url,
      migrationsApplied,
      onAccountChange: (listener) => presence!.onAccountChange(listener),
      whileLocked: (key, work) => presence!.whileLocked(key, work),
      ping: async () => {
        // A pooled connection the server ended may not have told the pool yet: one more try
        // takes a fresh one, so one stale connection does not read as a database that is down.
        await db.execute(sql`select 1`).catch(() => db.execute(sql`select 1`));
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Drizzle's migrator checks what is applied, then applies the rest: two replicas doing that at
 * once would both try. One session holds the advisory lock while it migrates; the others wait on
 * it, then find nothing left to do.
 */
async function migrateUnderLock(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const before = await appliedCount(client);
      if (!MIGRATIONS) throw new Error('the migrations folder apps/api/drizzle is missing');
      await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS });
      return (await appliedCount(client)) - before;
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

async function appliedCount(client: pg.PoolClient): Promise<number> {
  const table = await client.query<{ t: string | null }>(
    `select to_regclass('drizzle.__drizzle_migrations') as t`,
  );
  if (!table.rows[0]?.t) return 0;
  const { rows } = await client.query<{ n: number }>(
    'select count(*)::int as n from drizzle.__drizzle_migrations',
  );
  return rows[0]?.n ?? 0;
}

/** Earlier versions kept a PGlite database in DATA_DIR/pglite; say so once per boot. */
function noticeOldPglite(dataDir: string, notice?: (m: string) => void): void {
  const old = join(dataDir, 'pglite');
  if (existsSync(old) && readdirSync(old).length > 0) {
    notice?.(
      `${old} holds the PGlite database of an earlier version; it is no longer read (the embedded ` +
        'PostgreSQL starts empty). Delete that folder when you no longer need it.',
    );
  }
}
