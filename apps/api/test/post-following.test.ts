/**
 * The server follows every post (src/publish/post-follower.ts): nobody has to ask for a post's
 * status for it to reach its end in our database, the status endpoint answers from there, and a
 * replica that dies after TikTok's init leaves its post to the other replica's workers.
 */
import type { ChildProcess } from 'node:child_process';
import { freePort } from '@cliprelay/test-kit/ports';
import { ensureApiBuilt, spawnApi, stopChild, waitForHealth } from '@cliprelay/test-kit/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostFollower, RESTARTED_RELAY_MESSAGE } from '../src/publish/post-follower.ts';
import { queryDb } from './support/db.ts';
import {
  body,
  initBody,
  type MediaHost,
  sandboxPublishesOf,
  startMediaHost,
  status,
  waitFor,
} from './support/publish.ts';
import { MEDIA_PREFIX, type Stack, startStack } from './support/stack.ts';
import { connectedAccount } from './support/tiktok.ts';
import { MiB, testFilesDir, writeMp4 } from '@cliprelay/test-kit/videos';

/** How long the sandbox takes to process a pulled video: long enough to kill a replica mid-way. */
const PROCESSING_MS = 3000;

describe('the server follows every post', () => {
  let stack: Stack;
  let files: Awaited<ReturnType<typeof testFilesDir>>;
  let host: MediaHost;
  const replicas: ChildProcess[] = [];

  beforeAll(async () => {
    files = await testFilesDir();
    await writeMp4(files.dir, 'clip.mp4', { durationSec: 8, size: MiB });
    host = await startMediaHost(files.dir);
    stack = await startStack({
      sandbox: {
        allowHttpPull: true,
        verifiedPrefix: [MEDIA_PREFIX, host.prefix],
        processingDelayMs: PROCESSING_MS,
        activeUserCap: 10_000,
      },
      env: { TIKTOK_VERIFIED_URL_PREFIXES: [MEDIA_PREFIX, host.prefix].join(',') },
    });
    await ensureApiBuilt();
  }, 180_000);
  afterAll(async () => {
    await Promise.all(replicas.map((child) => stopChild(child)));
    await stack?.close();
    await host?.close();
    await files?.remove();
  });

  const pullBody = (accountId: string) =>
    initBody(accountId, {
      source_type: 'PULL_FROM_URL',
      video_url: `${host.prefix}clip.mp4`,
      video_size: undefined,
    });

  async function localStatus(postId: string): Promise<string | undefined> {
    const [row] = await queryDb<{ local_status: string }>(
      stack,
      'select local_status from posts where id = $1',
      [postId],
    );
    return row?.local_status;
  }

  /** Polls the post's row (not the API: no request may be what moves it) until it is published. */
  const untilPublished = (postId: string, what: string) =>
    waitFor(what, async () => (await localStatus(postId)) === 'published', 30_000, 200);

  it('reaches published in our database with nobody asking for its status', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice');
    const res = await stack.call('/tiktok/publish/init', {
      method: 'POST',
      token,
      json: pullBody(accountId),
    });
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(200);
    expect(await localStatus(json.data.post_id)).toBe('processing');

    await untilPublished(json.data.post_id, 'the post to be published');
    // The status endpoint answers from the database what the job recorded.
    const answered = await body(await status(stack, token, json.data.publish_id));
    expect(answered.data).toMatchObject({ status: 'PUBLISH_COMPLETE', local_status: 'published' });
    expect(stack.logs.some((l) => l.includes('"msg":"post status changed at tiktok"'))).toBe(true);
  });

  it('a post published through a replica that then dies is followed to its end by the other', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|bob');
    const port = await freePort();
    const replica = spawnApi({ ...stack.apiEnv, PORT: String(port), LOG_LEVEL: 'warn' }, 'pipe');
    replicas.push(replica);
    const replicaUrl = `http://127.0.0.1:${port}`;
    await waitForHealth(replicaUrl, replica);

    const res = await fetch(`${replicaUrl}/tiktok/publish/init`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(pullBody(accountId)),
    });
    const json = await body(res);
    expect(res.status, JSON.stringify(json)).toBe(200);
    // The replica dies at once, long before TikTok has processed the video.
    replica.kill('SIGKILL');
    await new Promise((resolve) => replica.once('exit', resolve));
    expect(await localStatus(json.data.post_id)).toBe('processing');

    await untilPublished(json.data.post_id, 'the other replica to see it published');
    // One submit, one TikTok post.
    expect(await sandboxPublishesOf(stack, openId)).toHaveLength(1);
  });

  it('at most one job follows a post, however often it is asked for', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice');
    const res = await stack.call('/tiktok/publish/init', {
      method: 'POST',
      token,
      json: pullBody(accountId),
    });
    const { data } = await body(res);
    // Twenty tabs ask at once: all are answered from the database.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => status(stack, token, data.publish_id)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const [row] = await queryDb<{ n: number }>(
      stack,
      `select count(*)::int as n from pgboss.job where name = 'follow-post' and singleton_key = $1 and state in ('created', 'retry', 'active')`,
      [data.post_id],
    );
    expect(row?.n).toBeLessThanOrEqual(1);
    await untilPublished(data.post_id, 'the post to be published');
  });

  it('recovery fails the work a dead process left: an init that never answered, a relay whose heartbeat stopped', async () => {
    const { accountId } = await connectedAccount(stack, 'dev|alice');
    const [user] = await queryDb<{ user_id: string }>(
      stack,
      'select user_id from social_accounts where id = $1',
      [accountId],
    );
    const insert = (fields: string, values: string) =>
      queryDb<{ id: string }>(
        stack,
        `insert into posts (user_id, social_account_id, source_type, privacy_level, ${fields})
         values ($1, $2, 'FILE_UPLOAD', 'SELF_ONLY', ${values}) returning id`,
        [user?.user_id, accountId],
      );
    const [lostInit] = await insert(
      'local_status, created_at',
      "'initializing', now() - interval '10 minutes'",
    );
    const [freshInit] = await insert('local_status', "'initializing'");
    const [deadRelay] = await insert(
      'local_status, publish_id, relay_heartbeat_at',
      "'uploading', 'v_pub_file~v2-1.1000000000000000001', now() - interval '2 minutes'",
    );
    const [liveRelay] = await insert(
      'local_status, publish_id, relay_heartbeat_at',
      "'uploading', 'v_pub_file~v2-1.1000000000000000002', now()",
    );

    // Processing at TikTok with no job (its queue entry lost), recent and two days old.
    const [orphan] = await insert(
      'local_status, publish_id',
      "'processing', 'v_pub_file~v2-1.1000000000000000003'",
    );
    const [ancient] = await insert(
      'local_status, publish_id, created_at',
      "'processing', 'v_pub_file~v2-1.1000000000000000004', now() - interval '2 days'",
    );

    await stack.api.app.get(PostFollower).recover();

    const jobs = await queryDb<{ singleton_key: string }>(
      stack,
      `select singleton_key from pgboss.job where name = 'follow-post' and singleton_key = any($1)`,
      [[orphan?.id, ancient?.id]],
    );
    expect(jobs.map((j) => j.singleton_key)).toEqual([orphan?.id]);

    const rows = await queryDb<{ id: string; local_status: string; user_message: string | null }>(
      stack,
      'select id, local_status, user_message from posts where id = any($1)',
      [[lostInit?.id, freshInit?.id, deadRelay?.id, liveRelay?.id]],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(lostInit!.id)).toMatchObject({
      local_status: 'failed',
      user_message: expect.stringMatching(/restarted before TikTok answered/),
    });
    expect(byId.get(deadRelay!.id)).toMatchObject({
      local_status: 'failed',
      user_message: RESTARTED_RELAY_MESSAGE,
    });
    // Still within their time: another process may be working on them right now.
    expect(byId.get(freshInit!.id)?.local_status).toBe('initializing');
    expect(byId.get(liveRelay!.id)?.local_status).toBe('uploading');
  });
});
