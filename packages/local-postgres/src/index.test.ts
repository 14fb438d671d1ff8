import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalPostgresError, startLocalPostgres } from './index.ts';

const folders: string[] = [];
afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'cliprelay-local-pg-'));
  folders.push(parent);
  return join(parent, 'postgres');
}

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('startLocalPostgres', () => {
  it('initialises a cluster once, creates the database, and keeps its data across restarts', async () => {
    const dir = await tempDir();
    const first = await startLocalPostgres({ dir, database: 'app' });
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/app$/);
    expect(first.version).toMatch(/^\d+\.\d+/);
    await query(first.url, 'create table kept (v text); insert into kept values ($$hello$$)');
    await first.stop();
    await first.stop(); // twice is fine

    const second = await startLocalPostgres({ dir, database: 'app' });
    try {
      expect(await query(second.url, 'select v from kept')).toEqual([{ v: 'hello' }]);
      // The password is made at initdb and kept.
      expect(new URL(second.url).password).toBe(new URL(first.url).password);
    } finally {
      await second.stop();
    }
  });

  it('removes a postmaster.pid whose process is gone, and says so', async () => {
    const dir = await tempDir();
    const server = await startLocalPostgres({ dir });
    await server.stop();
    const exited = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => exited.once('exit', resolve));
    await writeFile(join(dir, 'data', 'postmaster.pid'), `${exited.pid}\n${join(dir, 'data')}\n`);

    const notices: string[] = [];
    const again = await startLocalPostgres({ dir, onNotice: (m) => notices.push(m) });
    await again.stop();
    expect(notices).toContain(
      `removed a stale postmaster.pid (pid ${exited.pid}) that a killed run left in ${join(dir, 'data')}`,
    );
  });

  it('leaves alone a server that another live process runs, and says who', async () => {
    const dir = await tempDir();
    const server = await startLocalPostgres({ dir });
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      await writeFile(join(dir, 'owner.pid'), `${other.pid}\n`);
      const attempt = startLocalPostgres({ dir });
      await expect(attempt).rejects.toThrow(LocalPostgresError);
      await expect(attempt).rejects.toThrow(`belongs to another running process (pid ${other.pid})`);
      // Still serving its owner.
      expect(await query(server.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      other.kill();
      await server.stop();
    }
  });

  it('an ephemeral cluster is gone once stopped', async () => {
    const dir = await tempDir();
    const server = await startLocalPostgres({ dir, ephemeral: true });
    expect(await query(server.url, 'show fsync')).toEqual([{ fsync: 'off' }]);
    await server.stop();
    expect(existsSync(dir)).toBe(false);
  });
});
