import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../common/app-error.ts';
import { type AppRequest, IS_PUBLIC } from '../common/request.ts';
import { JwtVerifier } from './jwt-verifier.ts';
import { UsersRepository } from './users.repository.ts';

/** Every route needs `Authorization: Bearer <JWT>` unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Whether a handler is public: its metadata never changes, so it is read once per handler. */
  private readonly publicHandlers = new WeakMap<object, boolean>();

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: JwtVerifier,
    private readonly users: UsersRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isPublic(context)) return true;
    const req = context.switchToHttp().getRequest<AppRequest>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new AppError('UNAUTHENTICATED', 'Sign in to continue: this request needs a bearer token.');
    }
    const claims = await this.verifier.verify(match[1]);
    const user = await this.users.upsertBySub(claims.sub, {
      email: typeof claims.email === 'string' ? claims.email : undefined,
      name: typeof claims.name === 'string' ? claims.name : undefined,
    });
    req.user = { id: user.id, sub: claims.sub };
    return true;
  }

  private isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let known = this.publicHandlers.get(handler);
    if (known === undefined) {
      known =
        this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, context.getClass()]) ===
        true;
      this.publicHandlers.set(handler, known);
    }
    return known;
  }
}
