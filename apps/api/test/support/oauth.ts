import { createHash } from 'node:crypto';
import { CookieJar } from '@cliprelay/test-kit/cookies';
import type { SandboxToken } from '@cliprelay/tiktok-sandbox';
import type { Stack } from './stack.ts';

/**
 * The connect flow in its separate steps, for tests that replay, delay or tamper with one of
 * them (connectViaOAuth in tiktok.ts runs them all at once).
 */

/**
 * The browser each flow began in, by state: followCallback finishes a flow there unless told
 * otherwise, as a user's browser does.
 */
const browsers = new Map<string, CookieJar>();

/**
 * POST /tiktok/connect from `browser` (a fresh one by default) → the consent URL the SPA would
 * navigate to. The browser keeps the cookie the API binds the flow to.
 */
export async function startConnect(stack: Stack, token: string, browser = new CookieJar()): Promise<URL> {
  const res = await browser.fetch(`${stack.apiUrl}/tiktok/connect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`connect: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: { authorizeUrl: string } };
  const url = new URL(body.data.authorizeUrl);
  browsers.set(url.searchParams.get('state') ?? '', browser);
  return url;
}

/** What TikTok's consent page would redirect the browser to (our callback URL with its query). */
export async function consent(
  stack: Stack,
  authorizeUrl: URL,
  openId: string,
  opts: { approve?: boolean; scopes?: string[] } = {},
): Promise<URL> {
  const { redirect_to } = await stack.sandbox.consent({
    authorize_url: authorizeUrl.toString(),
    open_id: openId,
    approve: opts.approve ?? true,
    ...(opts.scopes ? { scopes: opts.scopes } : {}),
  });
  return new URL(redirect_to);
}

/**
 * A browser arriving at our callback: its status and where it is sent next. By default the
 * browser that began the flow of the URL's state (one with no cookies for a state nobody began);
 * give `browser` to arrive elsewhere, as a victim of account-linking CSRF does.
 */
export async function followCallback(
  callbackUrl: URL,
  browser?: CookieJar,
): Promise<{ status: number; location: URL; setCookie: string[] }> {
  const jar = browser ?? browsers.get(callbackUrl.searchParams.get('state') ?? '') ?? new CookieJar();
  const res = await jar.fetch(callbackUrl);
  await res.arrayBuffer();
  return {
    status: res.status,
    location: new URL(res.headers.get('location') ?? 'http://missing/'),
    setCookie: res.headers.getSetCookie(),
  };
}

/** The outcome the web app reads from its URL after the callback. */
export function outcomeOf(location: URL): Record<string, string> {
  return Object.fromEntries(location.searchParams);
}

/** How the API stores a state (it never keeps the raw value). */
export function stateHash(authorizeUrl: URL): string {
  const state = authorizeUrl.searchParams.get('state');
  if (!state) throw new Error('authorize URL has no state');
  return createHash('sha256').update(state).digest('base64url');
}

/** Every token the sandbox issued to a creator, with its state. */
export function sandboxTokens(stack: Stack, openId: string): Promise<SandboxToken[]> {
  return stack.sandbox.tokens(openId);
}
