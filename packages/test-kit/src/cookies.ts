/**
 * A browser's cookie jar, for headless clients (tests, benchmarks, `npm start`'s seeding) that
 * drive flows a browser would: it keeps what answers set with Set-Cookie and sends it back where a
 * browser would. Enough of RFC 6265 for our API's cookies: host-only cookies (no Domain), Path,
 * Max-Age and Expires; Secure cookies only over https. The OAuth connect flow needs it: the API
 * links an account only in the browser that began the connect (its cookie).
 */
import { parseSetCookie, stringifyCookie } from 'cookie';

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  secure: boolean;
  /** ms since the epoch; undefined for a session cookie. */
  expiresAt: number | undefined;
}

export class CookieJar {
  private cookies: StoredCookie[] = [];

  /** Keeps what `res`, the answer from `url`, set (an expired cookie removes one of its name). */
  store(url: string | URL, res: Response): void {
    const from = new URL(url);
    for (const header of res.headers.getSetCookie()) {
      const set = parseSetCookie(header);
      const expiresAt = set.maxAge !== undefined ? Date.now() + set.maxAge * 1000 : set.expires?.getTime();
      const cookie: StoredCookie = {
        name: set.name,
        value: set.value ?? '',
        host: from.hostname,
        path: set.path?.startsWith('/') ? set.path : defaultPath(from.pathname),
        secure: set.secure === true,
        expiresAt,
      };
      this.cookies = this.cookies.filter(
        (c) => !(c.name === cookie.name && c.host === cookie.host && c.path === cookie.path),
      );
      if (expiresAt === undefined || expiresAt > Date.now()) this.cookies.push(cookie);
    }
  }

  /** The Cookie header a browser would send to `url`, or undefined when it would send none. */
  header(url: string | URL): string | undefined {
    const to = new URL(url);
    const now = Date.now();
    const sent = this.cookies.filter(
      (c) =>
        c.host === to.hostname &&
        pathMatches(to.pathname, c.path) &&
        (!c.secure || to.protocol === 'https:') &&
        (c.expiresAt === undefined || c.expiresAt > now),
    );
    if (sent.length === 0) return undefined;
    // Longer paths first, as browsers order them.
    sent.sort((a, b) => b.path.length - a.path.length);
    return sent.map((c) => stringifyCookie({ [c.name]: c.value })).join('; ');
  }

  /** The value of the cookie `name` a browser would send to `url`. */
  get(url: string | URL, name: string): string | undefined {
    const to = new URL(url);
    return this.cookies.find(
      (c) => c.name === name && c.host === to.hostname && pathMatches(to.pathname, c.path),
    )?.value;
  }

  /**
   * fetch as this browser: sends its cookies and keeps what the answer sets. Redirects are not
   * followed (a browser would, keeping cookies at each hop; callers read `location` instead).
   */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { redirect: 'manual', ...init, headers });
    this.store(url, res);
    return res;
  }
}

/** RFC 6265 §5.1.4. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** RFC 6265 §5.1.4: the directory of the request path. */
function defaultPath(requestPath: string): string {
  const slash = requestPath.lastIndexOf('/');
  return slash <= 0 ? '/' : requestPath.slice(0, slash);
}
