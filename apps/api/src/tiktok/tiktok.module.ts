import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller.ts';
import { AccountsRepository } from './accounts.repository.ts';
import { AccountsService } from './accounts.service.ts';
import { CreatorInfoService } from './creator-info.ts';
import { OAuthBrowserCookie } from './oauth-browser-cookie.ts';
import { OAuthStatesRepository } from './oauth-states.repository.ts';
import { TikTokClient } from './tiktok.client.ts';
import { TokenCipher } from './token-cipher.ts';
import { TokenService } from './token.service.ts';

/** TikTok accounts, tokens and the HTTP client; the publish module builds on its exports. */
@Module({
  controllers: [AccountsController],
  providers: [
    AccountsRepository,
    AccountsService,
    CreatorInfoService,
    OAuthBrowserCookie,
    OAuthStatesRepository,
    TikTokClient,
    TokenCipher,
    TokenService,
  ],
  exports: [AccountsService, AccountsRepository, CreatorInfoService, TikTokClient, TokenService],
})
export class TikTokModule {}
