/**
 * Which API processes are alive, as PostgreSQL sees them. Each process holds one connection
 * named `cliprelay-api/<instance id>` (its `application_name`) for as long as it lives; a
 * process that dies — even by SIGKILL — loses its connection at once, and PostgreSQL forgets
 * the name. So "is the process that claimed this work still running?" is one query of
 * `pg_stat_activity`, true across replicas, with no heartbeat to wait out.
 *
 * Work records its owner (an Idempotency-Key's running attempt, a post being initialised or
 * relayed); recovery and a retry under the same key take over work whose owner is gone.
 *
 * The same connection LISTENs for changes to account rows (a trigger announces each one, migration
 * 0005), so a process's in-memory copy of an account is dropped the moment any process changes it.
 */
import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { AnyColumn } from 'drizzle-orm';
import pg from 'pg';

const PREFIX = 'cliprelay-api/';

/** This process's id: stamped on the work it owns. */
export const INSTANCE_ID = randomUUID();

/** True while the process that stamped `owner` holds its presence connection. */
export function ownerAlive(owner: AnyColumn | SQL): SQL<boolean> {
  return sql<boolean>`exists (select 1 from pg_stat_activity where application_name = ${PREFIX} || ${owner})`;
}

/** The channel the social_accounts trigger announces a changed account's id on. */
const ACCOUNT_CHANNEL = 'cliprelay_social_accounts';

/** Hears a changed account's id; `undefined`: changes may have been missed, forget every account. */
export type AccountChangeListener = (accountId: string | undefined) => void;

export interface Presence {
  /** Calls `listener` for every account change; returns the unsubscribe. */
  onAccountChange(listener: AccountChangeListener): () => void;
  /**
   * Runs `work` while this process holds PostgreSQL's advisory lock on `key` — held by the
   * presence connection, so a process that dies lets go of it with its connection. Resolves
   * `{ ran: false }` without running it when another process holds the lock.
   */
  whileLocked<T>(key: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  close(): Promise<void>;
}

/** The advisory-lock namespace of `whileLocked` (the key is hashed into the second half). */
const LOCK_SPACE = 0x6c6f636b; // "lock"

/**
 * Opens the presence connection, and opens it again if the server drops it (a restart): other
 * processes would otherwise take this one's work while it is still doing it.
 */
export async function announcePresence(
  connectionString: string,
  onLost: (error: Error) => void,
): Promise<Presence> {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  const listeners = new Set<AccountChangeListener>();
  // PostgreSQL's session locks are re-entrant: this process's own holders are kept out here.
  const locked = new Set<string>();
  const tell = (accountId: string | undefined) => {
    for (const listener of listeners) listener(accountId);
  };
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, application_name: `${PREFIX}${INSTANCE_ID}` });
    const reconnect = (error: Error) => {
      onLost(error);
      if (client === next) client = undefined;
      // While this connection was down, changes went unheard: every copy is suspect.
      tell(undefined);
      void next.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect().catch(reconnect), 1000);
    };
    next.on('error', reconnect);
    next.on('notification', (message) => {
      if (message.channel === ACCOUNT_CHANNEL && message.payload) tell(message.payload);
    });
    await next.connect();
    await next.query(`LISTEN ${ACCOUNT_CHANNEL}`);
    client = next;
    tell(undefined);
  };
  await connect();
  return {
    onAccountChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async whileLocked(key, work) {
      const held = client;
      if (!held) throw new Error('the presence connection is down; try again shortly');
      if (locked.has(key)) return { ran: false };
      locked.add(key);
      try {
        const args = [LOCK_SPACE, key];
        const { rows } = await held.query<{ got: boolean }>(
          'select pg_try_advisory_lock($1::int, hashtext($2)) as got',
          args,
        );
        if (!rows[0]?.got) return { ran: false };
        try {
          return { ran: true, value: await work() };
        } finally {
          // A connection lost meanwhile took the lock with it.
          await held.query('select pg_advisory_unlock($1::int, hashtext($2))', args).catch(() => undefined);
        }
      } finally {
        locked.delete(key);
      }
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
