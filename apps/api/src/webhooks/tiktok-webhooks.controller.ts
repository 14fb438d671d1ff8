import { Controller, Headers, HttpCode, Post, type RawBodyRequest, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiSuccess } from '@cliprelay/contract';
import type { Request } from 'express';
import { AppError } from '../common/app-error.ts';
import { Public } from '../common/request.ts';
import { InjectConfig } from '../config/config.module.ts';
import type { AppConfig } from '../config/config.ts';
import { checkTikTokSignature } from './tiktok-signature.ts';
import { TikTokWebhooks, type WebhookOutcome } from './tiktok-webhooks.service.ts';

const REFUSED: Record<string, string> = {
  missing: 'TikTok-Signature header is missing.',
  malformed: 'TikTok-Signature must be "t=<unix seconds>,s=<hex HMAC-SHA256>".',
  mismatch: 'TikTok-Signature does not match this body.',
  expired: 'TikTok-Signature is too old (or from the future): more than 5 minutes from now.',
};

@ApiTags('webhooks')
@Controller('tiktok/webhooks')
export class TikTokWebhooksController {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly webhooks: TikTokWebhooks,
  ) {}

  @Public()
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      "TikTok's webhook deliveries (no bearer: checked by TikTok-Signature); applied at once, idempotently",
  })
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers('tiktok-signature') signature: string | undefined,
  ): Promise<ApiSuccess<{ outcome: WebhookOutcome }>> {
    const raw = req.rawBody;
    if (!raw || !req.is('application/json')) {
      const message = 'TikTok webhooks are JSON (Content-Type: application/json).';
      throw new AppError('VALIDATION_FAILED', message, { details: [message] });
    }
    const check = checkTikTokSignature(signature, raw, this.config.tiktok.clientSecret, Date.now() / 1000);
    if (!check.ok) throw new AppError('UNAUTHENTICATED', REFUSED[check.reason]!);
    const { delivery, content } = this.webhooks.parse(req.body, this.config.tiktok.clientKey);
    // Applying is one guarded UPDATE (no TikTok call): it answers within milliseconds, and a
    // failure answers 500 so that TikTok's retry brings the event again.
    return { success: true, data: { outcome: await this.webhooks.apply(delivery, content) } };
  }
}
