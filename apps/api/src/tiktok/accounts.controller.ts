import { Controller, Delete, Get, HttpCode, Param, Post, Query, Redirect, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiSuccess, ConnectData, SocialAccount } from '@cliprelay/contract';
import type { Request, Response } from 'express';
import { type AuthUser, CurrentUser, Public } from '../common/request.ts';
import { AccountsService, type CallbackQuery } from './accounts.service.ts';
import { OAuthBrowserCookie } from './oauth-browser-cookie.ts';
import { RateLimited } from '../common/rate-limit.ts';

@ApiTags('accounts')
@Controller()
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly browserCookie: OAuthBrowserCookie,
  ) {}

  @Get('social-accounts')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The user's linked TikTok accounts (never a token)" })
  async list(@CurrentUser() user: AuthUser): Promise<ApiSuccess<SocialAccount[]>> {
    return { success: true, data: await this.accounts.list(user.id) };
  }

  @Delete('social-accounts/:id')
  @RateLimited('write')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke the account at TikTok and forget its tokens' })
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ApiSuccess<{ id: string }>> {
    await this.accounts.disconnect(user.id, id);
    return { success: true, data: { id } };
  }

  @Post('tiktok/connect')
  @RateLimited('connect')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: "TikTok's consent URL for the SPA to navigate to (state bound to the user, 10 min, single use)",
    description:
      'Also sets the HttpOnly cookie `cliprelay_tiktok_oauth` (SameSite=Lax, Path of the callback) that binds the ' +
      'state to this browser: call it with credentials, and finish on TikTok in the same browser.',
  })
  async connect(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApiSuccess<ConnectData>> {
    const { authorizeUrl, browserNonce } = await this.accounts.connect(user.id);
    this.browserCookie.set(req, res, browserNonce);
    return { success: true, data: { authorizeUrl } };
  }

  @Public()
  @Get('tiktok/oauth/callback')
  @Redirect()
  @ApiOperation({
    summary: "TikTok's redirect: stores the account and sends the browser back to the web app",
    description:
      'Links only in the browser that called POST /tiktok/connect (its `cliprelay_tiktok_oauth` cookie); ' +
      'otherwise redirects with `code=OAUTH_BROWSER_MISMATCH` and links nothing.',
  })
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ url: string; statusCode: number }> {
    const pick = (k: keyof CallbackQuery) => (typeof query[k] === 'string' ? query[k] : undefined);
    const { url, browserFlowEnded } = await this.accounts.handleCallback(
      {
        code: pick('code'),
        state: pick('state'),
        scopes: pick('scopes'),
        error: pick('error'),
        error_description: pick('error_description'),
      },
      this.browserCookie.read(req),
    );
    // Its flow is over; a cookie of another flow (a stray or forged callback) stays for its own.
    if (browserFlowEnded) this.browserCookie.clear(req, res);
    return { url, statusCode: 302 };
  }
}
