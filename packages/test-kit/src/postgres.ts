/**
 * PostgreSQL for test runs: `TEST_DATABASE_URL` (an admin URL) when it is set, otherwise one
 * embedded server for the whole run, in a temp folder, gone when the run ends. Each suite then
 * creates a database of its own and drops it afterwards.
 */
import { startLocalPostgres } from '@cliprelay/local-postgres';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** A superuser URL: what createTestDatabase needs. */
  readonly adminUrl: string;
  /** `TEST_DATABASE_URL`, or `embedded PostgreSQL 18.4`. */
  readonly description: string;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { adminUrl: given, description: 'TEST_DATABASE_URL', stop: () => Promise.resolve() };
  const dir = await mkdtemp(join(tmpdir(), 'cliprelay-test-pg-'));
  const server = await startLocalPostgres({ dir, ephemeral: true });
  return {
    adminUrl: server.url,
    description: `embedded PostgreSQL ${server.version}`,
    stop: () => server.stop(),
  };
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Drops it, ending any session still open on it. */
  drop(): Promise<void>;
}

/** A new empty database on the server of `adminUrl`. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `cliprelay_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** One query on a connection of its own (opened and closed here): what tests read beside the API. */
export async function queryUrl<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
