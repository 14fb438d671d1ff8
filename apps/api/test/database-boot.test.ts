/**
 * How the API finds its database at boot, as `npm run start:api` runs it (the built API, a real
 * process each):
 * replicas migrating one empty database at once, and the embedded PostgreSQL of a machine with no
 * DATABASE_URL — kept across restarts, and not blocked by a run that was killed.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@cliprelay/test-kit/ports';
import { ensureApiBuilt, spawnApi, stopChild, waitForHealth } from '@cliprelay/test-kit/processes';
import { createTestDatabase, queryUrl } from '@cliprelay/test-kit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAdminUrl } from './support/stack.ts';

const MIGRATIONS = readdirSync(join(import.meta.dirname, '..', 'drizzle')).filter((f) => f.endsWith('.sql'));

interface ApiProcess {
  child: ChildProcess;
  url: string;
  /** Every line it printed so far. */
  lines(): string[];
}

beforeAll(() => ensureApiBuilt(), 120_000);

const running: ApiProcess[] = [];
const folders: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((api) => stopChild(api.child)));
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cliprelay-boot-'));
  folders.push(dir);
  return dir;
}

async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawnApi({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, 'pipe');
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const api = { child, url: `http://127.0.0.1:${port}`, lines: () => output.split('\n').filter(Boolean) };
  running.push(api);
  return api;
}

/** The messages of the JSON log lines (and any plain lines as they are). */
function messages(api: ApiProcess): string[] {
  return api.lines().map((line) => {
    try {
      return String((JSON.parse(line) as { msg?: unknown }).msg);
    } catch {
      return line;
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('with DATABASE_URL', () => {
  it('three API processes started together on one empty database all come up, and the schema is applied once', async () => {
    const database = await createTestDatabase(postgresAdminUrl());
    try {
      const dataDir = await tempDir();
      const apis = await Promise.all(
        [1, 2, 3].map(() => startApiProcess({ DATABASE_URL: database.url, DATA_DIR: dataDir })),
      );
      await Promise.all(apis.map((api) => waitForHealth(api.url, api.child)));

      const ready = apis.map((api) => messages(api).find((m) => m.startsWith('database ready')));
      expect(ready.sort()).toEqual([
        `database ready: applied ${MIGRATIONS.length} migration(s)`,
        'database ready: schema up to date',
        'database ready: schema up to date',
      ]);
      const applied = await queryUrl<{ n: number }>(
        database.url,
        'select count(*)::int as n from drizzle.__drizzle_migrations',
      );
      expect(applied).toEqual([{ n: MIGRATIONS.length }]);
      // Nothing embedded started beside the given database.
      expect(readdirSync(dataDir)).not.toContain('postgres');
      await Promise.all(apis.map((api) => stopChild(api.child)));
    } finally {
      await database.drop();
    }
  });
});

describe('without DATABASE_URL: the embedded PostgreSQL in DATA_DIR', () => {
  it('starts, keeps its data across restarts, and is not blocked by a run that was killed', async () => {
    const dataDir = await tempDir();
    const env = { DATA_DIR: dataDir, DATABASE_URL: '' };
    const pgDir = join(dataDir, 'postgres');
    /** The running server's URL, from what it leaves in DATA_DIR (what a person would use with psql). */
    const serverUrl = async () => {
      const password = (await readFile(join(pgDir, 'password'), 'utf8')).trim();
      const port = readFileSync(join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[3];
      return `postgres://postgres:${password}@127.0.0.1:${port}/cliprelay`;
    };
    const serverPid = () =>
      Number(readFileSync(join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);

    const first = await startApiProcess(env);
    await waitForHealth(first.url, first.child);
    expect(messages(first)).toContain(`database ready: applied ${MIGRATIONS.length} migration(s)`);
    await queryUrl(await serverUrl(), "insert into users (sub) values ('boot-test|kept')");
    const firstServer = serverPid();
    await stopChild(first.child);
    expect(first.child.exitCode).toBe(0);
    // A clean stop stops the server too.
    expect(isAlive(firstServer)).toBe(false);

    const second = await startApiProcess(env);
    await waitForHealth(second.url, second.child);
    expect(messages(second)).toContain('database ready: schema up to date');
    expect(
      await queryUrl(await serverUrl(), "select sub from users where sub = 'boot-test|kept'"),
    ).toHaveLength(1);

    // Killed: no chance to stop its server, which keeps running with its postmaster.pid.
    const orphan = serverPid();
    second.child.kill('SIGKILL');
    await new Promise((resolve) => second.child.once('exit', resolve));
    expect(isAlive(orphan)).toBe(true);

    const third = await startApiProcess(env);
    await waitForHealth(third.url, third.child);
    expect(messages(third)).toContain(
      `stopped the PostgreSQL server (pid ${orphan}) that a killed run left running on ${join(pgDir, 'data')}`,
    );
    expect(isAlive(orphan)).toBe(false);
    expect(
      await queryUrl(await serverUrl(), "select sub from users where sub = 'boot-test|kept'"),
    ).toHaveLength(1);

    // Ctrl-C in a terminal and the parent's SIGTERM arrive together (npm start): one clean close.
    const thirdServer = serverPid();
    const exited = new Promise<number | null>((resolve) => third.child.once('exit', (code) => resolve(code)));
    third.child.kill('SIGINT');
    third.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(isAlive(thirdServer)).toBe(false);
  });
});
