/**
 * Secrets (issue 15): after a full journey — connect two TikTok accounts through OAuth, creator
 * info, an uploaded publish, a token refresh forced by TikTok's clock, status, history, and the
 * second account's disconnect — no TikTok access or refresh token the sandbox issued (read from
 * its control API), nor the client secret or the token encryption key, appears in any API log
 * line, any response the journey got (headers and body), any row of any table of the database
 * (every column cast to text), or the PostgreSQL files on disk when the server is local and
 * readable (no pg_dump ships with the embedded server, so the rows are dumped with SQL).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MiB, type TestFile, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/config.ts';
import { APP_CONFIG } from '../src/config/config.module.ts';
import { forgetCreatorInfo, queryDb } from './support/db.ts';
import { sandboxTokens } from './support/oauth.ts';
import { body, listPosts, sandboxPublish, upload, uploadForm, waitForStatus } from './support/publish.ts';
import { ReliabilityReport } from './support/reliability.ts';
import { type Stack, startStack } from './support/stack.ts';
import { connectViaOAuth, createCreator } from './support/tiktok.ts';
import { recordApiTraffic, type RecordedResponse } from './support/traffic.ts';

const report = new ReliabilityReport('secrets');
const CLEAN = 'no secret found';

describe('secrets after a full journey', () => {
  let stack: Stack;
  let config: AppConfig;
  let traffic: { responses: RecordedResponse[]; stop(): void };
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let video: TestFile;
  const openIds: string[] = [];

  beforeAll(async () => {
    files = await testFilesDir();
    video = await writeMp4(files.dir, 'journey.mp4', { size: 2 * MiB });
    stack = await startStack();
    config = stack.api.app.get<symbol, AppConfig>(APP_CONFIG);
    traffic = recordApiTraffic(stack.apiUrl);
  });
  afterAll(async () => {
    traffic?.stop();
    await report.write();
    await stack?.close();
    await files?.remove();
  });

  it('runs the journey: connect two accounts, creator info, upload, refresh, status, history, disconnect', async () => {
    const token = await stack.tokenFor('dev|alice');
    const accounts: string[] = [];
    for (const nickname of ['Main', 'Second']) {
      const { open_id } = await createCreator(stack, { nickname });
      const { accountId } = await connectViaOAuth(stack, token, open_id);
      expect(accountId).toBeTruthy();
      accounts.push(accountId!);
      openIds.push(open_id);
    }
    const [main, second] = accounts as [string, string];
    const creatorInfo = () => stack.call(`/tiktok/creator-info/${main}`, { token });
    expect((await creatorInfo()).status).toBe(200);

    const res = await upload(
      stack,
      token,
      main,
      await uploadForm(
        { title: 'Journey #secrets', privacy_level: 'SELF_ONLY', video_size: String(video.size) },
        video,
      ),
    );
    const { data } = await body(res);
    expect(res.status).toBe(200);
    expect(await sandboxPublish(stack, data.publish_id)).toMatchObject({ sha256: video.sha256 });
    await waitForStatus(stack, token, data.publish_id);

    // TikTok's clock passes the access token's two hours: the next call refreshes (and rotates).
    await stack.sandbox.advanceClock(7300);
    await forgetCreatorInfo(stack, main);
    expect((await creatorInfo()).status).toBe(200);
    const mainTokens = await sandboxTokens(stack, openIds[0]!);
    expect(mainTokens.filter((t) => t.type === 'refresh' && t.state === 'rotated')).toHaveLength(1);

    expect(
      (await stack.call(`/tiktok/publish/status/${encodeURIComponent(data.publish_id)}`, { token })).status,
    ).toBe(200);
    expect(await listPosts(stack, token)).toHaveLength(1);
    expect((await stack.call('/social-accounts', { token })).status).toBe(200);
    expect((await stack.call(`/social-accounts/${second}`, { method: 'DELETE', token })).status).toBe(200);
    expect((await sandboxTokens(stack, openIds[1]!)).every((t) => t.state === 'revoked')).toBe(true);
  });

  it('no TikTok token, client secret or encryption key in a log line, a response, a database row or file', async () => {
    const issued = (await Promise.all(openIds.map((id) => sandboxTokens(stack, id)))).flat();
    const access = issued.filter((t) => t.type === 'access').map((t) => t.token);
    const refresh = issued.filter((t) => t.type === 'refresh').map((t) => t.token);
    // Two connects and one rotation: three of each at least.
    expect(access.length).toBeGreaterThanOrEqual(3);
    expect(refresh.length).toBeGreaterThanOrEqual(3);
    const secrets = [
      ...access.map((value) => ({ what: 'a TikTok access token', value })),
      ...refresh.map((value) => ({ what: 'a TikTok refresh token', value })),
      { what: 'the client secret', value: config.tiktok.clientSecret },
      { what: 'the token encryption key (base64)', value: config.tokenEncryptionKey.toString('base64') },
      { what: 'the token encryption key (hex)', value: config.tokenEncryptionKey.toString('hex') },
    ];
    expect(secrets.every((s) => s.value.length >= 16)).toBe(true);
    const needles = secrets.map((s) => ({ ...s, bytes: Buffer.from(s.value, 'utf8') }));

    /** Throws naming the place and the kind of secret (never the secret itself). */
    const search = (where: string, haystack: string | Buffer) => {
      const text = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
      for (const s of needles) {
        if (text.includes(s.bytes)) throw new Error(`${where} holds ${s.what} (${s.value.slice(0, 4)}…)`);
      }
    };

    // Every log line.
    expect(stack.logs.length).toBeGreaterThan(30);
    stack.logs.forEach((line, i) => search(`log line ${i}`, line));
    report.record('API log lines', CLEAN, stack.logs.length);

    // Every response the journey got: status line, headers, body.
    expect(traffic.responses.length).toBeGreaterThan(10);
    for (const r of traffic.responses)
      search(`${r.method} ${r.url} (${r.status})`, `${r.headers}\n${r.body}`);
    report.record('API responses (headers and body)', CLEAN, traffic.responses.length);

    // Every row of every table, all schemas (pg-boss's jobs too), each row as text.
    const tables = await queryDb<{ schema: string; name: string }>(
      stack,
      `select table_schema as schema, table_name as name from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
        order by 1, 2`,
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['social_accounts', 'posts']));
    let rows = 0;
    for (const { schema, name } of tables) {
      const dumped = await queryDb<{ row: string }>(
        stack,
        `select t::text as row from "${schema.replaceAll('"', '""')}"."${name.replaceAll('"', '""')}" t`,
      );
      for (const { row } of dumped) search(`a row of ${schema}.${name}`, row);
      rows += dumped.length;
    }
    // The tokens are there, sealed: the dump did read them.
    const [sealed] = await queryDb<{ n: number }>(
      stack,
      `select count(*)::int as n from social_accounts where access_token_enc is not null`,
    );
    expect(sealed!.n).toBeGreaterThanOrEqual(1);
    report.record('database rows (every table, as text)', CLEAN, rows);
    report.meta.tables = tables.length;
    report.meta.databaseDump = 'SQL (no pg_dump binary ships with the embedded PostgreSQL)';

    // The server's files on disk, once a checkpoint has written every page: this database's
    // folder and the write-ahead log.
    await queryDb(stack, 'checkpoint');
    const [{ dir } = { dir: '' }] = await queryDb<{ dir: string }>(
      stack,
      `select current_setting('data_directory') as dir`,
    );
    const [{ oid } = { oid: '' }] = await queryDb<{ oid: string }>(
      stack,
      `select oid::text from pg_database where datname = current_database()`,
    );
    const readable = await stat(join(dir, 'base', oid)).then(
      () => true,
      () => false,
    );
    if (readable) {
      let scanned = 0;
      let bytes = 0;
      // A control: the creator's open_id, stored in plain text, is found — the scan reads our pages.
      let control = false;
      for (const folder of [join(dir, 'base', oid), join(dir, 'pg_wal')]) {
        for (const entry of await readdir(folder, { withFileTypes: true })) {
          if (!entry.isFile()) continue;
          const content = await readFile(join(folder, entry.name));
          search(`the data file ${folder}/${entry.name}`, content);
          control ||= content.includes(openIds[0]!);
          scanned++;
          bytes += content.length;
        }
      }
      expect(scanned).toBeGreaterThan(10);
      expect(control).toBe(true);
      report.record('PostgreSQL data files and WAL on disk', CLEAN, scanned);
      report.meta.dataFileBytes = bytes;
    } else {
      report.meta.dataFiles = 'not readable here (TEST_DATABASE_URL on another host): not scanned';
    }
    report.meta.secrets = {
      accessTokens: access.length,
      refreshTokens: refresh.length,
      clientSecret: 1,
      encryptionKey: 2,
    };
  });
});
