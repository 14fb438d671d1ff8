import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { Database, DatabaseHandle } from '../db/database.ts';
import { DB_HANDLE, InjectDb } from '../db/database.module.ts';
import { socialAccounts, type SocialAccountRow } from '../db/schema.ts';
import type { TikTokCreatorInfo } from './tiktok.types.ts';

export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** An account without its token columns: what everything but the token service sees. */
export type AccountRecord = Omit<SocialAccountRow, 'accessTokenEnc' | 'refreshTokenEnc'>;

export interface SealedTokens {
  accessTokenEnc: string;
  accessExpiresAt: Date;
  refreshTokenEnc: string;
  refreshExpiresAt: Date;
  scopes: string;
}

const publicColumns = {
  id: socialAccounts.id,
  userId: socialAccounts.userId,
  provider: socialAccounts.provider,
  openId: socialAccounts.openId,
  username: socialAccounts.username,
  displayName: socialAccounts.displayName,
  avatarUrl: socialAccounts.avatarUrl,
  scopes: socialAccounts.scopes,
  status: socialAccounts.status,
  accessExpiresAt: socialAccounts.accessExpiresAt,
  refreshExpiresAt: socialAccounts.refreshExpiresAt,
  tokenVersion: socialAccounts.tokenVersion,
  creatorInfo: socialAccounts.creatorInfo,
  creatorInfoAt: socialAccounts.creatorInfoAt,
  createdAt: socialAccounts.createdAt,
  updatedAt: socialAccounts.updatedAt,
};

/** What the account list shows of each account (`GET /social-accounts`). */
const listedColumns = {
  id: socialAccounts.id,
  openId: socialAccounts.openId,
  username: socialAccounts.username,
  displayName: socialAccounts.displayName,
  avatarUrl: socialAccounts.avatarUrl,
  status: socialAccounts.status,
  createdAt: socialAccounts.createdAt,
  updatedAt: socialAccounts.updatedAt,
};
export type ListedAccount = Pick<AccountRecord, keyof typeof listedColumns>;

/**
 * How long an account row read by `findForUser` is reused in this process. Every change to a row
 * drops its copy at once (the social_accounts trigger's notification, db/presence.ts), so this is
 * only a safety net.
 */
const ROW_FRESH_MS = 30_000;

@Injectable()
export class AccountsRepository {
  /** Recent rows by account id: the reads of every signed-in screen need no query. */
  private readonly recent = new LRUCache<string, AccountRecord>({ max: 10_000, ttl: ROW_FRESH_MS });
  /** Grows with every change heard: a read that overlapped a change does not keep its row. */
  private changes = 0;
  /**
   * The reads of every signed-in screen as prepared statements: drizzle builds their SQL once, and
   * PostgreSQL parses and plans them once per connection instead of once per request.
   */
  private readonly listQuery;
  private readonly findQuery;

  constructor(
    @InjectDb() private readonly db: Database,
    @Inject(DB_HANDLE) handle: DatabaseHandle,
  ) {
    handle.onAccountChange((id) => this.forget(id));
    this.listQuery = db
      .select(listedColumns)
      .from(socialAccounts)
      .where(
        and(eq(socialAccounts.userId, sql.placeholder('userId')), ne(socialAccounts.status, 'disconnected')),
      )
      .orderBy(asc(socialAccounts.createdAt))
      .prepare('social_accounts_list_for_user');
    this.findQuery = db
      .select(publicColumns)
      .from(socialAccounts)
      .where(
        and(
          eq(socialAccounts.id, sql.placeholder('id')),
          eq(socialAccounts.userId, sql.placeholder('userId')),
          ne(socialAccounts.status, 'disconnected'),
        ),
      )
      .prepare('social_accounts_find_for_user');
  }

  /** Drops the copy of a changed account (`undefined`: of every account). */
  private forget(id: string | undefined): void {
    this.changes++;
    if (id === undefined) this.recent.clear();
    else this.recent.delete(id);
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /** The user's connected accounts (active or needing reconnection), oldest first. */
  listForUser(userId: string): Promise<ListedAccount[]> {
    return this.listQuery.execute({ userId });
  }

  /**
   * The account if it exists, is the user's and is not disconnected; else undefined. Answered from
   * this process's recent copy while no change to the row has been heard.
   */
  async findForUser(userId: string, id: string): Promise<AccountRecord | undefined> {
    if (!isUuid(id)) return undefined;
    const hit = this.recent.get(id);
    if (hit) return hit.userId === userId ? hit : undefined;
    const changesBefore = this.changes;
    const row = await this.readForUser(userId, id);
    if (row && this.changes === changesBefore) this.recent.set(id, row);
    return row;
  }

  private async readForUser(userId: string, id: string): Promise<AccountRecord | undefined> {
    const [row] = await this.findQuery.execute({ id, userId });
    return row;
  }

  /** Keeps TikTok's creator_info of the account, with the time it was asked. */
  async storeCreatorInfo(id: string, info: TikTokCreatorInfo, at: Date): Promise<void> {
    await this.db
      .update(socialAccounts)
      .set({ creatorInfo: info, creatorInfoAt: at })
      .where(eq(socialAccounts.id, id));
    this.forget(id);
  }

  /** The kept creator_info is out of date (TikTok refused a setting): the next read asks TikTok. */
  async forgetCreatorInfo(id: string): Promise<void> {
    await this.db.update(socialAccounts).set({ creatorInfoAt: null }).where(eq(socialAccounts.id, id));
    this.forget(id);
  }

  /** The sealed tokens and version, read without a lock. */
  async readTokens(id: string): Promise<SocialAccountRow | undefined> {
    const [row] = await this.db.select().from(socialAccounts).where(eq(socialAccounts.id, id));
    return row;
  }

  /** The row with its tokens, locked until the transaction ends (single-flight refresh). */
  async lockTokens(tx: Tx, id: string): Promise<SocialAccountRow | undefined> {
    const [row] = await tx.select().from(socialAccounts).where(eq(socialAccounts.id, id)).for('update');
    return row;
  }

  async storeRotatedTokens(tx: Tx, id: string, tokens: SealedTokens): Promise<void> {
    await tx
      .update(socialAccounts)
      .set({
        ...tokens,
        status: 'active',
        tokenVersion: sql`${socialAccounts.tokenVersion} + 1`,
        updatedAt: new Date(),
      })
      .where(eq(socialAccounts.id, id));
    this.forget(id);
  }

  async markReconnectRequired(id: string, tx?: Tx): Promise<void> {
    await (tx ?? this.db)
      .update(socialAccounts)
      .set({ status: 'reconnect_required', updatedAt: new Date() })
      .where(eq(socialAccounts.id, id));
    this.forget(id);
  }

  /**
   * TikTok told us (webhook `authorization.removed`) that the creator removed the app: every
   * active account of that TikTok user must be connected again. Returns how many were marked.
   */
  async markReconnectRequiredByOpenId(openId: string): Promise<number> {
    const rows = await this.db
      .update(socialAccounts)
      .set({ status: 'reconnect_required', updatedAt: new Date() })
      .where(
        and(
          eq(socialAccounts.provider, 'tiktok'),
          eq(socialAccounts.openId, openId),
          eq(socialAccounts.status, 'active'),
        ),
      )
      .returning({ id: socialAccounts.id });
    for (const row of rows) this.forget(row.id);
    return rows.length;
  }

  /** Forgets the tokens; the row stays so the history keeps its account. */
  async disconnect(id: string): Promise<void> {
    await this.db
      .update(socialAccounts)
      .set({
        status: 'disconnected',
        accessTokenEnc: null,
        refreshTokenEnc: null,
        accessExpiresAt: null,
        refreshExpiresAt: null,
        tokenVersion: sql`${socialAccounts.tokenVersion} + 1`,
        updatedAt: new Date(),
      })
      .where(eq(socialAccounts.id, id));
    this.forget(id);
  }

  /** Connecting the same TikTok account again updates its row, never adds a second one. */
  async upsertConnected(
    userId: string,
    openId: string,
    profile: { username: string | null; displayName: string | null; avatarUrl: string | null },
    tokens: SealedTokens,
  ): Promise<AccountRecord> {
    const [row] = await this.db
      .insert(socialAccounts)
      .values({ userId, provider: 'tiktok', openId, ...profile, ...tokens, status: 'active' })
      .onConflictDoUpdate({
        target: [socialAccounts.userId, socialAccounts.provider, socialAccounts.openId],
        set: {
          ...profile,
          ...tokens,
          status: 'active',
          tokenVersion: sql`${socialAccounts.tokenVersion} + 1`,
          updatedAt: new Date(),
        },
      })
      .returning(publicColumns);
    if (!row) throw new Error('account upsert returned nothing');
    this.forget(row.id);
    return row;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids from the URL are checked before they reach a uuid column (a bad one is a 404, not a 500). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
