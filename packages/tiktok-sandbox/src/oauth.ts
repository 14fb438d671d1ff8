/**
 * OAuth v2 (Login Kit): the consent page, the token endpoint (authorization_code and
 * refresh_token with rotation) and revoke. tiktok-api.md §7.
 */
import { createHash } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { type SandboxContext, playFault, sendOAuthError, takeFault } from './context.ts';
import * as ids from './ids.ts';
import { Html, html, page } from './html.ts';
import { sendJson } from './json.ts';
import type { Grant, SandboxState, TokenRecord } from './state.ts';

export interface AuthorizeRequest {
  client_key: string;
  scope: string;
  response_type: string;
  redirect_uri: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
}

type AuthorizeCheck =
  | { kind: 'error-page'; message: string }
  | { kind: 'redirect'; to: string }
  | { kind: 'ok'; request: AuthorizeRequest; scopes: string[] };

const SCOPE_TEXT: Record<string, string> = {
  'user.info.basic': 'Read your profile info (avatar, display name)',
  'user.info.profile': 'Read your profile details (username, bio, verified status)',
  'user.info.stats': 'Read your follower, following, like and video counts',
  'video.publish': 'Post content to your TikTok account',
  'video.upload': 'Upload content to your TikTok drafts',
  'video.list': 'Read your public videos',
};

function pick(source: Record<string, unknown>, key: string): string | undefined {
  const value = source[key];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function redirectWith(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** §7.1: client and redirect URI problems cannot be redirected (the URI is not trusted). */
export function checkAuthorize(ctx: SandboxContext, query: Record<string, unknown>): AuthorizeCheck {
  const request: AuthorizeRequest = {
    client_key: pick(query, 'client_key') ?? '',
    scope: pick(query, 'scope') ?? '',
    response_type: pick(query, 'response_type') ?? '',
    redirect_uri: pick(query, 'redirect_uri') ?? '',
    state: pick(query, 'state'),
    code_challenge: pick(query, 'code_challenge'),
    code_challenge_method: pick(query, 'code_challenge_method'),
  };
  if (request.client_key !== ctx.options.clientKey) {
    return { kind: 'error-page', message: 'client_key is missing or does not belong to a registered app.' };
  }
  if (!ctx.options.redirectUri.includes(request.redirect_uri)) {
    return {
      kind: 'error-page',
      message: 'redirect_uri is missing or does not match any redirect URI registered for this app.',
    };
  }
  const fail = (error: string, description: string): AuthorizeCheck => ({
    kind: 'redirect',
    to: redirectWith(request.redirect_uri, { error, error_description: description, state: request.state }),
  });
  if (request.response_type !== 'code') {
    return fail('unsupported_response_type', 'response_type must be "code".');
  }
  const scopes = request.scope
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) return fail('invalid_scope', 'scope is required (a comma-separated list).');
  const unknown = scopes.filter((s) => !ctx.options.scopes.includes(s));
  if (unknown.length > 0) {
    return fail('invalid_scope', `The app is not approved for the scope(s): ${unknown.join(', ')}.`);
  }
  if (request.code_challenge !== undefined || request.code_challenge_method !== undefined) {
    if (request.code_challenge_method !== 'S256') {
      return fail('invalid_request', 'code_challenge_method must be S256.');
    }
    // §7.1: the challenge is compared at the token exchange with the HEX-encoded SHA-256 of the
    // verifier; TikTok documents no format check here, so a base64url (RFC 7636) challenge fails later.
    if (!request.code_challenge)
      return fail('invalid_request', 'code_challenge is required with code_challenge_method.');
  }
  return { kind: 'ok', request, scopes: [...new Set(scopes)] };
}

export type ConsentOutcome =
  { ok: true; redirectTo: string } | { ok: false; status: number; message: string };

/** What the consent page does on Authorize / Deny; also POST /_sandbox/consent. */
export function decideConsent(
  ctx: SandboxContext,
  check: Extract<AuthorizeCheck, { kind: 'ok' }>,
  openId: string,
  approve: boolean,
  chosenScopes?: string[],
): ConsentOutcome {
  const { request } = check;
  if (!approve) {
    return {
      ok: true,
      redirectTo: redirectWith(request.redirect_uri, {
        error: 'access_denied',
        error_description: 'The user denied the authorization request.',
        state: request.state,
      }),
    };
  }
  if (!ctx.state.creators.has(openId))
    return { ok: false, status: 404, message: `no creator with open_id ${openId}` };
  const granted = chosenScopes ? check.scopes.filter((s) => chosenScopes.includes(s)) : check.scopes;
  if (granted.length === 0) return { ok: false, status: 400, message: 'grant at least one scope' };
  const code = ids.authCode();
  ctx.state.codes.set(code, {
    code,
    client_key: request.client_key,
    redirect_uri: request.redirect_uri,
    open_id: openId,
    scopes: granted,
    code_challenge: request.code_challenge,
    expires_at: ctx.clock.now() + ctx.options.codeTtl * 1000,
    used: false,
  });
  return {
    ok: true,
    redirectTo: redirectWith(request.redirect_uri, { code, scopes: granted.join(','), state: request.state }),
  };
}

/** TikTok's token response (tiktok-api.md §1.3). */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  open_id: string;
  refresh_expires_in: number;
  refresh_token: string;
  scope: string;
  token_type: 'Bearer';
}

/** Issues an access + refresh pair for a grant and answers TikTok's flat token body (§7.2). */
export function issueTokens(ctx: SandboxContext, grant: Grant): TokenResponse {
  const now = ctx.clock.now();
  const access: TokenRecord = {
    token: ids.accessToken(),
    type: 'access',
    grant,
    issued_at: now,
    expires_at: now + ctx.options.accessTtl * 1000,
  };
  const refresh: TokenRecord = {
    token: ids.refreshToken(),
    type: 'refresh',
    grant,
    issued_at: now,
    expires_at: grant.refresh_expires_at,
  };
  ctx.state.tokens.set(access.token, access);
  ctx.state.tokens.set(refresh.token, refresh);
  return {
    access_token: access.token,
    expires_in: ctx.options.accessTtl,
    open_id: grant.open_id,
    // Remaining whole seconds, rounded up: a grant made a millisecond ago still has its full TTL.
    refresh_expires_in: Math.max(0, Math.ceil((grant.refresh_expires_at - now) / 1000)),
    refresh_token: refresh.token,
    scope: grant.scopes.join(','),
    token_type: 'Bearer',
  };
}

export function newGrant(ctx: SandboxContext, openId: string, scopes: string[]): Grant {
  const grant: Grant = {
    id: ctx.state.newId(),
    open_id: openId,
    client_key: ctx.options.clientKey,
    scopes,
    refresh_expires_at: ctx.clock.now() + ctx.options.refreshTtl * 1000,
    revoked: false,
  };
  ctx.state.grants.push(grant);
  return grant;
}

function isForm(req: Request): boolean {
  return req.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded';
}

function formBody(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

/**
 * The checks shared by the token and revoke endpoints: a form body, the required fields, and the
 * app's own key and secret (§7.2, §7.5, §7.6). Answers the error itself and returns false.
 */
function checkClient(ctx: SandboxContext, req: Request, res: Response, required: string[]): boolean {
  if (!isForm(req)) {
    sendOAuthError(ctx, res, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded.');
    return false;
  }
  const body = formBody(req);
  const fields = ['client_key', 'client_secret', ...required];
  if (fields.some((f) => !pick(body, f))) {
    sendOAuthError(ctx, res, 'invalid_request', `${fields.join(', ')} are required.`);
    return false;
  }
  if (
    pick(body, 'client_key') !== ctx.options.clientKey ||
    pick(body, 'client_secret') !== ctx.options.clientSecret
  ) {
    sendOAuthError(ctx, res, 'invalid_client', 'Client key or secret is incorrect.');
    return false;
  }
  return true;
}

function openIdOfTokenRequest(state: SandboxState, body: Record<string, unknown>): string | undefined {
  const code = pick(body, 'code');
  if (code) return state.codes.get(code)?.open_id;
  const refresh = pick(body, 'refresh_token') ?? pick(body, 'token');
  return refresh ? state.tokens.get(refresh)?.grant.open_id : undefined;
}

export function oauthRoutes(ctx: SandboxContext): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  router.get('/v2/auth/authorize/', (req, res) => {
    const check = checkAuthorize(ctx, req.query);
    if (check.kind === 'error-page') {
      res.status(400).type('html').send(errorPage(check.message));
      return;
    }
    if (check.kind === 'redirect') {
      res.redirect(302, check.to);
      return;
    }
    res.type('html').send(consentPage(ctx, check));
  });

  router.post('/v2/auth/authorize/', form, (req, res) => {
    const body = formBody(req);
    const check = checkAuthorize(ctx, body);
    if (check.kind === 'error-page') {
      res.status(400).type('html').send(errorPage(check.message));
      return;
    }
    if (check.kind === 'redirect') {
      res.redirect(302, check.to);
      return;
    }
    const approve = pick(body, 'decision') === 'approve';
    const chosen = ([] as unknown[])
      .concat(body.scope_grant ?? [])
      .filter((s): s is string => typeof s === 'string');
    const outcome = decideConsent(
      ctx,
      check,
      pick(body, 'open_id') ?? '',
      approve,
      approve ? chosen : undefined,
    );
    if (!outcome.ok) {
      res
        .status(outcome.status)
        .type('html')
        .send(consentPage(ctx, check, outcome.message));
      return;
    }
    res.redirect(302, outcome.redirectTo);
  });

  router.post('/v2/oauth/token/', form, async (req, res) => {
    const body = formBody(req);
    const fault = takeFault(ctx, 'token', { open_id: openIdOfTokenRequest(ctx.state, body) });
    if (fault && (await playFault(ctx, fault, req, res, 'oauth'))) return;
    if (!checkClient(ctx, req, res, ['grant_type'])) return;
    const grantType = pick(body, 'grant_type');
    if (grantType === 'authorization_code') exchangeCode(ctx, body, res);
    else if (grantType === 'refresh_token') refresh(ctx, body, res);
    else sendOAuthError(ctx, res, 'unsupported_grant_type', `grant_type ${grantType} is not supported.`);
  });

  router.post('/v2/oauth/revoke/', form, async (req, res) => {
    const body = formBody(req);
    const fault = takeFault(ctx, 'revoke', { open_id: openIdOfTokenRequest(ctx.state, body) });
    if (fault && (await playFault(ctx, fault, req, res, 'oauth'))) return;
    if (!checkClient(ctx, req, res, ['token'])) return;
    const token = pick(body, 'token') ?? '';
    const record = ctx.state.tokens.get(token);
    if (!record || record.grant.client_key !== ctx.options.clientKey) {
      sendOAuthError(ctx, res, 'invalid_request', 'The token is invalid.');
      return;
    }
    // §7.5: the app disappears from the user's connected apps: every grant of it, every token.
    for (const grant of ctx.state.grants) {
      if (grant.open_id === record.grant.open_id && grant.client_key === record.grant.client_key)
        grant.revoked = true;
    }
    sendJson(res, 200, {});
  });

  return router;
}

function exchangeCode(ctx: SandboxContext, body: Record<string, unknown>, res: Response): void {
  const code = pick(body, 'code');
  const redirectUri = pick(body, 'redirect_uri');
  if (!code || !redirectUri) {
    sendOAuthError(ctx, res, 'invalid_request', 'code and redirect_uri are required.');
    return;
  }
  const record = ctx.state.codes.get(code);
  const now = ctx.clock.now();
  if (!record || record.used || record.expires_at <= now || record.client_key !== ctx.options.clientKey) {
    sendOAuthError(ctx, res, 'invalid_grant', 'Authorization code is expired, already used or invalid.');
    return;
  }
  if (record.redirect_uri !== redirectUri) {
    // The doc's own example error (§7.2).
    sendOAuthError(
      ctx,
      res,
      'invalid_request',
      'Redirect_uri is not matched with the uri when requesting code.',
    );
    return;
  }
  if (record.code_challenge !== undefined) {
    const verifier = pick(body, 'code_verifier');
    if (!verifier || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) {
      sendOAuthError(ctx, res, 'invalid_grant', 'code_verifier is missing or malformed.');
      return;
    }
    if (createHash('sha256').update(verifier).digest('hex') !== record.code_challenge.toLowerCase()) {
      sendOAuthError(ctx, res, 'invalid_grant', 'code_verifier does not match the code_challenge.');
      return;
    }
  }
  record.used = true;
  const grant = newGrant(ctx, record.open_id, record.scopes);
  sendJson(res, 200, issueTokens(ctx, grant));
}

function refresh(ctx: SandboxContext, body: Record<string, unknown>, res: Response): void {
  const token = pick(body, 'refresh_token');
  if (!token) {
    sendOAuthError(ctx, res, 'invalid_request', 'refresh_token is required.');
    return;
  }
  const record = ctx.state.tokens.get(token);
  if (
    !record ||
    record.type !== 'refresh' ||
    record.grant.client_key !== ctx.options.clientKey ||
    ctx.state.tokenState(record, ctx.clock.now()) !== 'active'
  ) {
    sendOAuthError(ctx, res, 'invalid_grant', 'Refresh token is invalid or expired.');
    return;
  }
  // §7.3 (newer doc): every refresh rotates the refresh token; the previous one stops working.
  record.ended = 'rotated';
  sendJson(res, 200, issueTokens(ctx, record.grant));
}

function errorPage(message: string): string {
  return page(
    'Authorization error',
    html`<div class="card">
      <h1>We couldn't log in with TikTok</h1>
      <p>${message}</p>
      <p class="muted">
        This is what TikTok shows when an app sends a wrong client_key or redirect_uri: the browser is not
        sent back to the app.
      </p>
    </div>`,
  );
}

function consentPage(
  ctx: SandboxContext,
  check: Extract<AuthorizeCheck, { kind: 'ok' }>,
  problem?: string,
): string {
  const { request, scopes } = check;
  const creators = [...ctx.state.creators.values()];
  const hidden = (Object.entries(request) as [string, string | undefined][])
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`);
  const creatorChoices: Html[] = creators.map(
    (c, i) =>
      html`<label class="choice">
        <input
          type="radio"
          name="open_id"
          value="${c.open_id}"
          ${i === 0 ? new Html('checked') : ''}
          required
        />
        <img class="avatar" alt="" src="${ctx.baseUrl}/_sandbox/avatars/${c.open_id}.svg" />
        <span
          ><strong>${c.nickname}</strong>
          <span class="muted"
            >@${c.username}${c.private_account ? ' · private account' : ' · public account'}</span
          ></span
        >
      </label>`,
  );
  const scopeChoices = scopes.map(
    (s) =>
      html`<label class="choice"
        ><input type="checkbox" name="scope_grant" value="${s}" checked />
        <span><strong>${SCOPE_TEXT[s] ?? s}</strong> <code class="muted">${s}</code></span></label
      >`,
  );
  return page(
    'Authorize app — TikTok sandbox',
    html`<div class="card" style="max-width:560px;margin:0 auto">
      <h1>Authorize this app to access your TikTok account</h1>
      <p class="muted">
        App <code>${request.client_key}</code> will be redirected to <code>${request.redirect_uri}</code>.
      </p>
      ${problem ? html`<p class="pill bad">${problem}</p>` : ''}
      <form method="post" action="/v2/auth/authorize/">
        ${hidden}
        <fieldset>
          <legend>Continue as</legend>
          ${creators.length > 0 ? creatorChoices : html`<p class="muted">No sandbox creators yet. Create one on the <a href="/_sandbox/">sandbox dashboard</a>, then reload this page.</p>`}
        </fieldset>
        <fieldset>
          <legend>The app asks to</legend>
          ${scopeChoices}
        </fieldset>
        <div class="actions">
          <button type="submit" name="decision" value="deny" formnovalidate>Cancel</button>
          <button
            type="submit"
            name="decision"
            value="approve"
            class="primary"
            ${creators.length === 0 ? new Html('disabled') : ''}
          >
            Authorize
          </button>
        </div>
      </form>
    </div>`,
  );
}
