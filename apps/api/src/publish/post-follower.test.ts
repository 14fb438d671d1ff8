/**
 * The job that follows each post, with the job queue, repositories and TikTok client faked
 * (src/testing/fakes.ts): what one look at TikTok's status records on the post, and when it looks
 * again. Across processes and restarts on PostgreSQL and pg-boss: test/post-following.test.ts,
 * test/crash-recovery.test.ts.
 */
import { describeFailReason } from '@cliprelay/contract';
import { describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '../db/database.ts';
import type { JobHandler, JobOptions, JobQueue } from '../jobs/job-queue.ts';
import {
  FakeAccounts,
  FakeCallBudget,
  FakePosts,
  connectedAccountRow,
  asReal,
  postRow,
  silentLogger,
  testConfig,
  tiktokError,
  tiktokUnreachable,
} from '../testing/fakes.ts';
import type { TikTokClient } from '../tiktok/tiktok.client.ts';
import type { TikTokPublishStatus } from '../tiktok/tiktok.types.ts';
import { TokenCipher } from '../tiktok/token-cipher.ts';
import { TokenService } from '../tiktok/token.service.ts';
import { FOLLOW_QUEUE, PostFollower, RESTARTED_RELAY_MESSAGE, UNCONFIRMED_MESSAGE } from './post-follower.ts';

const PUBLISH_ID = 'v_pub_file~v2.1';

function status(s: Partial<TikTokPublishStatus>): TikTokPublishStatus {
  return {
    status: 'PROCESSING_DOWNLOAD',
    fail_reason: null,
    post_ids: [],
    uploaded_bytes: null,
    downloaded_bytes: null,
    logId: 'log-st',
    ...s,
  };
}

async function setup(opts: { accountStatus?: string } = {}) {
  const config = testConfig();
  const logger = silentLogger();
  const cipher = new TokenCipher(config);
  const accounts = new FakeAccounts();
  const account = accounts.add(
    connectedAccountRow(
      cipher,
      { access: 'act.stored', refresh: 'rft.stored' },
      { status: opts.accountStatus ?? 'active' },
    ),
  );
  const tiktok = { fetchStatus: vi.fn((_t: string, _id: string) => Promise.resolve(status({}))) };
  const tokens = new TokenService(asReal(accounts), asReal<TikTokClient>(tiktok), cipher, logger);
  const posts = new FakePosts();
  const budget = new FakeCallBudget();
  const handlers = new Map<string, JobHandler<object>>();
  const sent: { data: { postId: string; attempt: number }; options: JobOptions | undefined }[] = [];
  const jobs = {
    work: (queue: string, _poll: number, handler: JobHandler<object>) => {
      handlers.set(queue, handler);
      return Promise.resolve();
    },
    schedule: () => Promise.resolve(),
    send: (queue: string, data: { postId: string; attempt: number }, options?: JobOptions) => {
      if (queue === FOLLOW_QUEUE) sent.push({ data, options });
      return Promise.resolve('job-id');
    },
  };
  const database = {
    whileLocked: async <T>(_key: string, work: () => Promise<T>) => ({
      ran: true as const,
      value: await work(),
    }),
  };
  const follower = new PostFollower(
    config,
    asReal(posts),
    asReal(accounts),
    tokens,
    asReal<TikTokClient>(tiktok),
    asReal(budget),
    asReal({ prune: () => Promise.resolve() }),
    asReal<DatabaseHandle>(database),
    logger,
  );
  await follower.start(asReal<JobQueue>(jobs));
  const post = posts.add(
    postRow({
      userId: account.userId,
      socialAccountId: account.id,
      publishId: PUBLISH_ID,
      sourceType: 'FILE_UPLOAD',
      videoSize: 1_000_000,
      localStatus: 'processing',
      tiktokStatus: 'PROCESSING_UPLOAD',
    }),
  );
  sent.length = 0;
  /** One run of the post's follow job. */
  const look = (attempt = 0) => handlers.get(FOLLOW_QUEUE)!({ postId: post.id, attempt });
  return { posts, post, tiktok, budget, sent, look, accounts, account };
}

describe('PostFollower: one look at TikTok’s status', () => {
  it('FAILED: the post fails with the reason’s message, and is not looked at again', async () => {
    const s = await setup();
    s.tiktok.fetchStatus.mockResolvedValueOnce(
      status({ status: 'FAILED', fail_reason: 'picture_size_check_failed', logId: 'log-9' }),
    );
    await s.look();
    const entry = describeFailReason('picture_size_check_failed');
    expect(s.tiktok.fetchStatus).toHaveBeenCalledWith('act.stored', PUBLISH_ID);
    expect(s.posts.row(s.post.id)).toMatchObject({
      localStatus: 'failed',
      failReason: 'picture_size_check_failed',
      errorCode: entry.errorCode,
      userMessage: entry.userMessage,
      tiktokLogId: 'log-9',
    });
    expect(s.sent).toEqual([]);
  });

  it('still processing: looked at again after the backoff, one attempt further', async () => {
    const s = await setup();
    s.tiktok.fetchStatus.mockResolvedValueOnce(status({ status: 'PROCESSING_DOWNLOAD' }));
    await s.look(3);
    expect(s.posts.row(s.post.id).localStatus).toBe('processing');
    expect(s.sent).toEqual([
      { data: { postId: s.post.id, attempt: 4 }, options: { singletonKey: s.post.id, startAfterSeconds: 4 } },
    ]);
  });

  it('TikTok still waiting for bytes after our relay ended: the upload was cut short, the post fails', async () => {
    const s = await setup();
    s.tiktok.fetchStatus.mockResolvedValueOnce(
      status({ status: 'PROCESSING_UPLOAD', uploaded_bytes: 400_000 }),
    );
    await s.look();
    expect(s.posts.row(s.post.id)).toMatchObject({
      localStatus: 'failed',
      errorCode: 'UPLOAD_FAILED',
      userMessage: RESTARTED_RELAY_MESSAGE,
    });
    expect(s.sent).toEqual([]);
  });

  it('an account needing reconnection: TikTok is not asked; the post is looked at in ten minutes', async () => {
    const s = await setup({ accountStatus: 'reconnect_required' });
    await s.look();
    expect(s.tiktok.fetchStatus).not.toHaveBeenCalled();
    expect(s.sent[0]?.options?.startAfterSeconds).toBe(600);
    expect(s.posts.row(s.post.id).localStatus).toBe('processing');
  });

  it('TikTok’s status budget spent: waits as the budget says, without asking TikTok', async () => {
    const s = await setup();
    for (let i = 0; i < 28; i++) await s.budget.take(s.account.id, 'status_fetch', 28);
    s.budget.waitSec = 17;
    await s.look();
    expect(s.tiktok.fetchStatus).not.toHaveBeenCalled();
    expect(s.sent[0]?.options?.startAfterSeconds).toBe(17);
  });

  it('TikTok unavailable or rate limiting: the post is unchanged and looked at again later', async () => {
    const s = await setup();
    s.tiktok.fetchStatus.mockRejectedValueOnce(tiktokUnreachable());
    await s.look();
    expect(s.posts.row(s.post.id)).toMatchObject({ localStatus: 'processing', errorCode: null });
    expect(s.sent[0]?.options?.startAfterSeconds).toBe(5);
    s.tiktok.fetchStatus.mockRejectedValueOnce(tiktokError('rate_limit_exceeded'));
    await s.look();
    expect(s.sent[1]?.options?.startAfterSeconds).toBe(60);
  });

  it('a post TikTok never settled within 24 h: not confirmed yet, and no longer followed', async () => {
    const s = await setup();
    s.posts.rows.set(s.post.id, { ...s.post, createdAt: new Date(Date.now() - 25 * 3600_000) });
    await s.look();
    expect(s.tiktok.fetchStatus).not.toHaveBeenCalled();
    expect(s.posts.row(s.post.id)).toMatchObject({
      userMessage: UNCONFIRMED_MESSAGE,
      localStatus: 'processing',
    });
    expect(s.posts.row(s.post.id).followEndedAt).toBeInstanceOf(Date);
    expect(s.sent).toEqual([]);
  });
});
