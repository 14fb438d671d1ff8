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
  close(): Promise<void>;
}

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
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
