import { CookieJar } from '@cliprelay/test-kit/cookies';
import type { SandboxCreator, SandboxCreatorInput } from '@cliprelay/tiktok-sandbox';
import type { Stack } from './stack.ts';

/** A sandbox creator (private by default, as an unaudited app needs). */
export function createCreator(stack: Stack, input: SandboxCreatorInput = {}): Promise<SandboxCreator> {
  return stack.sandbox.createCreator({ private_account: true, ...input });
}

/**
 * Connects a TikTok account the way a user does, headlessly: POST /tiktok/connect, TikTok's
 * consent (the sandbox's control route answers what the consent page would redirect to), then
 * TikTok's redirect to our callback, all in one browser. Returns the callback's redirect to the web app.
 */
export async function connectViaOAuth(
  stack: Stack,
  token: string,
  openId: string,
  opts: { approve?: boolean; scopes?: string } = {},
): Promise<{ location: URL; accountId: string | null }> {
  // One browser for the whole flow: the API links only where the connect began (its cookie).
  const browser = new CookieJar();
  const res = await browser.fetch(`${stack.apiUrl}/tiktok/connect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`connect: HTTP ${res.status} ${await res.text()}`);
  const { data } = (await res.json()) as { data: { authorizeUrl: string } };
  let authorizeUrl = data.authorizeUrl;
  if (opts.scopes) {
    const u = new URL(authorizeUrl);
    u.searchParams.set('scope', opts.scopes);
    authorizeUrl = u.toString();
  }
  const consent = await stack.sandbox.consent({
    authorize_url: authorizeUrl,
    open_id: openId,
    approve: opts.approve ?? true,
  });
  const callback = await browser.fetch(consent.redirect_to);
  const location = new URL(callback.headers.get('location') ?? 'http://missing/');
  return { location, accountId: location.searchParams.get('account') };
}

/** A connected account for `sub`, ready to publish from. */
export async function connectedAccount(
  stack: Stack,
  sub: string,
  creator: SandboxCreatorInput = {},
): Promise<{ token: string; accountId: string; openId: string }> {
  const token = await stack.tokenFor(sub);
  const { open_id } = await createCreator(stack, creator);
  const { accountId, location } = await connectViaOAuth(stack, token, open_id);
  if (!accountId) throw new Error(`connect failed: ${location.toString()}`);
  return { token, accountId, openId: open_id };
}
