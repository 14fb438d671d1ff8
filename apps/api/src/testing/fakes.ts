/**
 * Hand-written fakes for the services' unit tests (`src/**\/*.service.test.ts`): in-memory
 * repositories that keep what was written, so a test asserts on the stored row as the history
 * and the status would read it, and small builders for rows and TikTok's errors. No database, no
 * sandbox: a service is constructed directly with these (see CONTRIBUTING.md, "Test levels").
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { describeTikTokError } from '@cliprelay/contract';
import { AppError } from '../common/app-error.ts';
import { createLogger, type Logger } from '../common/logger.ts';
import type { AppConfig } from '../config/config.ts';
import type { PostRow, SocialAccountRow } from '../db/schema.ts';
import { isSettled } from '../publish/post-status.ts';
import type { NewPost, PostUpdate, Submission } from '../publish/posts.repository.ts';
import type { AccountRecord, SealedTokens, Tx } from '../tiktok/accounts.repository.ts';
import type { TikTokCreatorInfo } from '../tiktok/tiktok.types.ts';
import type { TokenCipher } from '../tiktok/token-cipher.ts';

/** A fake handed to a constructor that asks for the real class (whose private fields a fake lacks). */
export function asReal<T>(fake: object): T {
  return fake as T;
}

/** The config fields the services read, with a fresh token key; `overrides` replaces top-level fields. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return asReal<AppConfig>({
    tokenEncryptionKey: Buffer.alloc(32, 7),
    tiktok: { verifiedUrlPrefixes: ['https://media.example.com/'], webhooks: false },
    uploadTmpDir: '/tmp/cliprelay-unit',
    rateLimitScale: 1,
    ...overrides,
  });
}

/** A logger whose lines are kept (as JSON text) for tests that check what is never logged. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}

export function silentLogger(): Logger {
  return createLogger('silent');
}

/** The AppError TikTokClient throws for TikTok's `error.code` (tiktok.client.ts `tiktokError`). */
export function tiktokError(code: string, logId: string | null = 'log-202601010000'): AppError {
  const entry = describeTikTokError(code);
  return new AppError(entry.errorCode, entry.userMessage, {
    tiktok: { code, logId },
    retryable: entry.retryable,
    ...(entry.errorCode === 'TIKTOK_RATE_LIMITED' ? { retryAfterSec: 60 } : {}),
  });
}

/** What TikTokClient throws when TikTok gave no answer (a timeout, a dropped connection). */
export function tiktokUnreachable(): AppError {
  return new AppError('TIKTOK_UNAVAILABLE', 'TikTok cannot be reached right now. Please try again.', {
    retryable: true,
  });
}

export function accountRow(overrides: Partial<SocialAccountRow> = {}): SocialAccountRow {
  const now = new Date();
  return {
    id: randomUUID(),
    userId: 'user-1',
    provider: 'tiktok',
    openId: 'open-1',
    username: 'mia.moves',
    displayName: 'Mia Moves',
    avatarUrl: null,
    scopes: 'user.info.basic,video.publish',
    status: 'active',
    accessTokenEnc: null,
    accessExpiresAt: null,
    refreshTokenEnc: null,
    refreshExpiresAt: null,
    tokenVersion: 0,
    creatorInfo: null,
    creatorInfoAt: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A connected account: its tokens sealed with `cipher`, the access token good for an hour. */
export function connectedAccountRow(
  cipher: TokenCipher,
  tokens: { access: string; refresh: string },
  overrides: Partial<SocialAccountRow> = {},
): SocialAccountRow {
  return accountRow({
    accessTokenEnc: cipher.encrypt(tokens.access),
    accessExpiresAt: new Date(Date.now() + 3600_000),
    refreshTokenEnc: cipher.encrypt(tokens.refresh),
    ...overrides,
  });
}

/** An account as everything but the token service sees it. */
export function accountRecord(overrides: Partial<AccountRecord> = {}): AccountRecord {
  const { accessTokenEnc: _a, refreshTokenEnc: _r, ...record } = accountRow(overrides);
  return record;
}

/** A creator who allows every privacy level and every interaction. */
export function creatorInfo(overrides: Partial<TikTokCreatorInfo> = {}): TikTokCreatorInfo {
  return {
    creator_avatar_url: 'https://p16.example.com/avatar.jpg',
    creator_username: 'mia.moves',
    creator_nickname: 'Mia Moves',
    privacy_level_options: [
      'PUBLIC_TO_EVERYONE',
      'MUTUAL_FOLLOW_FRIENDS',
      'FOLLOWER_OF_CREATOR',
      'SELF_ONLY',
    ],
    comment_disabled: false,
    duet_disabled: false,
    stitch_disabled: false,
    max_video_post_duration_sec: 600,
    ...overrides,
  };
}

/**
 * The `social_accounts` table (AccountsRepository's methods the services call), kept in memory.
 * A transaction holds the rows' lock until it ends, as `SELECT … FOR UPDATE` does, and a failed
 * one leaves the rows as they were.
 */
export class FakeAccounts {
  readonly rows = new Map<string, SocialAccountRow>();
  /** Transactions begun: each one takes the rows' lock. */
  transactions = 0;
  private lock: Promise<unknown> = Promise.resolve();

  add(row: SocialAccountRow): SocialAccountRow {
    this.rows.set(row.id, { ...row });
    return row;
  }

  row(id: string): SocialAccountRow {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no account ${id}`);
    return row;
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    this.transactions++;
    const run = this.lock.then(async () => {
      const before = new Map([...this.rows].map(([id, r]) => [id, { ...r }]));
      try {
        return await fn(asReal<Tx>({}));
      } catch (err) {
        this.rows.clear();
        for (const [id, r] of before) this.rows.set(id, r);
        throw err;
      }
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  findForUser(userId: string, id: string): Promise<AccountRecord | undefined> {
    const row = this.rows.get(id);
    if (!row || row.userId !== userId || row.status === 'disconnected') return Promise.resolve(undefined);
    const { accessTokenEnc: _a, refreshTokenEnc: _r, ...record } = row;
    return Promise.resolve(record);
  }

  storeCreatorInfo(id: string, info: TikTokCreatorInfo, at: Date): Promise<void> {
    this.rows.set(id, { ...this.row(id), creatorInfo: info, creatorInfoAt: at });
    return Promise.resolve();
  }

  forgetCreatorInfo(id: string): Promise<void> {
    this.rows.set(id, { ...this.row(id), creatorInfoAt: null });
    return Promise.resolve();
  }

  markReconnectRequiredByOpenId(openId: string): Promise<number> {
    const marked = [...this.rows.values()].filter((r) => r.openId === openId && r.status === 'active');
    for (const r of marked) this.rows.set(r.id, { ...r, status: 'reconnect_required' });
    return Promise.resolve(marked.length);
  }

  readTokens(id: string): Promise<SocialAccountRow | undefined> {
    const row = this.rows.get(id);
    return Promise.resolve(row && { ...row });
  }

  lockTokens(_tx: Tx, id: string): Promise<SocialAccountRow | undefined> {
    return this.readTokens(id);
  }

  storeRotatedTokens(_tx: Tx, id: string, tokens: SealedTokens): Promise<void> {
    const row = this.row(id);
    this.rows.set(id, { ...row, ...tokens, status: 'active', tokenVersion: row.tokenVersion + 1 });
    return Promise.resolve();
  }

  markReconnectRequired(id: string, _tx?: Tx): Promise<void> {
    this.rows.set(id, { ...this.row(id), status: 'reconnect_required' });
    return Promise.resolve();
  }
}

/** The `posts` table (PostsRepository's methods the publish use cases call), kept in memory. */
export class FakePosts {
  readonly rows = new Map<string, PostRow>();

  row(id: string): PostRow {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no post ${id}`);
    return row;
  }

  /** The one post written, for tests that make one. */
  only(): PostRow {
    const all = [...this.rows.values()];
    if (all.length !== 1) throw new Error(`expected one post, found ${all.length}`);
    return all[0]!;
  }

  add(row: PostRow): PostRow {
    this.rows.set(row.id, { ...row });
    return row;
  }

  create(values: NewPost): Promise<PostRow> {
    const row = postRow({ ...values, id: randomUUID() });
    this.rows.set(row.id, row);
    return Promise.resolve({ ...row });
  }

  update(id: string, values: PostUpdate): Promise<void> {
    this.rows.set(id, { ...this.row(id), ...values, updatedAt: new Date() });
    return Promise.resolve();
  }

  relayed(id: string, videoSize: number): Promise<void> {
    const row = this.row(id);
    if (row.localStatus === 'uploading') {
      this.rows.set(id, {
        ...row,
        localStatus: 'processing',
        relayHeartbeatAt: null,
        uploadedBytes: videoSize,
      });
    }
    return Promise.resolve();
  }

  /** Writes TikTok's news unless the post is settled, and never takes a published post back. */
  applyStatus(id: string, values: PostUpdate): Promise<boolean> {
    const row = this.row(id);
    const regress =
      row.tiktokStatus === 'PUBLISH_COMPLETE' &&
      (values.tiktokStatus === 'PROCESSING_UPLOAD' || values.tiktokStatus === 'PROCESSING_DOWNLOAD');
    if (isSettled(row) || regress) return Promise.resolve(false);
    this.rows.set(id, { ...row, ...values, updatedAt: new Date() });
    return Promise.resolve(true);
  }

  findByPublishIdForWebhook(publishId: string): Promise<PostRow | undefined> {
    const row = [...this.rows.values()].find((p) => p.publishId === publishId);
    return Promise.resolve(row && { ...row });
  }

  /** A relay TikTok says stopped before its last byte: failed, unless already settled. */
  failCutShort(id: string, userMessage: string): Promise<boolean> {
    const row = this.row(id);
    if (isSettled(row)) return Promise.resolve(false);
    this.rows.set(id, {
      ...row,
      localStatus: 'failed',
      errorCode: 'UPLOAD_FAILED',
      userMessage,
      relayHeartbeatAt: null,
    });
    return Promise.resolve(true);
  }

  /** The follow ended with the post still open: it says TikTok has not confirmed it. */
  markUnconfirmed(userMessage: string, which: { id: string } | { olderThanSec: number }): Promise<number> {
    const picked = [...this.rows.values()].filter(
      (p) =>
        !isSettled(p) &&
        p.followEndedAt === null &&
        ('id' in which
          ? p.id === which.id
          : p.publishId !== null && Date.now() - p.createdAt.getTime() > which.olderThanSec * 1000),
    );
    for (const p of picked) this.rows.set(p.id, { ...p, followEndedAt: new Date(), userMessage });
    return Promise.resolve(picked.length);
  }

  listUnsettled(withinSec: number): Promise<PostRow[]> {
    const open = [...this.rows.values()].filter(
      (p) => p.publishId !== null && !isSettled(p) && Date.now() - p.createdAt.getTime() < withinSec * 1000,
    );
    return Promise.resolve(open.map((p) => ({ ...p })));
  }

  /** Work a dead process left: which process is alive is PostgreSQL's to say (test/crash-recovery.test.ts). */
  resolveAbandoned(): Promise<{ inits: number; relays: string[] }> {
    return Promise.resolve({ inits: 0, relays: [] });
  }

  findById(id: string): Promise<PostRow | undefined> {
    const row = this.rows.get(id);
    return Promise.resolve(row && { ...row });
  }

  findByPublishId(userId: string, publishId: string): Promise<PostRow | undefined> {
    const row = [...this.rows.values()].find((p) => p.publishId === publishId && p.userId === userId);
    return Promise.resolve(row && { ...row });
  }

  countRelaying(userId: string): Promise<number> {
    const going = [...this.rows.values()].filter(
      (p) =>
        p.userId === userId &&
        p.sourceType === 'FILE_UPLOAD' &&
        (p.localStatus === 'initializing' || p.localStatus === 'uploading'),
    );
    return Promise.resolve(going.length);
  }

  listForUser(userId: string, limit: number): Promise<Submission[]> {
    const mine = [...this.rows.values()]
      .filter((p) => p.userId === userId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit);
    return Promise.resolve(
      mine.map((p) => ({
        latest: { ...p, accountDisplayName: 'Mia Moves', accountUsername: 'mia.moves' },
        earlier: [],
      })),
    );
  }
}

export function postRow(overrides: Partial<PostRow> = {}): PostRow {
  const now = new Date();
  return {
    id: randomUUID(),
    userId: 'user-1',
    socialAccountId: 'acc-1',
    sourceType: 'FILE_UPLOAD',
    title: '',
    privacyLevel: 'SELF_ONLY',
    disableComment: false,
    disableDuet: false,
    disableStitch: false,
    brandOrganicToggle: false,
    brandContentToggle: false,
    isAigc: false,
    videoCoverTimestampMs: null,
    videoUrl: null,
    fileName: null,
    videoSize: null,
    publishId: null,
    localStatus: 'initializing',
    tiktokStatus: null,
    failReason: null,
    errorCode: null,
    userMessage: null,
    postIds: [],
    tiktokLogId: null,
    relayHeartbeatAt: null,
    uploadedBytes: null,
    uploadId: null,
    followEndedAt: null,
    ownerInstance: null,
    submissionId: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/**
 * TikTok's per-minute budgets (CallBudgetRepository.take): `limit` calls per account and endpoint
 * in the current window, then the seconds left in it.
 */
export class FakeCallBudget {
  private readonly calls = new Map<string, number>();
  /** The seconds a refused call is told to wait. */
  waitSec = 37;

  take(accountId: string, endpoint: string, limit: number): Promise<number> {
    const key = `${accountId}:${endpoint}`;
    const n = (this.calls.get(key) ?? 0) + 1;
    this.calls.set(key, n);
    return Promise.resolve(n > limit ? this.waitSec : 0);
  }

  prune(): Promise<void> {
    return Promise.resolve();
  }

  /** Calls asked for, granted or refused. */
  asked(accountId: string, endpoint: string): number {
    return this.calls.get(`${accountId}:${endpoint}`) ?? 0;
  }
}
