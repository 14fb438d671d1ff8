/**
 * TikTok's creator_info of an account, asked of TikTok at most once per short window: the
 * publish form, its reloads and the upload's own check share one answer (kept on the account's
 * row, so every replica shares it too), and concurrent misses in a process share one call.
 * TikTok allows 20 creator_info calls a minute per token (tiktok-api.md §10); a user reloading the
 * form cannot spend them. Each publish's init forgets the answer (TikTok refused a setting, or a
 * post was made, which changes its daily count), so the next form shows TikTok's state at once.
 */
import { Injectable } from '@nestjs/common';
import { type AccountRecord, AccountsRepository } from './accounts.repository.ts';
import { TikTokClient } from './tiktok.client.ts';
import type { TikTokCreatorInfo } from './tiktok.types.ts';
import { TokenService } from './token.service.ts';

/** How long an answer is used. Short: the form must show the creator's settings as they are. */
export const CREATOR_INFO_FRESH_MS = 30_000;

@Injectable()
export class CreatorInfoService {
  private readonly inFlight = new Map<string, Promise<TikTokCreatorInfo>>();

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly tokens: TokenService,
    private readonly tiktok: TikTokClient,
  ) {}

  /** The account's creator info: the kept answer while fresh, else TikTok's now. */
  get(account: AccountRecord, now = Date.now()): Promise<TikTokCreatorInfo> {
    if (
      account.creatorInfo &&
      account.creatorInfoAt &&
      now - account.creatorInfoAt.getTime() < CREATOR_INFO_FRESH_MS
    ) {
      return Promise.resolve(account.creatorInfo);
    }
    let pending = this.inFlight.get(account.id);
    if (!pending) {
      pending = this.ask(account.id).finally(() => this.inFlight.delete(account.id));
      this.inFlight.set(account.id, pending);
    }
    return pending;
  }

  /** TikTok refused a setting: the next read asks TikTok again. */
  async forget(accountId: string): Promise<void> {
    await this.accounts.forgetCreatorInfo(accountId);
  }

  /** TikTok's answer now, kept for the next reads (after TikTok refused what the kept one allowed). */
  refresh(accountId: string): Promise<TikTokCreatorInfo> {
    return this.ask(accountId);
  }

  private async ask(accountId: string): Promise<TikTokCreatorInfo> {
    const askedAt = new Date();
    const info = await this.tokens.withFreshToken(accountId, (t) => this.tiktok.creatorInfo(t));
    await this.accounts.storeCreatorInfo(accountId, info, askedAt);
    return info;
  }
}
