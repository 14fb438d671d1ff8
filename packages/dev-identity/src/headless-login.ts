/**
 * headlessLogin(): a real sign-in over HTTP, the way a browser does it — discovery, /authorize
 * with PKCE (S256) and state, the login page's form POST, the automatic consent, the redirect back
 * with a code, and the token exchange — using fetch and a small cookie jar. Tests of other
 * packages (the API's) use it to get real bearer tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_CLIENT_ID, DEFAULT_WEB_ORIGIN } from './options.ts';

export interface HeadlessLoginOptions {
  /** The issuer (or the server URL); a trailing slash is fine. */
  issuerUrl: string;
  /** Which dev user signs in, e.g. 'dev|alice'. */
  sub: string;
  /** default cliprelay-web */
  clientId?: string;
  /** default http://localhost:5173/callback */
  redirectUri?: string;
  /** default 'openid profile email offline_access' (offline_access brings a refresh token) */
  scope?: string;
}

export interface HeadlessLoginTokens {
  access_token: string;
  id_token: string;
  /** Present when the scope had offline_access. */
  refresh_token: string | undefined;
  expires_in: number;
  token_type: string;
  scope: string;
}

export const DEFAULT_LOGIN_SCOPE = 'openid profile email offline_access';
const MAX_STEPS = 12;
const STEP_TIMEOUT_MS = 10_000;

export class HeadlessLoginError extends Error {
  constructor(message: string) {
    super(`headlessLogin: ${message}`);
    this.name = 'HeadlessLoginError';
  }
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

/** Cookies by name (the last Set-Cookie wins), sent on every request to the provider. */
class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(res: Response): void {
    for (const header of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k.toLowerCase() === 'expires') return Date.parse(v) <= Date.now();
        return false;
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

async function discover(issuerUrl: string): Promise<Discovery> {
  const url = `${issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { signal: AbortSignal.timeout(STEP_TIMEOUT_MS) }).catch((error: unknown) => {
    throw new HeadlessLoginError(`cannot reach ${url}: ${(error as Error).message}`);
  });
  if (!res.ok) throw new HeadlessLoginError(`${url} answered ${res.status}`);
  const doc = (await res.json()) as Partial<Discovery>;
  if (!doc.issuer || !doc.authorization_endpoint || !doc.token_endpoint) {
    throw new HeadlessLoginError(`${url} is not an OpenID Connect discovery document`);
  }
  return doc as Discovery;
}

/** The readable part of one of our pages, for error messages. */
function pageMessage(body: string): string {
  const text =
    /<p class="error"[^>]*>([\s\S]*?)<\/p>/.exec(body)?.[1] ?? /<title>([\s\S]*?)<\/title>/.exec(body)?.[1];
  return decodeEntities(
    (text ?? body.slice(0, 200))
      .replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function sameEndpoint(a: URL, b: URL): boolean {
  return a.origin === b.origin && a.pathname === b.pathname;
}

export async function headlessLogin(options: HeadlessLoginOptions): Promise<HeadlessLoginTokens> {
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const redirectUri = options.redirectUri ?? `${DEFAULT_WEB_ORIGIN}/callback`;
  const scope = options.scope ?? DEFAULT_LOGIN_SCOPE;
  if (!scope.split(' ').includes('openid')) throw new HeadlessLoginError('scope must include openid');
  const discovery = await discover(options.issuerUrl);

  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  const jar = new CookieJar();
  const request = async (url: URL, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
    }).catch((error: unknown) => {
      throw new HeadlessLoginError(`${init.method ?? 'GET'} ${url.href} failed: ${(error as Error).message}`);
    });
    jar.store(res);
    return res;
  };

  const callback = new URL(redirectUri);
  let res = await request(authorize);
  let url = authorize;
  let submitted = false;
  let landed: URL | undefined;
  for (let step = 0; step < MAX_STEPS && !landed; step++) {
    if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
      await res.body?.cancel();
      const next = new URL(res.headers.get('location') ?? '', url);
      if (sameEndpoint(next, callback)) {
        landed = next;
        break;
      }
      url = next;
      res = await request(url);
      continue;
    }
    const body = await res.text();
    if (res.status !== 200 || submitted) {
      throw new HeadlessLoginError(
        `${submitted ? `signing in as "${options.sub}"` : `GET ${url.href}`} gave ${res.status}: ${pageMessage(body)}`,
      );
    }
    const action = /<form[^>]*id="dev-identity-login"[^>]*action="([^"]+)"/.exec(body)?.[1];
    if (!action) throw new HeadlessLoginError(`no login form at ${url.href}: ${pageMessage(body)}`);
    submitted = true;
    url = new URL(decodeEntities(action), url);
    res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sub: options.sub }).toString(),
    });
  }
  if (!landed) throw new HeadlessLoginError(`no redirect to ${redirectUri} after ${MAX_STEPS} steps`);

  const params = landed.searchParams;
  if (params.has('error')) {
    throw new HeadlessLoginError(
      `the provider answered ${params.get('error')}: ${params.get('error_description') ?? ''}`.trim(),
    );
  }
  if (params.get('state') !== state) throw new HeadlessLoginError('state mismatch on the redirect');
  const iss = params.get('iss');
  if (iss !== null && iss !== discovery.issuer) {
    throw new HeadlessLoginError(`iss "${iss}" on the redirect is not the issuer "${discovery.issuer}"`);
  }
  const code = params.get('code');
  if (!code) throw new HeadlessLoginError('no code on the redirect');

  const tokenRes = await fetch(discovery.token_endpoint, {
    method: 'POST',
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
    }).toString(),
  });
  const tokens = (await tokenRes.json().catch(() => ({}))) as Record<string, unknown>;
  const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
  if (!tokenRes.ok || typeof tokens.access_token !== 'string' || typeof tokens.id_token !== 'string') {
    throw new HeadlessLoginError(
      `token exchange gave ${tokenRes.status}: ${text(tokens.error)} ${text(tokens.error_description)}`.trim(),
    );
  }
  return {
    access_token: tokens.access_token,
    id_token: tokens.id_token,
    refresh_token: typeof tokens.refresh_token === 'string' ? tokens.refresh_token : undefined,
    expires_in: Number(tokens.expires_in),
    token_type: text(tokens.token_type, 'Bearer'),
    scope: text(tokens.scope),
  };
}
