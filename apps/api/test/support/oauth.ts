import { createHash } from 'node:crypto';
import type { SandboxToken } from '@cliprelay/tiktok-sandbox';
import type { Stack } from './stack.ts';

/**
 * The connect flow in its separate steps, for tests that replay, delay or tamper with one of
 * them (connectViaOAuth in tiktok.ts runs them all at once).
 */

/** POST /tiktok/connect → the consent URL the SPA would navigate to. */
export async function startConnect(stack: Stack, token: string): Promise<URL> {
  const res = await stack.call('/tiktok/connect', { method: 'POST', token });
  if (res.status !== 200) throw new Error(`connect: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: { authorizeUrl: string } };
  return new URL(body.data.authorizeUrl);
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

/** The browser arriving at our callback: its status and where it is sent next. */
export async function followCallback(callbackUrl: URL): Promise<{ status: number; location: URL }> {
  const res = await fetch(callbackUrl, { redirect: 'manual' });
  await res.arrayBuffer();
  return { status: res.status, location: new URL(res.headers.get('location') ?? 'http://missing/') };
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
