import { Injectable } from '@nestjs/common';
import { parseCookie } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';
import { STATE_TTL_MS } from './accounts.service.ts';

/** The cookie that binds a TikTok connect to the browser that began it. */
export const OAUTH_BROWSER_COOKIE = 'cliprelay_tiktok_oauth';

/**
 * The HTTP half of the connect flow's browser binding. POST /tiktok/connect gives the browser a
 * random nonce in an HttpOnly, SameSite=Lax cookie scoped to the callback's path, and the state's
 * row keeps the nonce's hash; the callback reads it back, so TikTok's redirect links an account
 * only in the browser that asked (account-linking CSRF). The browser keeps it for the state's
 * lifetime (a newer connect in the same browser replaces it); the callback that ends its flow
 * clears it.
 *
 * It is Secure when the request came over https (req.secure, behind a trusted proxy) or the
 * registered callback is https. It is a host-only cookie of the API's host, so
 * TIKTOK_REDIRECT_URI must be on the host the web app calls; and it is set by a credentialed
 * fetch from the web app, so that origin and the API must be same-site (README, "Connecting").
 */
@Injectable()
export class OAuthBrowserCookie {
  private readonly path: string;
  private readonly httpsCallback: boolean;

  constructor(@InjectConfig() config: AppConfig) {
    const callback = new URL(config.tiktok.redirectUri);
    this.path = callback.pathname;
    this.httpsCallback = callback.protocol === 'https:';
  }

  set(req: Request, res: Response, nonce: string): void {
    res.cookie(OAUTH_BROWSER_COOKIE, nonce, { ...this.options(req), maxAge: STATE_TTL_MS });
  }

  /** The nonce this browser holds, if any. */
  read(req: Request): string | undefined {
    const header = req.headers.cookie;
    return header ? parseCookie(header)[OAUTH_BROWSER_COOKIE] : undefined;
  }

  clear(req: Request, res: Response): void {
    res.clearCookie(OAUTH_BROWSER_COOKIE, this.options(req));
  }

  private options(req: Request): CookieOptions {
    return { httpOnly: true, sameSite: 'lax', secure: req.secure || this.httpsCallback, path: this.path };
  }
}
