/**
 * Per-user limits on our write endpoints: a handler marked `@RateLimited('publish')` spends one
 * point of that budget per request, valid or not, and a user past it gets 429 RATE_LIMITED with
 * `Retry-After`. The budgets are counted in PostgreSQL (rate-limiter-flexible's
 * RateLimiterPostgres over our pool, its table made by our migrations), so every replica spends
 * from the same one. Should the database not answer, the request goes through: the limit guards
 * TikTok's budgets and our disk, it must not take the API down with it.
 *
 * Only the marked handlers carry the interceptor (`@RateLimited` adds it): a read runs no
 * interceptor at all, so Nest serves it without wrapping the handler in RxJS (a global interceptor
 * that passed reads through cost every read ~10 % of its CPU). It runs after the global auth guard
 * (it needs the user) and before the pipes (a flood of invalid requests counts too).
 */
import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  Global,
  Inject,
  Injectable,
  Module,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Observable } from 'rxjs';
import { InjectConfig } from '../config/config.module.ts';
import type { AppConfig } from '../config/config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { DB_HANDLE } from '../db/database.module.ts';
import { AppError } from './app-error.ts';
import { InjectLogger, type Logger } from './logger.ts';
import type { AppRequest } from './request.ts';

/** Requests a user may make a minute, per kind of write. */
export const RATE_LIMITS = {
  /** Publishing: init, the multipart upload, a resumable upload's creation. */
  publish: 30,
  /** Starting TikTok's OAuth consent. */
  connect: 10,
  /** Adding a video to the media library. */
  media: 30,
  /** Every other write: disconnecting, refreshing, cancelling. */
  write: 60,
} as const;
export type RateLimitKind = keyof typeof RATE_LIMITS;

const KIND = Symbol('rate-limit-kind');

/** The budgets, one set per process (RateLimitModule): every marked handler spends from them. */
@Injectable()
export class RateLimiter {
  private readonly limiters: Record<RateLimitKind, RateLimiterPostgres>;
  private readonly points: (kind: RateLimitKind) => number;

  constructor(
    @Inject(DB_HANDLE) database: DatabaseHandle,
    @InjectConfig() config: AppConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.points = (kind) => Math.round(RATE_LIMITS[kind] * config.rateLimitScale);
    const limiter = (kind: RateLimitKind) =>
      new RateLimiterPostgres({
        storeClient: database.pool,
        tableName: 'rate_limits',
        tableCreated: true,
        keyPrefix: kind,
        points: this.points(kind),
        duration: 60,
      });
    this.limiters = {
      publish: limiter('publish'),
      connect: limiter('connect'),
      media: limiter('media'),
      write: limiter('write'),
    };
  }

  /** Spends one point of the user's `kind` budget, or throws RATE_LIMITED. */
  async spend(kind: RateLimitKind, userId: string): Promise<void> {
    try {
      await this.limiters[kind].consume(userId);
    } catch (result) {
      if (result instanceof RateLimiterRes) {
        const retryAfterSec = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
        throw new AppError(
          'RATE_LIMITED',
          `Too many requests: you can make ${this.points(kind)} of these a minute. Try again in ${retryAfterSec} seconds.`,
          { retryable: true, retryAfterSec },
        );
      }
      this.logger.warn({ err: result, kind }, 'rate limit not checked: the database did not answer');
    }
  }
}

@Injectable()
class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const kind = this.reflector.get<RateLimitKind | undefined>(KIND, context.getHandler());
    const user = context.switchToHttp().getRequest<AppRequest>().user;
    if (kind && user) await this.limiter.spend(kind, user.id);
    return next.handle();
  }
}

/** Marks a handler as spending one point of the user's `kind` budget per request. */
export const RateLimited = (kind: RateLimitKind) =>
  applyDecorators(SetMetadata(KIND, kind), UseInterceptors(RateLimitInterceptor));

/** Provides the one RateLimiter to every module's marked handlers. */
@Global()
@Module({ providers: [RateLimiter], exports: [RateLimiter] })
export class RateLimitModule {}
