/**
 * The server follows every post (src/publish/post-follower.ts): nobody has to ask for a post's
 * status for it to reach its end in our database, the status endpoint answers from there, and a
 * replica that dies after TikTok's init leaves its post to the other replica's workers.
 */
import type { ChildProcess } from 'node:child_process';
import { freePort } from '@cliprelay/test-kit/ports';
import { ensureApiBuilt, spawnApi, stopChild, waitForHealth } from '@cliprelay/test-kit/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_ID } from '../src/db/presence.ts';
import {
  PostFollower,
  RESTARTED_INIT_MESSAGE,
  RESTARTED_RELAY_MESSAGE,
  UNCONFIRMED_MESSAGE,
} from '../src/publish/post-follower.ts';
import { queryDb } from './support/db.ts';
import {
  body,
  initBody,
  listPosts,
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

  it('with two replicas running, each follow job runs once: one status call per job', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|bob');
    const port = await freePort();
    const replica = spawnApi({ ...stack.apiEnv, PORT: String(port), LOG_LEVEL: 'warn' }, 'pipe');
    replicas.push(replica);
    await waitForHealth(`http://127.0.0.1:${port}`, replica);
    try {
      const res = await stack.call('/tiktok/publish/init', {
        method: 'POST',
        token,
        json: pullBody(accountId),
      });
      const { data } = await body(res);
      await untilPublished(data.post_id, 'the post to be published');
      const [jobs] = await queryDb<{ n: number }>(
        stack,
        `select count(*)::int as n from pgboss.job where name = 'follow-post' and singleton_key = $1 and state = 'completed'`,
        [data.post_id],
      );
      const [atTikTok] = await sandboxPublishesOf(stack, openId);
      // Both processes run workers on the one queue; a job taken by one is invisible to the other.
      expect(jobs?.n).toBeGreaterThan(0);
      expect(atTikTok?.status_fetches).toBe(jobs?.n);
    } finally {
      await stopChild(replica);
    }
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

  it('a 429 from TikTok’s status endpoint makes the next look wait out its one-minute window', async () => {
    const { token, accountId, openId } = await connectedAccount(stack, 'dev|alice');
    await stack.sandbox.addFault({
      endpoint: 'status_fetch',
      http_status: 429,
      error_code: 'rate_limit_exceeded',
      open_id: openId,
    });
    const res = await stack.call('/tiktok/publish/init', {
      method: 'POST',
      token,
      json: pullBody(accountId),
    });
    const { data } = await body(res);
    const nextLook = () =>
      queryDb<{ wait_sec: number }>(
        stack,
        `select extract(epoch from start_after - now())::int as wait_sec from pgboss.job
          where name = 'follow-post' and singleton_key = $1 and state in ('created', 'retry')`,
        [data.post_id],
      );
    await waitFor('the 429 to be answered', () =>
      Promise.resolve(
        stack.logs.some(
          (l) => l.includes('could not ask tiktok for a post status') && l.includes('TIKTOK_RATE_LIMITED'),
        ),
      ),
    );
    // TikTok's window is a minute (tiktok-api.md §10: no Retry-After is documented).
    await waitFor('the next look to be queued', async () => (await nextLook()).length === 1);
    const [next] = await nextLook();
    expect(next!.wait_sec).toBeGreaterThanOrEqual(50);
    expect(next!.wait_sec).toBeLessThanOrEqual(60);
    expect(await localStatus(data.post_id)).toBe('processing');
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
    // Owned by a process that is gone (no presence connection by that name): taken over at once.
    const [deadOwnerInit] = await insert('local_status, owner_instance', "'initializing', 'gone-1'");
    const [deadOwnerPull] = await queryDb<{ id: string }>(
      stack,
      `insert into posts (user_id, social_account_id, source_type, privacy_level, local_status, owner_instance)
       values ($1, $2, 'PULL_FROM_URL', 'SELF_ONLY', 'initializing', 'gone-2') returning id`,
      [user?.user_id, accountId],
    );
    const [liveOwnerInit] = await insert('local_status, owner_instance', `'initializing', '${INSTANCE_ID}'`);
    const [deadRelay] = await insert(
      'local_status, publish_id, relay_heartbeat_at',
      "'uploading', 'v_pub_file~v2-1.1000000000000000001', now() - interval '2 minutes'",
    );
    const [liveRelay] = await insert(
      'local_status, publish_id, relay_heartbeat_at',
      "'uploading', 'v_pub_file~v2-1.1000000000000000002', now()",
    );
    const [deadOwnerRelay] = await insert(
      'local_status, publish_id, relay_heartbeat_at, owner_instance',
      "'uploading', 'v_pub_file~v2-1.1000000000000000006', now(), 'gone-3'",
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

    const rows = await queryDb<{
      id: string;
      local_status: string;
      error_code: string | null;
      user_message: string | null;
    }>(stack, 'select id, local_status, error_code, user_message from posts where id = any($1)', [
      [
        lostInit?.id,
        freshInit?.id,
        deadOwnerInit?.id,
        deadOwnerPull?.id,
        liveOwnerInit?.id,
        deadRelay?.id,
        liveRelay?.id,
        deadOwnerRelay?.id,
      ],
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    // A FILE_UPLOAD whose init never came back sent no byte to TikTok: nothing was posted.
    for (const post of [lostInit, deadOwnerInit]) {
      expect(byId.get(post!.id)).toMatchObject({
        local_status: 'failed',
        error_code: 'UPLOAD_FAILED',
        user_message: RESTARTED_RELAY_MESSAGE,
      });
    }
    // A relay that died: only TikTok knows whether its last chunk arrived, so its job asks now.
    for (const post of [deadRelay, deadOwnerRelay]) {
      expect(byId.get(post!.id)?.local_status).toBe('processing');
    }
    const relayJobs = await queryDb<{ singleton_key: string }>(
      stack,
      `select singleton_key from pgboss.job where name = 'follow-post' and singleton_key = any($1)`,
      [[deadRelay?.id, deadOwnerRelay?.id]],
    );
    expect(relayJobs.map((j) => j.singleton_key).sort()).toEqual([deadRelay?.id, deadOwnerRelay?.id].sort());
    // A PULL_FROM_URL's may have become a post: the user is told to look before trying again.
    expect(byId.get(deadOwnerPull!.id)).toMatchObject({
      local_status: 'failed',
      error_code: 'OUTCOME_UNKNOWN',
      user_message: RESTARTED_INIT_MESSAGE,
    });
    // Within their time, or owned by a live process: someone may be working on them right now.
    expect(byId.get(freshInit!.id)?.local_status).toBe('initializing');
    expect(byId.get(liveOwnerInit!.id)?.local_status).toBe('initializing');
    expect(byId.get(liveRelay!.id)?.local_status).toBe('uploading');
  });

  it('a post TikTok never settled within the follow window says so instead of "processing" forever', async () => {
    const { token, accountId } = await connectedAccount(stack, 'dev|alice');
    const [user] = await queryDb<{ user_id: string }>(
      stack,
      'select user_id from social_accounts where id = $1',
      [accountId],
    );
    const publishId = 'v_pub_file~v2-1.1000000000000000005';
    const [old] = await queryDb<{ id: string }>(
      stack,
      `insert into posts (user_id, social_account_id, source_type, privacy_level, local_status, publish_id, created_at)
       values ($1, $2, 'FILE_UPLOAD', 'SELF_ONLY', 'processing', $3, now() - interval '25 hours') returning id`,
      [user?.user_id, accountId, publishId],
    );

    await stack.api.app.get(PostFollower).recover();

    const row = (await listPosts(stack, token)).find((p) => p.id === old?.id);
    expect(row).toMatchObject({
      local_status: 'processing',
      unconfirmed: true,
      user_message: UNCONFIRMED_MESSAGE,
    });
    expect(row.user_message).toMatch(/^TikTok has not confirmed this post yet/);
    const answered = await body(await status(stack, token, publishId));
    expect(answered.data).toMatchObject({ unconfirmed: true, user_message: UNCONFIRMED_MESSAGE });
    // Marked once: a second pass leaves the row as it was.
    const [before] = await queryDb<{ updated_at: Date }>(
      stack,
      'select updated_at from posts where id = $1',
      [old?.id],
    );
    await stack.api.app.get(PostFollower).recover();
    const [after] = await queryDb<{ updated_at: Date }>(stack, 'select updated_at from posts where id = $1', [
      old?.id,
    ]);
    expect(after?.updated_at).toEqual(before?.updated_at);
  });
});
