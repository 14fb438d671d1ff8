import { createHash, randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import { startDevIdentity, type DevIdentityOptions, type RunningDevIdentity } from '../src/index.ts';

export { freePort } from '@cliprelay/test-kit/ports';

export const SPA_ORIGIN = 'http://localhost:5173';
export const CALLBACK = `${SPA_ORIGIN}/callback`;
export const CLIENT_ID = 'cliprelay-web';

const running: RunningDevIdentity[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((idp) => idp.close()));
});

/** A provider on a free port, closed after the test. */
export async function startIdp(options: DevIdentityOptions = {}): Promise<RunningDevIdentity> {
  const idp = await startDevIdentity({ port: 0, ...options });
  running.push(idp);
  return idp;
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function discovery(idp: RunningDevIdentity): Promise<Record<string, any>> {
  const res = await fetch(idp.discoveryUrl);
  return (await res.json()) as Record<string, any>;
}

export async function authorizeUrl(
  idp: RunningDevIdentity,
  params: Record<string, string | undefined> = {},
): Promise<URL> {
  const url = new URL((await discovery(idp)).authorization_endpoint);
  const query: Record<string, string> = {};
  const merged: Record<string, string | undefined> = {
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid profile email offline_access',
    state: 'st-1',
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) query[k] = v;
  url.search = new URLSearchParams(query).toString();
  return url;
}

/** A browser in miniature: a cookie jar (by name) and redirects followed only on the provider. */
export class Browser {
  readonly cookies = new Map<string, string>();

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader() },
    });
    for (const header of res.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  post(url: string | URL, form: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Follows redirects that stay on `origin`; returns the first answer that is not one. */
  async follow(first: Response, from: URL | string, origin: string): Promise<{ res: Response; url: URL }> {
    let res = first;
    let url = new URL(from);
    for (let i = 0; i < 10; i++) {
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url };
      const next = new URL(location, url);
      if (next.origin !== origin) return { res, url };
      await res.body?.cancel();
      url = next;
      res = await this.request(url);
    }
    throw new Error('too many redirects');
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The login form's action on a login page. */
export function loginAction(page: string, base: URL): URL {
  const action = /<form[^>]*id="dev-identity-login"[^>]*action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error(`no login form in:\n${page}`);
  return new URL(action.replace(/&amp;/g, '&'), base);
}

/** Opens the login page for a fresh authorization request. */
export async function openLoginPage(
  idp: RunningDevIdentity,
  params: Record<string, string | undefined> = {},
): Promise<{ browser: Browser; page: string; url: URL; status: number }> {
  const browser = new Browser();
  const start = await authorizeUrl(idp, params);
  const { res, url } = await browser.follow(await browser.request(start), start, new URL(idp.url).origin);
  return { browser, page: await res.text(), url, status: res.status };
}
