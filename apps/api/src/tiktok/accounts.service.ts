import { Injectable } from '@nestjs/common';
import {
  describeTikTokError,
  messageFor,
  type SocialAccount,
  TIKTOK_CONNECT_QUERY,
} from '@cliprelay/contract';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';
import { AppError } from '../common/app-error.ts';
import { accountNotFound, reconnectRequired } from './account-errors.ts';
import { InjectLogger, type Logger } from '../common/logger.ts';
import { type AccountRecord, AccountsRepository, type ListedAccount } from './accounts.repository.ts';
import { OAuthStatesRepository } from './oauth-states.repository.ts';
import { TikTokClient } from './tiktok.client.ts';
import { TokenService } from './token.service.ts';

/** What we ask TikTok for; user.info.profile only adds the @username, so it is optional. */
export const REQUESTED_SCOPES = ['user.info.basic', 'user.info.profile', 'video.publish'] as const;
export const REQUIRED_SCOPES = ['user.info.basic', 'video.publish'] as const;
export const STATE_TTL_MS = 10 * 60 * 1000;

/** Where the callback sends the browser, and whether the flow its cookie was for has ended. */
export interface CallbackOutcome {
  url: string;
  /** The browser's cookie matched the state, which is now spent: the cookie can go. */
  browserFlowEnded: boolean;
}

export interface CallbackQuery {
  code?: string;
  state?: string;
  scopes?: string;
  error?: string;
  error_description?: string;
}

/** Connecting, listing and disconnecting TikTok accounts. */
@Injectable()
export class AccountsService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly accounts: AccountsRepository,
    private readonly states: OAuthStatesRepository,
    private readonly tiktok: TikTokClient,
    private readonly tokens: TokenService,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async list(userId: string): Promise<SocialAccount[]> {
    return (await this.accounts.listForUser(userId)).map(toSocialAccount);
  }

  /** The user's connected account (active or needing reconnection), if any. */
  findOwned(userId: string, accountId: string): Promise<AccountRecord | undefined> {
    return this.accounts.findForUser(userId, accountId);
  }

  /** The user's account, or ACCOUNT_NOT_FOUND (also for another user's id: never confirm it exists). */
  async requireOwned(userId: string, accountId: string): Promise<AccountRecord> {
    const account = await this.accounts.findForUser(userId, accountId);
    if (!account) throw accountNotFound();
    return assertUsable(account);
  }

  /**
   * Starts the OAuth dance: a single-use state bound to this user and to the browser that asked,
   * valid for ten minutes. `browserNonce` goes to that browser only (an HttpOnly cookie); the
   * callback links nothing without it.
   */
  async connect(userId: string): Promise<{ authorizeUrl: string; browserNonce: string }> {
    const state = randomBytes(32).toString('base64url');
    const browserNonce = randomBytes(32).toString('base64url');
    await this.states.create(
      sha256(state),
      sha256(browserNonce),
      userId,
      new Date(Date.now() + STATE_TTL_MS),
    );
    return { authorizeUrl: this.tiktok.authorizeUrl(state, REQUESTED_SCOPES), browserNonce };
  }

  /**
   * TikTok's redirect back: always answers with a URL of the web app carrying the outcome, so
   * the browser never lands on a JSON error. `browserNonce` is the cookie the browser brought:
   * the account is linked only in the browser that began the connect.
   */
  async handleCallback(query: CallbackQuery, browserNonce: string | undefined): Promise<CallbackOutcome> {
    let browserFlowEnded = false;
    try {
      const userId = await this.claimState(query.state, browserNonce);
      browserFlowEnded = true;
      const account = await this.completeConnect(userId, query);
      const url = this.webUrl({
        [TIKTOK_CONNECT_QUERY.outcome]: 'success',
        [TIKTOK_CONNECT_QUERY.account]: account.id,
      });
      return { url, browserFlowEnded };
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'INTERNAL';
      if (!(err instanceof AppError) || code === 'INTERNAL' || code === 'TIKTOK_UNAVAILABLE') {
        this.logger.error({ err }, 'tiktok connect failed');
      } else {
        this.logger.warn({ code, tiktok: err.tiktok }, 'tiktok connect refused');
      }
      const url = this.webUrl({ [TIKTOK_CONNECT_QUERY.outcome]: 'error', [TIKTOK_CONNECT_QUERY.code]: code });
      return { url, browserFlowEnded };
    }
  }

  async disconnect(userId: string, accountId: string): Promise<void> {
    const account = await this.accounts.findForUser(userId, accountId);
    if (!account) {
      throw accountNotFound();
    }
    // Revoke at TikTok first (best effort: a dead token is already as good as revoked), then forget.
    try {
      if (account.status === 'active') {
        await this.tokens.withFreshToken(account.id, (token) => this.tiktok.revoke(token));
      } else {
        const token = await this.tokens.storedAccessToken(account.id);
        if (token) await this.tiktok.revoke(token);
      }
    } catch (err) {
      this.logger.warn(
        {
          accountId,
          code: err instanceof AppError ? err.code : undefined,
          tiktok: err instanceof AppError ? err.tiktok : undefined,
        },
        'tiktok revoke failed; forgetting the tokens anyway',
      );
    }
    await this.accounts.disconnect(account.id);
  }

  /**
   * The user a callback's state was issued to, if it is live and this is the browser it was issued
   * to. The state is spent either way: one that reached a foreign browser is never used again.
   */
  private async claimState(rawState: string | undefined, browserNonce: string | undefined): Promise<string> {
    const state = rawState ? await this.states.consume(sha256(rawState)) : undefined;
    if (!state) {
      throw new AppError('OAUTH_STATE_INVALID', messageFor('OAUTH_STATE_INVALID'));
    }
    if (!sameBrowser(state.browserHash, browserNonce)) {
      // Someone else's consent URL (account-linking CSRF), or this browser lost its cookie.
      throw new AppError('OAUTH_BROWSER_MISMATCH', messageFor('OAUTH_BROWSER_MISMATCH'));
    }
    return state.userId;
  }

  private async completeConnect(userId: string, query: CallbackQuery): Promise<AccountRecord> {
    if (query.error) {
      const entry = describeTikTokError(query.error);
      throw new AppError(
        entry.errorCode === 'OAUTH_DENIED' ? 'OAUTH_DENIED' : entry.errorCode,
        entry.userMessage,
        {
          tiktok: { code: query.error, logId: null },
        },
      );
    }
    if (!query.code) {
      throw new AppError('OAUTH_STATE_INVALID', 'TikTok sent no authorization code. Start again.');
    }
    const set = await this.tiktok.exchangeCode(query.code);
    const granted = new Set(set.scope.split(',').map((s) => s.trim()));
    const missing = REQUIRED_SCOPES.filter((s) => !granted.has(s));
    if (missing.length > 0) {
      await this.tiktok.revoke(set.access_token).catch(() => undefined);
      throw new AppError(
        'OAUTH_SCOPES_MISSING',
        `Cliprelay needs permission to ${missing.map(describeScope).join(' and ')}. Connect again and keep those boxes ticked.`,
      );
    }
    const fields = ['open_id', 'union_id', 'avatar_url', 'display_name'];
    if (granted.has('user.info.profile')) fields.push('username');
    try {
      const user = await this.tiktok.userInfo(set.access_token, fields);
      return await this.accounts.upsertConnected(
        userId,
        set.open_id,
        {
          username: user.username ?? null,
          displayName: user.display_name ?? null,
          avatarUrl: user.avatar_url ?? null,
        },
        this.tokens.seal(set),
      );
    } catch (err) {
      // Nothing was stored: leave no live grant behind at TikTok.
      await this.tiktok.revoke(set.access_token).catch(() => undefined);
      throw err;
    }
  }

  private webUrl(params: Record<string, string>): string {
    const url = new URL(this.config.webAppUrl + '/');
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.toString();
  }
}

/** An account TikTok still accepts; one needing reconnection is refused with what to do. */
export function assertUsable(account: AccountRecord): AccountRecord {
  if (account.status === 'reconnect_required') throw reconnectRequired();
  return account;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Whether the browser's cookie nonce is the one the state was issued with (constant time). */
function sameBrowser(storedHash: string | null, browserNonce: string | undefined): boolean {
  if (!storedHash || !browserNonce) return false;
  const expected = Buffer.from(storedHash, 'base64url');
  const actual = createHash('sha256').update(browserNonce).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function describeScope(scope: string): string {
  return scope === 'video.publish'
    ? 'publish videos'
    : scope === 'user.info.basic'
      ? 'read your basic profile'
      : scope;
}

export function toSocialAccount(a: ListedAccount): SocialAccount {
  return {
    id: a.id,
    provider: 'tiktok',
    open_id: a.openId,
    username: a.username,
    display_name: a.displayName,
    avatar_url: a.avatarUrl,
    status: a.status === 'reconnect_required' ? 'reconnect_required' : 'active',
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  };
}
