import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';

/** The signed-in user, set by the auth guard. */
export interface AuthUser {
  /** Our users.id */
  id: string;
  /** The identity provider's subject. */
  sub: string;
}

export interface AppRequest extends Request {
  user?: AuthUser;
}

export const IS_PUBLIC = 'cliprelay:isPublic';
/** Marks a route that needs no bearer token (health, the OAuth callback). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  const user = ctx.switchToHttp().getRequest<AppRequest>().user;
  if (!user) throw new Error('CurrentUser used on a public route');
  return user;
});

export function requestIdOf(req: { id?: unknown }): string {
  return typeof req.id === 'string' ? req.id : 'unknown';
}
