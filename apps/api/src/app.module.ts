import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.ts';
import type { AppConfig } from './config/config.ts';
import { ConfigModule } from './config/config.module.ts';
import { LOGGER, type Logger } from './common/logger.ts';
import { RateLimitModule } from './common/rate-limit.ts';
import type { DatabaseHandle } from './db/database.ts';
import { DatabaseModule } from './db/database.module.ts';
import { HealthController } from './health/health.controller.ts';
import { HealthService } from './health/health.service.ts';
import { PublishModule } from './publish/publish.module.ts';
import { TikTokModule } from './tiktok/tiktok.module.ts';
import { WebhooksModule } from './webhooks/webhooks.module.ts';

@Module({})
export class AppModule {
  static forRoot(deps: { config: AppConfig; database: DatabaseHandle; logger: Logger }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(deps.config),
        DatabaseModule.forRoot(deps.database),
        LoggerModule.forRoot(deps.logger),
        // The write budgets; `@RateLimited` handlers spend them (reads run no interceptor).
        RateLimitModule,
        AuthModule,
        TikTokModule,
        PublishModule,
        WebhooksModule,
      ],
      controllers: [HealthController],
      providers: [HealthService],
    };
  }
}

@Module({})
class LoggerModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: LoggerModule,
      global: true,
      providers: [{ provide: LOGGER, useValue: logger }],
      exports: [LOGGER],
    };
  }
}
