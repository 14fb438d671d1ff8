/**
 * Conformance: OAuth v2 — the authorize page, the token endpoint (authorization_code and
 * refresh_token), revoke, and the sandbox's consent/token control routes.
 * Sources: tiktok-api.md §7.1–§7.6, §3.2, §2.0, §8, §12.10; architecture.md §6;
 * docs/sandbox-decisions-for-helpers.md ("OAuth", "Faults and clock").
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_KEY,
  CLIENT_SECRET,
  REDIRECT_URI,
  addFault,
  advanceClock,
  control,
  createCreator,
  http,
  issueToken,
  oauthToken,
  tiktokPost,
  useSandbox,
  type HttpResult,
  type TokenResponse,
} from './helpers.ts';

const AUTHORIZE = '/v2/auth/authorize/';
const REVOKE = '/v2/oauth/revoke/';
const CREATOR_INFO = '/v2/post/publish/creator_info/query/';
const LOG_ID = /^\d{14}[0-9A-F]{20}$/;
const SCOPES = 'user.info.basic,video.publish';
const ALL_SCOPES = [
  'user.info.basic',
  'user.info.profile',
  'user.info.stats',
  'video.publish',
  'video.upload',
  'video.list',
];
const TOKEN_FIELDS = [
  'access_token',
  'expires_in',
  'open_id',
  'refresh_expires_in',
  'refresh_token',
  'scope',
  'token_type',
];
const REDIRECT_MISMATCH = 'Redirect_uri is not matched with the uri when requesting code.';

interface OAuthError {
  error: string;
  error_description: string;
  log_id: string;
}
interface ListedToken {
  token: string;
  type: 'access' | 'refresh';
  state: 'active' | 'expired' | 'rotated' | 'revoked';
  scope: string;
  expires_at: unknown;
}
interface Envelope {
  data?: Record<string, unknown>;
  error: { code: string; message: string; log_id: string };
}

// ---------------------------------------------------------------------------------------------
// Private helpers

function sorted(list: Iterable<string>): string[] {
  return [...list].sort();
}

function authorizeUrl(base: string, params: Record<string, string | undefined> = {}): string {
  const defaults: Record<string, string | undefined> = {
    client_key: CLIENT_KEY,
    scope: SCOPES,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    state: 'st-123',
  };
  const merged = { ...defaults, ...params };
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) qs.set(k, v);
  return `${base}${AUTHORIZE}?${qs.toString()}`;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

type Attrs = Record<string, string>;

/** Every `<tag …>` of the page with its attributes (entity-decoded, names lower-cased). */
function tags(html: string, tag: string): Attrs[] {
  const out: Attrs[] = [];
  const re = new RegExp(`<${tag}\\b([^>]*)>`, 'gi');
  for (const m of html.matchAll(re)) {
    const attrs: Attrs = {};
    const attrRe = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
    for (const a of (m[1] ?? '').matchAll(attrRe)) {
      const name = (a[1] ?? '').toLowerCase();
      attrs[name] = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
    }
    out.push(attrs);
  }
  return out;
}

interface ConsentForm {
  action: string;
  method: string;
  hidden: Record<string, string>;
  creators: string[];
  scopeBoxes: string[];
  decisions: string[];
}

function consentForm(html: string, base: string): ConsentForm {
  const forms = tags(html, 'form');
  const form = forms.find((f) => (f.method ?? '').toLowerCase() === 'post');
  expect(form, 'a <form method="post"> on the consent page').toBeDefined();
  const inputs = tags(html, 'input');
  const hidden: Record<string, string> = {};
  for (const i of inputs)
    if ((i.type ?? '').toLowerCase() === 'hidden' && i.name) hidden[i.name] = i.value ?? '';
  const creators = inputs
    .filter((i) => (i.type ?? '').toLowerCase() === 'radio' && i.name === 'open_id')
    .map((i) => i.value ?? '');
  const scopeBoxes = inputs
    .filter((i) => (i.type ?? '').toLowerCase() === 'checkbox' && i.name === 'scope_grant')
    .map((i) => i.value ?? '');
  const decisions = [...tags(html, 'button'), ...inputs.filter((i) => (i.type ?? '') === 'submit')]
    .filter((b) => b.name === 'decision')
    .map((b) => b.value ?? '');
  return {
    action: new URL(form?.action ?? '', `${base}${AUTHORIZE}`).toString(),
    method: (form?.method ?? '').toLowerCase(),
    hidden,
    creators,
    scopeBoxes,
    decisions,
  };
}

async function getConsentPage(base: string, url: string): Promise<{ res: HttpResult; form: ConsentForm }> {
  const res = await http(url);
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return { res, form: consentForm(res.text, base) };
}

/** Submits the consent form like a browser: hidden inputs + chosen creator + checked scopes + button. */
async function submitConsent(
  form: ConsentForm,
  choice: {
    open_id?: string;
    scopes?: string[];
    decision: 'approve' | 'deny';
    override?: Record<string, string>;
  },
): Promise<HttpResult> {
  const body = new URLSearchParams();
  const hidden = { ...form.hidden, ...(choice.override ?? {}) };
  for (const [k, v] of Object.entries(hidden)) body.append(k, v);
  if (choice.open_id !== undefined) body.append('open_id', choice.open_id);
  for (const s of choice.scopes ?? form.scopeBoxes) body.append('scope_grant', s);
  body.append('decision', choice.decision);
  return http(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
}

/** The redirect target and its query; asserts it is the registered redirect URI. */
function redirectParams(location: string | null): URLSearchParams {
  expect(location, 'a Location / redirect_to').toBeTruthy();
  const url = new URL(location!);
  expect(url.origin + url.pathname).toBe(REDIRECT_URI);
  return url.searchParams;
}

function rawParam(location: string, name: string): string | undefined {
  const query = location.slice(location.indexOf('?') + 1);
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === name) return part.slice(eq + 1);
  }
  return undefined;
}

async function consentRedirect(
  base: string,
  openId: string,
  approve = true,
  params: Record<string, string | undefined> = {},
): Promise<string> {
  const res = await control<{ redirect_to: string }>(base, 'POST', '/_sandbox/consent', {
    authorize_url: authorizeUrl(base, params),
    open_id: openId,
    approve,
  });
  expect(res.status, res.text).toBe(200);
  expect(typeof res.json.redirect_to).toBe('string');
  return res.json.redirect_to;
}

/** A fresh code for the creator through POST /_sandbox/consent. */
async function consentCode(
  base: string,
  openId: string,
  params: Record<string, string | undefined> = {},
): Promise<string> {
  const q = redirectParams(await consentRedirect(base, openId, true, params));
  const code = q.get('code');
  expect(code).toBeTruthy();
  return code!;
}

async function exchange(
  base: string,
  code: string,
  extra: Record<string, string | undefined> = {},
): Promise<HttpResult<any>> {
  const form: Record<string, string | undefined> = {
    client_key: CLIENT_KEY,
    client_secret: CLIENT_SECRET,
    code,
    grant_type: 'authorization_code',
    redirect_uri: REDIRECT_URI,
    ...extra,
  };
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) if (v !== undefined) clean[k] = v;
  return oauthToken(base, clean);
}

async function refresh(
  base: string,
  refreshToken: string,
  extra: Record<string, string | undefined> = {},
): Promise<HttpResult<any>> {
  const form: Record<string, string | undefined> = {
    client_key: CLIENT_KEY,
    client_secret: CLIENT_SECRET,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    ...extra,
  };
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) if (v !== undefined) clean[k] = v;
  return oauthToken(base, clean);
}

async function revoke(base: string, form: Record<string, string>): Promise<HttpResult<any>> {
  return http(base + REVOKE, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** Creator + tokens obtained through the real code flow (consent → /v2/oauth/token/). */
async function connectedCreator(
  base: string,
  scope = SCOPES,
): Promise<{ openId: string; tokens: TokenResponse }> {
  const creator = await createCreator(base, { private_account: true });
  const code = await consentCode(base, creator.open_id, { scope });
  const res = await exchange(base, code);
  expect(res.status, res.text).toBe(200);
  return { openId: creator.open_id, tokens: res.json as TokenResponse };
}

async function listTokens(base: string, openId: string): Promise<ListedToken[]> {
  const res = await control<{ data: ListedToken[] }>(
    base,
    'GET',
    `/_sandbox/creators/${encodeURIComponent(openId)}/tokens`,
  );
  expect(res.status, res.text).toBe(200);
  expect(Array.isArray(res.json.data)).toBe(true);
  return res.json.data;
}

function stateOf(list: ListedToken[], token: string): string | undefined {
  return list.find((t) => t.token === token)?.state;
}

async function creatorInfo(base: string, token: string): Promise<HttpResult<Envelope>> {
  return tiktokPost<Envelope>(base, CREATOR_INFO, token);
}

function expectAccessTokenInvalid(res: HttpResult<Envelope>): void {
  expect({ status: res.status, code: res.json?.error?.code }).toEqual({
    status: 401,
    code: 'access_token_invalid',
  });
  expect(res.json).not.toHaveProperty('data');
}

/** §7.2 / §7.6: {error, error_description, log_id}, HTTP 400 (oauthErrorStatus default). */
function expectOAuthError(res: HttpResult<any>, error: string, status = 400): void {
  expect({ status: res.status, error: (res.json as OAuthError | undefined)?.error }, res.text).toEqual({
    status,
    error,
  });
  const body = res.json as OAuthError;
  expect(sorted(Object.keys(body))).toEqual(['error', 'error_description', 'log_id']);
  expect(typeof body.error_description).toBe('string');
  expect(body.error_description.length).toBeGreaterThan(0);
  expect(body.log_id).toMatch(LOG_ID);
  expect(body).not.toHaveProperty('access_token');
}

function expectTokenResponse(res: HttpResult<any>, openId: string, scope: string): TokenResponse {
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = res.json as TokenResponse;
  expect(sorted(Object.keys(body))).toEqual(TOKEN_FIELDS);
  expect(body.access_token).toMatch(/^act\.\S+$/);
  expect(body.refresh_token).toMatch(/^rft\.\S+$/);
  expect(body.token_type).toBe('Bearer');
  expect(body.open_id).toBe(openId);
  expect(typeof body.scope).toBe('string');
  expect(sorted(body.scope.split(','))).toEqual(sorted(scope.split(',')));
  expect(Number.isInteger(body.expires_in)).toBe(true);
  expect(Number.isInteger(body.refresh_expires_in)).toBe(true);
  return body;
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

const VERIFIER = 'Abc-._~0123456789abcdefghijklmnopqrstuvwxyzABCDEF'; // 49 chars of [A-Za-z0-9-._~]

// =============================================================================================

describe('OAuth on the default app', () => {
  const sb = useSandbox();

  // -------------------------------------------------------------------------------------------
  describe('§7.1 authorize page: validation', () => {
    it('§7.1 unknown client_key → 400 HTML error page, no redirect', async () => {
      const res = await http(authorizeUrl(sb.url, { client_key: 'no-such-client' }));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
      expect(res.headers.get('location')).toBeNull();
    });

    it('§7.1 missing client_key → 400 HTML error page, no redirect', async () => {
      const res = await http(authorizeUrl(sb.url, { client_key: undefined }));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
      expect(res.headers.get('location')).toBeNull();
    });

    it('§7.1 unregistered redirect_uri → 400 HTML error page, never a redirect to it', async () => {
      for (const redirect_uri of [
        'https://evil.example.com/callback',
        'http://localhost:3000/tiktok/oauth/other',
        `${REDIRECT_URI}?x=1`,
        `${REDIRECT_URI}/`,
      ]) {
        const res = await http(authorizeUrl(sb.url, { redirect_uri }));
        expect(res.status, redirect_uri).toBe(400);
        expect(res.headers.get('content-type') ?? '', redirect_uri).toMatch(/^text\/html/);
        expect(res.headers.get('location'), redirect_uri).toBeNull();
      }
    });

    it('§7.1 missing redirect_uri → 400 HTML error page', async () => {
      const res = await http(authorizeUrl(sb.url, { redirect_uri: undefined }));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
      expect(res.headers.get('location')).toBeNull();
    });

    it('§7.1/§7.6 response_type other than "code" → redirect with error=unsupported_response_type and state', async () => {
      const res = await http(authorizeUrl(sb.url, { response_type: 'token', state: 'keep-me' }));
      expect(res.status).toBe(302);
      const q = redirectParams(res.headers.get('location'));
      expect(q.get('error')).toBe('unsupported_response_type');
      expect(q.get('state')).toBe('keep-me');
      expect(q.get('code')).toBeNull();
    });

    it('§7.1/§7.6 an unknown scope → redirect with error=invalid_scope and state', async () => {
      const res = await http(authorizeUrl(sb.url, { scope: 'user.info.basic,video.delete', state: 's1' }));
      expect(res.status).toBe(302);
      const q = redirectParams(res.headers.get('location'));
      expect(q.get('error')).toBe('invalid_scope');
      expect(q.get('state')).toBe('s1');
      expect(q.get('code')).toBeNull();
    });

    it('§7.1 scopes are comma-separated: a space-separated list is not understood (invalid_scope)', async () => {
      const res = await http(authorizeUrl(sb.url, { scope: 'user.info.basic video.publish' }));
      expect(res.status).toBe(302);
      const q = redirectParams(res.headers.get('location'));
      expect(q.get('error')).toBe('invalid_scope');
    });

    it('§7.1 code_challenge_method other than S256 is refused (no consent page)', async () => {
      const res = await http(
        authorizeUrl(sb.url, { code_challenge: VERIFIER, code_challenge_method: 'plain' }),
      );
      expect(res.status).not.toBe(200);
      if (res.status === 302) {
        expect(redirectParams(res.headers.get('location')).get('error')).toBeTruthy();
      } else {
        expect(res.status).toBe(400);
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('§7.1 authorize page: consent', () => {
    it('§7.1 renders a consent page listing the creators, the requested scopes and the authorize parameters', async () => {
      const a = await createCreator(sb.url, { nickname: 'Alpha Creator', username: 'alpha.one' });
      const b = await createCreator(sb.url, { nickname: 'Beta Creator', username: 'beta.two' });
      const { res, form } = await getConsentPage(sb.url, authorizeUrl(sb.url, { state: 'xyz' }));
      expect(res.headers.get('content-type') ?? '').toMatch(/^text\/html/);
      expect(res.text).toContain('Alpha Creator');
      expect(res.text).toContain('Beta Creator');
      expect(sorted(form.creators)).toEqual(sorted([a.open_id, b.open_id]));
      expect(sorted(form.scopeBoxes)).toEqual(['user.info.basic', 'video.publish']);
      expect(form.hidden).toMatchObject({
        client_key: CLIENT_KEY,
        scope: SCOPES,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        state: 'xyz',
      });
      expect(form.method).toBe('post');
      expect(new URL(form.action).pathname).toBe(AUTHORIZE);
      expect(sorted(form.decisions)).toEqual(['approve', 'deny']);
    });

    it('§7.1 the page escapes creator names and the state (no HTML injection)', async () => {
      const evil = '<img src=x onerror=alert(1)>';
      const state = '"><script>alert(2)</script>';
      await createCreator(sb.url, { nickname: evil });
      const { res, form } = await getConsentPage(sb.url, authorizeUrl(sb.url, { state }));
      expect(res.text).not.toContain(evil);
      expect(res.text).not.toContain('<script>alert(2)</script>');
      expect(form.hidden.state).toBe(state);
    });

    it('§7.1 approving the form → 302 to redirect_uri with code, scopes and state; the code yields that creator', async () => {
      await createCreator(sb.url, { nickname: 'First' });
      const chosen = await createCreator(sb.url, { nickname: 'Second' });
      const state = 'a b&c=d/é';
      const { form } = await getConsentPage(sb.url, authorizeUrl(sb.url, { state }));
      const res = await submitConsent(form, { open_id: chosen.open_id, decision: 'approve' });
      expect(res.status).toBe(302);
      const q = redirectParams(res.headers.get('location'));
      expect(sorted(q.keys())).toEqual(['code', 'scopes', 'state']);
      expect(q.get('state')).toBe(state);
      expect(sorted((q.get('scopes') ?? '').split(','))).toEqual(['user.info.basic', 'video.publish']);
      const tokens = await exchange(sb.url, q.get('code')!);
      expectTokenResponse(tokens, chosen.open_id, SCOPES);
    });

    it('§7.1 denying the form → 302 with error=access_denied, error_description and state, no code', async () => {
      const c = await createCreator(sb.url);
      const { form } = await getConsentPage(sb.url, authorizeUrl(sb.url, { state: 'deny-state' }));
      const res = await submitConsent(form, { open_id: c.open_id, decision: 'deny' });
      expect(res.status).toBe(302);
      const q = redirectParams(res.headers.get('location'));
      expect(q.get('error')).toBe('access_denied');
      expect((q.get('error_description') ?? '').length).toBeGreaterThan(0);
      expect(q.get('state')).toBe('deny-state');
      expect(q.get('code')).toBeNull();
    });

    it('§7.1/§3.2 a partial grant returns only the granted scopes, and the token is limited to them', async () => {
      const c = await createCreator(sb.url, { private_account: true });
      const { form } = await getConsentPage(sb.url, authorizeUrl(sb.url));
      const res = await submitConsent(form, {
        open_id: c.open_id,
        scopes: ['user.info.basic'],
        decision: 'approve',
      });
      expect(res.status).toBe(302);
      const q = redirectParams(res.headers.get('location'));
      expect(q.get('scopes')).toBe('user.info.basic');
      const tokens = expectTokenResponse(
        await exchange(sb.url, q.get('code')!),
        c.open_id,
        'user.info.basic',
      );
      const info = await creatorInfo(sb.url, tokens.access_token);
      expect({ status: info.status, code: info.json?.error?.code }).toEqual({
        status: 401,
        code: 'scope_not_authorized',
      });
    });

    it('§7.1/§3.2 the form cannot grant a scope that was not requested', async () => {
      const c = await createCreator(sb.url);
      const { form } = await getConsentPage(sb.url, authorizeUrl(sb.url, { scope: 'user.info.basic' }));
      const res = await submitConsent(form, {
        open_id: c.open_id,
        scopes: ['user.info.basic', 'video.publish'],
        decision: 'approve',
      });
      const location = res.headers.get('location');
      if (res.status === 302 && location && new URL(location).searchParams.get('code')) {
        const q = new URL(location).searchParams;
        expect((q.get('scopes') ?? '').split(',')).not.toContain('video.publish');
        const tokens = await exchange(sb.url, q.get('code')!);
        expect(tokens.status).toBe(200);
        expect((tokens.json as TokenResponse).scope.split(',')).not.toContain('video.publish');
      } else {
        expect([302, 400]).toContain(res.status);
      }
    });

    it('§7.1 the form POST re-validates redirect_uri: a tampered one → 400, never a redirect', async () => {
      const c = await createCreator(sb.url);
      const { form } = await getConsentPage(sb.url, authorizeUrl(sb.url));
      const res = await submitConsent(form, {
        open_id: c.open_id,
        decision: 'approve',
        override: { redirect_uri: 'https://evil.example.com/cb' },
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    });

    it('§7.1 PKCE: the page carries code_challenge; the code needs the verifier whose hex SHA-256 is the challenge', async () => {
      const c = await createCreator(sb.url);
      const challenge = sha256Hex(VERIFIER);
      const url = authorizeUrl(sb.url, { code_challenge: challenge, code_challenge_method: 'S256' });
      const { form } = await getConsentPage(sb.url, url);
      expect(form.hidden).toMatchObject({ code_challenge: challenge, code_challenge_method: 'S256' });
      const res = await submitConsent(form, { open_id: c.open_id, decision: 'approve' });
      expect(res.status).toBe(302);
      const code = redirectParams(res.headers.get('location')).get('code')!;
      expectTokenResponse(await exchange(sb.url, code, { code_verifier: VERIFIER }), c.open_id, SCOPES);
    });

    it('§7.1 PKCE: a missing or wrong code_verifier → invalid_grant', async () => {
      const c = await createCreator(sb.url);
      const params = { code_challenge: sha256Hex(VERIFIER), code_challenge_method: 'S256' };
      const missing = await exchange(sb.url, await consentCode(sb.url, c.open_id, params));
      expectOAuthError(missing, 'invalid_grant');
      const wrong = await exchange(sb.url, await consentCode(sb.url, c.open_id, params), {
        code_verifier: `${VERIFIER}x`,
      });
      expectOAuthError(wrong, 'invalid_grant');
    });

    it('§7.1 PKCE: the challenge is hex-encoded, not RFC 7636 base64url', async () => {
      const c = await createCreator(sb.url);
      const b64url = createHash('sha256').update(VERIFIER).digest('base64url');
      const q = redirectParams(
        await consentRedirect(sb.url, c.open_id, true, {
          code_challenge: b64url,
          code_challenge_method: 'S256',
        }),
      );
      const code = q.get('code');
      if (code === null) {
        // Refusing a non-hex challenge at authorize is also conformant.
        expect(q.get('error')).toBeTruthy();
      } else {
        expectOAuthError(await exchange(sb.url, code, { code_verifier: VERIFIER }), 'invalid_grant');
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('§7.1/§7.2 POST /_sandbox/consent and authorization codes', () => {
    it('(arch §6) approve produces exactly what the consent page would: redirect_uri?code&scopes&state', async () => {
      const c = await createCreator(sb.url);
      const state = 'same-state';
      const fromControl = await consentRedirect(sb.url, c.open_id, true, { state });
      const { form } = await getConsentPage(sb.url, authorizeUrl(sb.url, { state }));
      const page = await submitConsent(form, { open_id: c.open_id, decision: 'approve' });
      expect(page.status).toBe(302);
      const a = redirectParams(fromControl);
      const b = redirectParams(page.headers.get('location'));
      expect(sorted(a.keys())).toEqual(['code', 'scopes', 'state']);
      expect(sorted(a.keys())).toEqual(sorted(b.keys()));
      expect(a.get('scopes')).toBe(b.get('scopes'));
      expect(a.get('state')).toBe(state);
      expect(b.get('state')).toBe(state);
      expect(a.get('code')).not.toBe(b.get('code'));
      expectTokenResponse(await exchange(sb.url, a.get('code')!), c.open_id, SCOPES);
      expectTokenResponse(await exchange(sb.url, b.get('code')!), c.open_id, SCOPES);
    });

    it('(arch §6) approve:false produces what "deny" would: error=access_denied, error_description, state', async () => {
      const c = await createCreator(sb.url);
      const fromControl = redirectParams(await consentRedirect(sb.url, c.open_id, false, { state: 'd' }));
      const { form } = await getConsentPage(sb.url, authorizeUrl(sb.url, { state: 'd' }));
      const page = await submitConsent(form, { open_id: c.open_id, decision: 'deny' });
      const fromPage = redirectParams(page.headers.get('location'));
      expect(sorted(fromControl.keys())).toEqual(['error', 'error_description', 'state']);
      expect(sorted(fromPage.keys())).toEqual(['error', 'error_description', 'state']);
      expect(fromControl.get('error')).toBe('access_denied');
      expect(fromControl.get('error_description')).toBe(fromPage.get('error_description'));
      expect(fromControl.get('state')).toBe('d');
    });

    it('§7.2 codes contain "!" and "*" and arrive percent-encoded: only the URL-decoded code works', async () => {
      const c = await createCreator(sb.url);
      const location = await consentRedirect(sb.url, c.open_id);
      const decoded = redirectParams(location).get('code')!;
      const raw = rawParam(location, 'code')!;
      expect(decoded).toContain('!');
      expect(decoded).toContain('*');
      expect(raw).not.toBe(decoded);
      expectOAuthError(await exchange(sb.url, raw), 'invalid_grant');
      expectTokenResponse(await exchange(sb.url, decoded), c.open_id, SCOPES);
    });

    it('§7.2/§7.6 a code is single use: the second exchange → invalid_grant', async () => {
      const c = await createCreator(sb.url);
      const code = await consentCode(sb.url, c.open_id);
      expectTokenResponse(await exchange(sb.url, code), c.open_id, SCOPES);
      expectOAuthError(await exchange(sb.url, code), 'invalid_grant');
    });

    it('§7.2 a code is bound to redirect_uri: another one → invalid_request "Redirect_uri is not matched…"', async () => {
      const c = await createCreator(sb.url);
      const code = await consentCode(sb.url, c.open_id);
      const res = await exchange(sb.url, code, { redirect_uri: 'http://localhost:3000/other/callback' });
      expectOAuthError(res, 'invalid_request');
      expect((res.json as OAuthError).error_description).toBe(REDIRECT_MISMATCH);
    });

    it('§7.2/§7.6 a code is bound to client_key: another key → invalid_client', async () => {
      const c = await createCreator(sb.url);
      const code = await consentCode(sb.url, c.open_id);
      expectOAuthError(await exchange(sb.url, code, { client_key: 'another-client-key' }), 'invalid_client');
    });

    it('§7.2/§7.6 a code expires after codeTtl (600 s) → invalid_grant', async () => {
      const c = await createCreator(sb.url);
      const early = await consentCode(sb.url, c.open_id);
      const late = await consentCode(sb.url, c.open_id);
      await advanceClock(sb.url, 590);
      expectTokenResponse(await exchange(sb.url, early), c.open_id, SCOPES);
      await advanceClock(sb.url, 20);
      expectOAuthError(await exchange(sb.url, late), 'invalid_grant');
    });

    it('§7.6 an unknown code → invalid_grant', async () => {
      expectOAuthError(await exchange(sb.url, 'not-a-real-code*0!1234.va'), 'invalid_grant');
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('§7.2 token endpoint: authorization_code', () => {
    it('§7.2 success body is flat: the seven documented fields with their types, act./rft. prefixes, Bearer', async () => {
      const c = await createCreator(sb.url);
      const res = await exchange(sb.url, await consentCode(sb.url, c.open_id));
      const body = expectTokenResponse(res, c.open_id, SCOPES);
      expect(res.json).not.toHaveProperty('data');
      expect(res.json).not.toHaveProperty('error');
      expect(body.scope).toBe(SCOPES);
      expect(body.access_token).not.toBe(body.refresh_token);
    });

    it('§7.4 default lifetimes: expires_in 7200 and refresh_expires_in 15552000 at issuance', async () => {
      const c = await createCreator(sb.url);
      const body = expectTokenResponse(
        await exchange(sb.url, await consentCode(sb.url, c.open_id)),
        c.open_id,
        SCOPES,
      );
      expect(body.expires_in).toBe(7200);
      expect(body.refresh_expires_in).toBe(15_552_000);
    });

    it('§7.2 every exchange issues distinct tokens', async () => {
      const c = await createCreator(sb.url);
      const a = expectTokenResponse(
        await exchange(sb.url, await consentCode(sb.url, c.open_id)),
        c.open_id,
        SCOPES,
      );
      const b = expectTokenResponse(
        await exchange(sb.url, await consentCode(sb.url, c.open_id)),
        c.open_id,
        SCOPES,
      );
      expect(a.access_token).not.toBe(b.access_token);
      expect(a.refresh_token).not.toBe(b.refresh_token);
    });

    it('§7.6 wrong client_secret → invalid_client (400)', async () => {
      const c = await createCreator(sb.url);
      const code = await consentCode(sb.url, c.open_id);
      expectOAuthError(await exchange(sb.url, code, { client_secret: 'wrong-secret' }), 'invalid_client');
    });

    it('§7.6 unknown client_key → invalid_client (400)', async () => {
      const c = await createCreator(sb.url);
      const code = await consentCode(sb.url, c.open_id);
      expectOAuthError(await exchange(sb.url, code, { client_key: 'unknownkey000' }), 'invalid_client');
    });

    it('§7.6 missing code → invalid_request (400)', async () => {
      expectOAuthError(await exchange(sb.url, '', { code: undefined }), 'invalid_request');
    });

    it('§7.2/§7.6 missing redirect_uri on authorization_code → invalid_request (400)', async () => {
      const c = await createCreator(sb.url);
      const code = await consentCode(sb.url, c.open_id);
      expectOAuthError(await exchange(sb.url, code, { redirect_uri: undefined }), 'invalid_request');
    });

    it('§7.2 a JSON body (not application/x-www-form-urlencoded) → invalid_request (400)', async () => {
      const c = await createCreator(sb.url);
      const code = await consentCode(sb.url, c.open_id);
      const res = await http(`${sb.url}/v2/oauth/token/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_key: CLIENT_KEY,
          client_secret: CLIENT_SECRET,
          code,
          grant_type: 'authorization_code',
          redirect_uri: REDIRECT_URI,
        }),
      });
      expectOAuthError(res, 'invalid_request');
    });

    it('§7.6 unknown grant_type → unsupported_grant_type (400)', async () => {
      const res = await oauthToken(sb.url, {
        client_key: CLIENT_KEY,
        client_secret: CLIENT_SECRET,
        grant_type: 'password',
        username: 'u',
        password: 'p',
      });
      expectOAuthError(res, 'unsupported_grant_type');
    });

    it('§7.2/§2.0 error log_id values are unique per request', async () => {
      const a = await exchange(sb.url, 'nope-1');
      const b = await exchange(sb.url, 'nope-2');
      expectOAuthError(a, 'invalid_grant');
      expectOAuthError(b, 'invalid_grant');
      expect((a.json as OAuthError).log_id).not.toBe((b.json as OAuthError).log_id);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('§7.3 token endpoint: refresh_token', () => {
    it('§7.3 refresh returns the same flat shape with a new access and a new refresh token', async () => {
      const { openId, tokens } = await connectedCreator(sb.url);
      const res = await refresh(sb.url, tokens.refresh_token);
      const next = expectTokenResponse(res, openId, SCOPES);
      expect(next.access_token).not.toBe(tokens.access_token);
      expect(next.refresh_token).not.toBe(tokens.refresh_token);
      expect(next.expires_in).toBe(7200);
    });

    it('§7.3 rotates the refresh token: the old one fails with invalid_grant and is listed as "rotated"', async () => {
      const { openId, tokens } = await connectedCreator(sb.url);
      const next = expectTokenResponse(await refresh(sb.url, tokens.refresh_token), openId, SCOPES);
      expectOAuthError(await refresh(sb.url, tokens.refresh_token), 'invalid_grant');
      const list = await listTokens(sb.url, openId);
      expect(stateOf(list, tokens.refresh_token)).toBe('rotated');
      expect(stateOf(list, next.refresh_token)).toBe('active');
      expect(stateOf(list, next.access_token)).toBe('active');
      expect(list.find((t) => t.token === next.refresh_token)?.type).toBe('refresh');
      expect(list.find((t) => t.token === next.access_token)?.type).toBe('access');
      // The rotated chain keeps working.
      expectTokenResponse(await refresh(sb.url, next.refresh_token), openId, SCOPES);
    });

    it('§7.3 (decision) the old access token keeps working until its own expiry after a refresh', async () => {
      const { openId, tokens } = await connectedCreator(sb.url);
      const next = expectTokenResponse(await refresh(sb.url, tokens.refresh_token), openId, SCOPES);
      expect((await creatorInfo(sb.url, tokens.access_token)).status).toBe(200);
      expect((await creatorInfo(sb.url, next.access_token)).status).toBe(200);
      expect(stateOf(await listTokens(sb.url, openId), tokens.access_token)).toBe('active');
    });

    it('§7.3 refresh needs no consent and keeps the granted scope', async () => {
      const { openId, tokens } = await connectedCreator(sb.url, 'user.info.basic');
      const next = expectTokenResponse(
        await refresh(sb.url, tokens.refresh_token),
        openId,
        'user.info.basic',
      );
      expect(next.scope).toBe('user.info.basic');
    });

    it('§7.4 refresh_expires_in is the remaining lifetime, fixed from the first issuance', async () => {
      const { openId, tokens } = await connectedCreator(sb.url);
      expect(tokens.refresh_expires_in).toBe(15_552_000);
      await advanceClock(sb.url, 86_400);
      const next = expectTokenResponse(await refresh(sb.url, tokens.refresh_token), openId, SCOPES);
      expect(next.expires_in).toBe(7200);
      expect(Math.abs(next.refresh_expires_in - (15_552_000 - 86_400))).toBeLessThanOrEqual(2);
      // Past the first issuance + 180 days, even the freshly rotated refresh token is dead.
      await advanceClock(sb.url, 15_552_000 - 86_400 + 10);
      expectOAuthError(await refresh(sb.url, next.refresh_token), 'invalid_grant');
    });

    it('§7.4/§7.6 an expired refresh token → invalid_grant', async () => {
      const { tokens } = await connectedCreator(sb.url);
      await advanceClock(sb.url, 15_552_000 + 1);
      expectOAuthError(await refresh(sb.url, tokens.refresh_token), 'invalid_grant');
    });

    it('§7.4 an expired access token → 401 access_token_invalid at a content endpoint, listed as "expired"', async () => {
      const { openId, tokens } = await connectedCreator(sb.url);
      await advanceClock(sb.url, 7190);
      expect((await creatorInfo(sb.url, tokens.access_token)).status).toBe(200);
      await advanceClock(sb.url, 11);
      expectAccessTokenInvalid(await creatorInfo(sb.url, tokens.access_token));
      expect(stateOf(await listTokens(sb.url, openId), tokens.access_token)).toBe('expired');
      // The refresh token still works and its new access token is valid.
      const next = (await refresh(sb.url, tokens.refresh_token)).json as TokenResponse;
      expect((await creatorInfo(sb.url, next.access_token)).status).toBe(200);
    });

    it('§7.6 an access token used as refresh_token, or an unknown one → invalid_grant', async () => {
      const { tokens } = await connectedCreator(sb.url);
      expectOAuthError(await refresh(sb.url, tokens.access_token), 'invalid_grant');
      expectOAuthError(await refresh(sb.url, 'rft.doesnotexist'), 'invalid_grant');
    });

    it('§7.3/§7.6 refresh with a wrong client_secret or client_key → invalid_client; the token is not consumed', async () => {
      const { openId, tokens } = await connectedCreator(sb.url);
      expectOAuthError(
        await refresh(sb.url, tokens.refresh_token, { client_secret: 'nope' }),
        'invalid_client',
      );
      expectOAuthError(await refresh(sb.url, tokens.refresh_token, { client_key: 'nope' }), 'invalid_client');
      expectTokenResponse(await refresh(sb.url, tokens.refresh_token), openId, SCOPES);
    });

    it('§7.3/§12.10 sending client_id instead of client_key fails (invalid_request or invalid_client)', async () => {
      const { tokens } = await connectedCreator(sb.url);
      const res = await oauthToken(sb.url, {
        client_id: CLIENT_KEY,
        client_secret: CLIENT_SECRET,
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token,
      });
      expect(res.status).toBe(400);
      expect(['invalid_request', 'invalid_client']).toContain((res.json as OAuthError).error);
    });

    it('§7.6 missing refresh_token → invalid_request', async () => {
      expectOAuthError(await refresh(sb.url, '', { refresh_token: undefined }), 'invalid_request');
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('§7.5 revoke', () => {
    it('§7.5 revoke → 200 {}; every token of that creator dies and is listed as "revoked"', async () => {
      const { openId, tokens } = await connectedCreator(sb.url);
      const second = await issueToken(sb.url, openId, SCOPES);
      const res = await revoke(sb.url, {
        client_key: CLIENT_KEY,
        client_secret: CLIENT_SECRET,
        token: tokens.access_token,
      });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual({});
      for (const access of [tokens.access_token, second.access_token]) {
        expectAccessTokenInvalid(await creatorInfo(sb.url, access));
      }
      expectOAuthError(await refresh(sb.url, tokens.refresh_token), 'invalid_grant');
      expectOAuthError(await refresh(sb.url, second.refresh_token), 'invalid_grant');
      const list = await listTokens(sb.url, openId);
      expect(list.length).toBeGreaterThanOrEqual(4);
      for (const t of [
        tokens.access_token,
        tokens.refresh_token,
        second.access_token,
        second.refresh_token,
      ]) {
        expect(stateOf(list, t), t).toBe('revoked');
      }
      expect(list.every((t) => t.state === 'revoked')).toBe(true);
    });

    it('§7.5 revoke leaves other creators’ tokens alone', async () => {
      const a = await connectedCreator(sb.url);
      const b = await connectedCreator(sb.url);
      const res = await revoke(sb.url, {
        client_key: CLIENT_KEY,
        client_secret: CLIENT_SECRET,
        token: a.tokens.access_token,
      });
      expect(res.status).toBe(200);
      expect((await creatorInfo(sb.url, b.tokens.access_token)).status).toBe(200);
      expectTokenResponse(await refresh(sb.url, b.tokens.refresh_token), b.openId, SCOPES);
    });

    it('§7.5/§7.6 an unknown token → invalid_request (400)', async () => {
      const res = await revoke(sb.url, {
        client_key: CLIENT_KEY,
        client_secret: CLIENT_SECRET,
        token: 'act.unknown-token',
      });
      expectOAuthError(res, 'invalid_request');
    });

    it('§7.5/§7.6 missing token → invalid_request (400)', async () => {
      const res = await revoke(sb.url, { client_key: CLIENT_KEY, client_secret: CLIENT_SECRET });
      expectOAuthError(res, 'invalid_request');
    });

    it('§7.5/§7.6 wrong client_secret → invalid_client (400) and the token survives', async () => {
      const { tokens } = await connectedCreator(sb.url);
      const res = await revoke(sb.url, {
        client_key: CLIENT_KEY,
        client_secret: 'wrong',
        token: tokens.access_token,
      });
      expectOAuthError(res, 'invalid_client');
      expect((await creatorInfo(sb.url, tokens.access_token)).status).toBe(200);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('(arch §6) control route POST /_sandbox/creators/:open_id/tokens', () => {
    it('(arch §6) without scope → 201 with the token response fields and every approved scope', async () => {
      const c = await createCreator(sb.url);
      const res = await control<TokenResponse>(
        sb.url,
        'POST',
        `/_sandbox/creators/${encodeURIComponent(c.open_id)}/tokens`,
        {},
      );
      expect(res.status).toBe(201);
      const body = res.json;
      expect(sorted(Object.keys(body))).toEqual(TOKEN_FIELDS);
      expect(body.access_token).toMatch(/^act\./);
      expect(body.refresh_token).toMatch(/^rft\./);
      expect(body.token_type).toBe('Bearer');
      expect(body.open_id).toBe(c.open_id);
      expect(body.expires_in).toBe(7200);
      expect(body.refresh_expires_in).toBe(15_552_000);
      expect(sorted(body.scope.split(','))).toEqual(sorted(ALL_SCOPES));
    });

    it('(arch §6) with scope → that scope only, enforced at content endpoints, listed as active', async () => {
      const c = await createCreator(sb.url, { private_account: true });
      const narrow = await issueToken(sb.url, c.open_id, 'user.info.basic');
      expect(narrow.scope).toBe('user.info.basic');
      const wide = await issueToken(sb.url, c.open_id, 'user.info.basic,video.publish');
      expect(sorted(wide.scope.split(','))).toEqual(['user.info.basic', 'video.publish']);
      const denied = await creatorInfo(sb.url, narrow.access_token);
      expect({ status: denied.status, code: denied.json?.error?.code }).toEqual({
        status: 401,
        code: 'scope_not_authorized',
      });
      expect((await creatorInfo(sb.url, wide.access_token)).status).toBe(200);
      const list = await listTokens(sb.url, c.open_id);
      const access = list.find((t) => t.token === narrow.access_token);
      expect(access).toMatchObject({ type: 'access', state: 'active', scope: 'user.info.basic' });
      expect(stateOf(list, wide.refresh_token)).toBe('active');
    });

    it('(arch §6) its refresh token works at /v2/oauth/token/ like any other', async () => {
      const c = await createCreator(sb.url);
      const t = await issueToken(sb.url, c.open_id, SCOPES);
      expectTokenResponse(await refresh(sb.url, t.refresh_token), c.open_id, SCOPES);
    });

    it('(arch §6) unknown creator → 404', async () => {
      const res = await control(sb.url, 'POST', '/_sandbox/creators/no-such-open-id/tokens', {});
      expect(res.status).toBe(404);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('(arch §6) faults on the token and revoke endpoints', () => {
    it('(arch §6) a token fault answers 503 server_error in the OAuth body shape, once; the code survives', async () => {
      const c = await createCreator(sb.url);
      const code = await consentCode(sb.url, c.open_id);
      await addFault(sb.url, { endpoint: 'token', http_status: 503, error_code: 'server_error' });
      const failed = await exchange(sb.url, code);
      expectOAuthError(failed, 'server_error', 503);
      expectTokenResponse(await exchange(sb.url, code), c.open_id, SCOPES);
    });

    it('(arch §6) count: 2 fails exactly two requests', async () => {
      const { openId, tokens } = await connectedCreator(sb.url);
      await addFault(sb.url, {
        endpoint: 'token',
        http_status: 503,
        error_code: 'temporarily_unavailable',
        count: 2,
      });
      expectOAuthError(await refresh(sb.url, tokens.refresh_token), 'temporarily_unavailable', 503);
      expectOAuthError(await refresh(sb.url, tokens.refresh_token), 'temporarily_unavailable', 503);
      expectTokenResponse(await refresh(sb.url, tokens.refresh_token), openId, SCOPES);
    });

    it('(arch §6) reset: true drops the connection (fetch rejects), then the endpoint recovers', async () => {
      const { openId, tokens } = await connectedCreator(sb.url);
      await addFault(sb.url, { endpoint: 'token', reset: true });
      await expect(refresh(sb.url, tokens.refresh_token)).rejects.toThrow();
      expectTokenResponse(await refresh(sb.url, tokens.refresh_token), openId, SCOPES);
    });

    it('(decision) a 5xx fault without error_code answers a non-JSON body', async () => {
      const { tokens } = await connectedCreator(sb.url);
      await addFault(sb.url, { endpoint: 'token', http_status: 502 });
      const res = await refresh(sb.url, tokens.refresh_token);
      expect(res.status).toBe(502);
      expect(res.json).toBeUndefined();
      expect(res.text.length).toBeGreaterThan(0);
    });

    it('(arch §6) delay_ms alone only delays the answer', async () => {
      const { openId, tokens } = await connectedCreator(sb.url);
      await addFault(sb.url, { endpoint: 'token', delay_ms: 400 });
      const t0 = Date.now();
      const res = await refresh(sb.url, tokens.refresh_token);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
      expectTokenResponse(res, openId, SCOPES);
    });

    it('(arch §6) a revoke fault fails the revoke and the token stays alive', async () => {
      const { tokens } = await connectedCreator(sb.url);
      await addFault(sb.url, { endpoint: 'revoke', http_status: 500, error_code: 'server_error' });
      const res = await revoke(sb.url, {
        client_key: CLIENT_KEY,
        client_secret: CLIENT_SECRET,
        token: tokens.access_token,
      });
      expectOAuthError(res, 'server_error', 500);
      expect((await creatorInfo(sb.url, tokens.access_token)).status).toBe(200);
    });

    it('(arch §6) a token fault does not touch other endpoints', async () => {
      const { tokens } = await connectedCreator(sb.url);
      await addFault(sb.url, { endpoint: 'token', http_status: 503, error_code: 'server_error' });
      expect((await creatorInfo(sb.url, tokens.access_token)).status).toBe(200);
      expectOAuthError(await refresh(sb.url, tokens.refresh_token), 'server_error', 503);
    });
  });
});

// =============================================================================================

describe('§7.4 token lifetimes follow accessTtl / refreshTtl', () => {
  const sb = useSandbox({ accessTtl: 60, refreshTtl: 300 });

  it('§7.4 expires_in / refresh_expires_in report the configured lifetimes at issuance', async () => {
    const { openId, tokens } = await connectedCreator(sb.url);
    expect(tokens.expires_in).toBe(60);
    expect(tokens.refresh_expires_in).toBe(300);
    const viaControl = await issueToken(sb.url, openId, SCOPES);
    expect(viaControl.expires_in).toBe(60);
    expect(viaControl.refresh_expires_in).toBe(300);
  });

  it('§7.4 the access token dies after accessTtl; the refresh reports the remaining refresh lifetime', async () => {
    const { openId, tokens } = await connectedCreator(sb.url);
    await advanceClock(sb.url, 61);
    expectAccessTokenInvalid(await creatorInfo(sb.url, tokens.access_token));
    const next = expectTokenResponse(await refresh(sb.url, tokens.refresh_token), openId, SCOPES);
    expect(next.expires_in).toBe(60);
    expect(Math.abs(next.refresh_expires_in - (300 - 61))).toBeLessThanOrEqual(2);
    expect((await creatorInfo(sb.url, next.access_token)).status).toBe(200);
  });

  it('§7.4 the refresh token dies refreshTtl after the first issuance, rotated or not', async () => {
    const { openId, tokens } = await connectedCreator(sb.url);
    await advanceClock(sb.url, 200);
    const next = expectTokenResponse(await refresh(sb.url, tokens.refresh_token), openId, SCOPES);
    await advanceClock(sb.url, 101);
    expectOAuthError(await refresh(sb.url, next.refresh_token), 'invalid_grant');
    const list = await listTokens(sb.url, openId);
    expect(stateOf(list, next.refresh_token)).toBe('expired');
  });
});

describe('§7.1/§7.2 an app with two redirect URIs and two approved scopes', () => {
  const OTHER_URI = 'http://127.0.0.1:3000/other/callback';
  const sb = useSandbox({
    redirectUri: [REDIRECT_URI, OTHER_URI],
    scopes: ['user.info.basic', 'video.publish'],
  });

  it('§7.1/§3.2 a scope the app is not approved for → redirect with error=invalid_scope', async () => {
    const res = await http(authorizeUrl(sb.url, { scope: 'user.info.basic,video.upload', state: 'q' }));
    expect(res.status).toBe(302);
    const q = redirectParams(res.headers.get('location'));
    expect(q.get('error')).toBe('invalid_scope');
    expect(q.get('state')).toBe('q');
  });

  it('§7.1 an approved scope list renders the consent page', async () => {
    await createCreator(sb.url);
    const { form } = await getConsentPage(sb.url, authorizeUrl(sb.url));
    expect(sorted(form.scopeBoxes)).toEqual(['user.info.basic', 'video.publish']);
  });

  it('§7.1 the second registered redirect URI is accepted and is where the browser goes', async () => {
    const c = await createCreator(sb.url);
    const res = await control<{ redirect_to: string }>(sb.url, 'POST', '/_sandbox/consent', {
      authorize_url: authorizeUrl(sb.url, { redirect_uri: OTHER_URI }),
      open_id: c.open_id,
      approve: true,
    });
    expect(res.status).toBe(200);
    const url = new URL(res.json.redirect_to);
    expect(url.origin + url.pathname).toBe(OTHER_URI);
    const code = url.searchParams.get('code')!;
    expectTokenResponse(await exchange(sb.url, code, { redirect_uri: OTHER_URI }), c.open_id, SCOPES);
  });

  it('§7.2 a code issued for one registered redirect_uri cannot be exchanged with the other', async () => {
    const c = await createCreator(sb.url);
    const code = await consentCode(sb.url, c.open_id);
    const res = await exchange(sb.url, code, { redirect_uri: OTHER_URI });
    expectOAuthError(res, 'invalid_request');
    expect((res.json as OAuthError).error_description).toBe(REDIRECT_MISMATCH);
  });
});
