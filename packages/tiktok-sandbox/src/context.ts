import type { Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxClock } from './clock.ts';
import { logId } from './ids.ts';
import { sendJson } from './json.ts';
import type { SandboxOptions } from './options.ts';
import type { Fault, FaultEndpoint, Grant, SandboxState, TokenRecord } from './state.ts';
import type { WebhookSender } from './webhooks.ts';

/** What every route handler works with. */
export interface SandboxContext {
  readonly options: SandboxOptions;
  readonly state: SandboxState;
  readonly clock: SandboxClock;
  readonly dataDir: string;
  /** Base URL for URLs the sandbox hands out (upload_url, avatars). */
  baseUrl: string;
  /** Sends webhooks when options.webhookUrl is set. */
  readonly webhooks: WebhookSender;
}

/** Documented default messages (§8); the real wording is UNCONFIRMED. */
const MESSAGES: Record<string, string> = {
  ok: '',
  access_token_invalid:
    'The access token is invalid or not found in the request. Please refresh the token and retry.',
  scope_not_authorized: 'The user did not authorize the scope required for completing this request.',
  scope_permission_missed: 'Some of the requested fields need additional scopes.',
  rate_limit_exceeded: 'The API rate limit was exceeded. Please try again later.',
  invalid_params: 'The request parameters are invalid.',
  spam_risk_too_many_posts: 'The daily post cap from the API is reached for the current user.',
  spam_risk_user_banned_from_posting: 'The user is banned from making new posts.',
  reached_active_user_cap: 'The daily quota for active publishing users from your client is reached.',
  unaudited_client_can_only_post_to_private_accounts: 'Unaudited clients can only post to a private account.',
  url_ownership_unverified: 'The domain or URL prefix of video_url is not verified for this app.',
  privacy_level_option_mismatch: 'privacy_level is not one of the privacy_level_options of creator_info.',
  invalid_publish_id: 'The publish_id does not exist.',
  token_not_authorized_for_specified_publish_id:
    'The access token is not authorized for the specified publish_id.',
  publish_not_cancellable: 'The publish task is not cancellable.',
  internal_error: 'Internal server error. Please retry later.',
};

export function defaultMessage(code: string): string {
  return MESSAGES[code] ?? code.replace(/_/g, ' ');
}

/** HTTP status TikTok uses for a content-API error code (§8). */
export function defaultStatus(code: string, endpoint?: FaultEndpoint): number {
  if (code === 'access_token_invalid' || code === 'scope_not_authorized') return 401;
  if (code === 'rate_limit_exceeded') return 429;
  if (code === 'internal_error') return 500;
  if (
    code.startsWith('spam_risk') ||
    code === 'reached_active_user_cap' ||
    code === 'unaudited_client_can_only_post_to_private_accounts' ||
    code === 'url_ownership_unverified' ||
    code === 'privacy_level_option_mismatch'
  ) {
    // creator_info reports "cannot post now" with HTTP 200 on purpose (§2.1).
    return endpoint === 'creator_info' ? 200 : 403;
  }
  return 400;
}

/** Sends TikTok's envelope (§2.0); errors carry no data member unless errorData is set. */
export function sendEnvelope(
  ctx: SandboxContext,
  res: Response,
  status: number,
  code: string,
  data?: unknown,
  message?: string,
): void {
  const log_id = logId(ctx.clock.now());
  res.setHeader('x-tt-logid', log_id);
  const error = { code, message: message ?? defaultMessage(code), log_id };
  const body: Record<string, unknown> = {};
  if (data !== undefined) body.data = data;
  else if (code !== 'ok' && ctx.options.errorData) body.data = {};
  body.error = error;
  sendJson(res, status, body);
}

export function sendOk(ctx: SandboxContext, res: Response, data?: unknown): void {
  sendEnvelope(ctx, res, 200, 'ok', data);
}

export function sendError(
  ctx: SandboxContext,
  res: Response,
  code: string,
  message?: string,
  status?: number,
): void {
  sendEnvelope(ctx, res, status ?? defaultStatus(code), code, undefined, message);
}

/** Flat OAuth error body (§7.2, §7.6). */
export function sendOAuthError(
  ctx: SandboxContext,
  res: Response,
  error: string,
  description: string,
  status = ctx.options.oauthErrorStatus,
): void {
  const log_id = logId(ctx.clock.now());
  res.setHeader('x-tt-logid', log_id);
  res.setHeader('cache-control', 'no-store');
  sendJson(res, status, { error, error_description: description, log_id });
}

// ---------------------------------------------------------------------------------------------
// Access tokens at content endpoints

export type AuthResult = { ok: true; grant: Grant; record: TokenRecord } | { ok: false; code: string };

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** Looks up the bearer token without judging it (faults may target its creator first). */
export function lookupToken(ctx: SandboxContext, req: Request): TokenRecord | undefined {
  const token = bearerToken(req);
  if (!token) return undefined;
  const record = ctx.state.tokens.get(token);
  return record?.type === 'access' ? record : undefined;
}

/** §2.0, §8: invalid/expired/revoked → access_token_invalid; a missing scope → scope_not_authorized. */
export function authorize(
  ctx: SandboxContext,
  record: TokenRecord | undefined,
  anyOfScopes: string[],
): AuthResult {
  if (!record || ctx.state.tokenState(record, ctx.clock.now()) !== 'active') {
    return { ok: false, code: 'access_token_invalid' };
  }
  if (anyOfScopes.length > 0 && !anyOfScopes.some((s) => record.grant.scopes.includes(s))) {
    return { ok: false, code: 'scope_not_authorized' };
  }
  return { ok: true, grant: record.grant, record };
}

// ---------------------------------------------------------------------------------------------
// Rate limits (§10): a sliding 60 s window per access token and endpoint, on the sandbox clock.

export function overRateLimit(
  ctx: SandboxContext,
  endpoint: string,
  token: string,
  perMinute: number,
): boolean {
  const now = ctx.clock.now();
  const key = `${endpoint} ${token}`;
  const recent = (ctx.state.rateWindows.get(key) ?? []).filter((t) => t > now - 60_000);
  const over = recent.length >= perMinute;
  if (!over) recent.push(now);
  ctx.state.rateWindows.set(key, recent);
  return over;
}

// ---------------------------------------------------------------------------------------------
// Faults (architecture §6)

export function takeFault(
  ctx: SandboxContext,
  endpoint: FaultEndpoint,
  match: { open_id?: string; chunk_index?: number } = {},
): Fault | undefined {
  const fault = ctx.state.faults.find(
    (f) =>
      f.endpoint === endpoint &&
      f.remaining > 0 &&
      (f.open_id === undefined || f.open_id === match.open_id) &&
      (f.chunk_index === undefined || f.chunk_index === match.chunk_index),
  );
  if (!fault) return undefined;
  fault.remaining -= 1;
  if (fault.remaining <= 0) ctx.state.faults = ctx.state.faults.filter((f) => f !== fault);
  return fault;
}

export type FaultBody = 'envelope' | 'oauth' | 'empty';

/**
 * Plays a fault: waits delay_ms, then drops the connection, or answers with the fault's
 * status and code. Returns false when the fault only delays and the request goes on normally.
 */
export async function playFault(
  ctx: SandboxContext,
  fault: Fault,
  req: Request,
  res: Response,
  body: FaultBody,
): Promise<boolean> {
  if (fault.delay_ms) await sleep(fault.delay_ms);
  if (fault.reset) {
    req.socket.destroy();
    return true;
  }
  if (fault.http_status === undefined && fault.error_code === undefined) return false;
  const code = fault.error_code;
  const status =
    fault.http_status ??
    (body === 'oauth'
      ? ctx.options.oauthErrorStatus
      : body === 'empty'
        ? 500
        : defaultStatus(code ?? 'internal_error', fault.endpoint));
  if (code === undefined && status >= 500) {
    // A gateway failure: no JSON at all, as a load balancer in front of TikTok would answer.
    res.status(status).type('text/html').send(`<html><body><h1>${status} Bad Gateway</h1></body></html>`);
    return true;
  }
  if (body === 'oauth')
    sendOAuthError(ctx, res, code ?? 'server_error', defaultMessage(code ?? 'server_error'), status);
  else if (body === 'empty') res.status(status).end();
  else sendEnvelope(ctx, res, status, code ?? 'internal_error');
  return true;
}
