import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.ts';
import { accountNotFound, reconnectRequired } from './account-errors.ts';
import { InjectLogger, type Logger } from '../common/logger.ts';
import { AccountsRepository, type SealedTokens } from './accounts.repository.ts';
import { TikTokClient } from './tiktok.client.ts';
import { TokenCipher } from './token-cipher.ts';
import type { TikTokTokenSet } from './tiktok.types.ts';

/** Refresh this long before TikTok's stated expiry. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

interface AccessToken {
  token: string;
  version: number;
}

/**
 * Hands a fresh TikTok access token to a call, invisibly: proactively refreshed near expiry,
 * reactively refreshed once when TikTok says `access_token_invalid`, and the call retried once.
 * Refresh tokens rotate, so a refresh is single-flight per account: in this process (coalesced
 * promises) and across processes (the account row is locked while TikTok is asked, and a
 * waiter that finds a newer token version uses it instead of refreshing again). The rotated pair
 * is committed before it is used. A dead refresh token marks the account reconnect_required.
 */
@Injectable()
export class TokenService {
  private readonly inflight = new Map<string, Promise<AccessToken>>();

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly tiktok: TikTokClient,
    private readonly cipher: TokenCipher,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async withFreshToken<T>(accountId: string, call: (accessToken: string) => Promise<T>): Promise<T> {
    let access = await this.current(accountId);
    try {
      return await call(access.token);
    } catch (err) {
      if (!isInvalidToken(err)) throw err;
      this.logger.info({ accountId }, 'tiktok said access_token_invalid; refreshing once');
      access = await this.refresh(accountId, access.version);
    }
    try {
      return await call(access.token);
    } catch (err) {
      if (!isInvalidToken(err)) throw err;
      await this.accounts.markReconnectRequired(accountId);
      throw reconnectRequired((err as AppError).tiktok);
    }
  }

  /** Seals a token set from TikTok for storage. */
  seal(set: TikTokTokenSet, now = Date.now()): SealedTokens {
    return {
      accessTokenEnc: this.cipher.encrypt(set.access_token),
      accessExpiresAt: new Date(now + set.expires_in * 1000),
      refreshTokenEnc: this.cipher.encrypt(set.refresh_token),
      refreshExpiresAt: new Date(now + set.refresh_expires_in * 1000),
      scopes: set.scope,
    };
  }

  /** The stored access token, for revocation; undefined when none is usable. */
  async storedAccessToken(accountId: string): Promise<string | undefined> {
    const row = await this.accounts.readTokens(accountId);
    return row?.accessTokenEnc ? this.cipher.decrypt(row.accessTokenEnc) : undefined;
  }

  private async current(accountId: string): Promise<AccessToken> {
    const row = await this.accounts.readTokens(accountId);
    if (!row || row.status === 'disconnected' || !row.accessTokenEnc) {
      throw accountNotFound();
    }
    if (row.status !== 'active') {
      throw reconnectRequired();
    }
    const expiresAt = row.accessExpiresAt?.getTime() ?? 0;
    if (expiresAt - Date.now() <= REFRESH_MARGIN_MS) return this.refresh(accountId, row.tokenVersion);
    return { token: this.cipher.decrypt(row.accessTokenEnc), version: row.tokenVersion };
  }

  private refresh(accountId: string, seenVersion: number): Promise<AccessToken> {
    const key = `${accountId}:${seenVersion}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.refreshLocked(accountId, seenVersion).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async refreshLocked(accountId: string, seenVersion: number): Promise<AccessToken> {
    let reconnect = false;
    const result = await this.accounts.transaction(async (tx) => {
      const row = await this.accounts.lockTokens(tx, accountId);
      if (!row || row.status === 'disconnected' || !row.refreshTokenEnc || !row.accessTokenEnc) {
        throw accountNotFound();
      }
      if (row.status !== 'active') {
        reconnect = true;
        return undefined;
      }
      if (row.tokenVersion !== seenVersion) {
        // Another request or replica rotated the pair while we waited for the lock.
        return { token: this.cipher.decrypt(row.accessTokenEnc), version: row.tokenVersion };
      }
      let set: TikTokTokenSet;
      try {
        set = await this.tiktok.refresh(this.cipher.decrypt(row.refreshTokenEnc));
      } catch (err) {
        if (err instanceof AppError && err.tiktok?.code === 'invalid_grant') {
          this.logger.warn(
            { accountId, tiktok: err.tiktok },
            'refresh token refused; account needs reconnecting',
          );
          await this.accounts.markReconnectRequired(accountId, tx);
          reconnect = true;
          return undefined;
        }
        throw err;
      }
      await this.accounts.storeRotatedTokens(tx, accountId, this.seal(set));
      this.logger.info({ accountId }, 'tiktok tokens rotated');
      return { token: set.access_token, version: row.tokenVersion + 1 };
    });
    if (reconnect || !result) {
      throw reconnectRequired();
    }
    return result;
  }
}

function isInvalidToken(err: unknown): boolean {
  return err instanceof AppError && err.tiktok?.code === 'access_token_invalid';
}
