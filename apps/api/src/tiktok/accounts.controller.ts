import { Controller, Delete, Get, HttpCode, Param, Post, Query, Redirect } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiSuccess, ConnectData, SocialAccount } from '@cliprelay/contract';
import { type AuthUser, CurrentUser, Public } from '../common/request.ts';
import { AccountsService, type CallbackQuery } from './accounts.service.ts';

@ApiTags('accounts')
@Controller()
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('social-accounts')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The user's linked TikTok accounts (never a token)" })
  async list(@CurrentUser() user: AuthUser): Promise<ApiSuccess<SocialAccount[]>> {
    return { success: true, data: await this.accounts.list(user.id) };
  }

  @Delete('social-accounts/:id')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revoke the account at TikTok and forget its tokens' })
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ApiSuccess<{ id: string }>> {
    await this.accounts.disconnect(user.id, id);
    return { success: true, data: { id } };
  }

  @Post('tiktok/connect')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: "TikTok's consent URL for the SPA to navigate to (state bound to the user, 10 min, single use)",
  })
  async connect(@CurrentUser() user: AuthUser): Promise<ApiSuccess<ConnectData>> {
    return { success: true, data: await this.accounts.connect(user.id) };
  }

  @Public()
  @Get('tiktok/oauth/callback')
  @Redirect()
  @ApiOperation({
    summary: "TikTok's redirect: stores the account and sends the browser back to the web app",
  })
  async callback(@Query() query: Record<string, unknown>): Promise<{ url: string; statusCode: number }> {
    const pick = (k: keyof CallbackQuery) => (typeof query[k] === 'string' ? query[k] : undefined);
    const url = await this.accounts.handleCallback({
      code: pick('code'),
      state: pick('state'),
      scopes: pick('scopes'),
      error: pick('error'),
      error_description: pick('error_description'),
    });
    return { url, statusCode: 302 };
  }
}
