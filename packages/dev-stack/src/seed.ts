/**
 * What tests and `npm start` do to a running stack the way a user would, over HTTP: sign a dev user
 * in, create a TikTok creator in the sandbox, connect it through the real OAuth round trip, and put
 * the sample videos into a user's media library.
 */
import { headlessLogin, type HeadlessLoginTokens } from '@cliprelay/dev-identity';
import { CookieJar } from '@cliprelay/test-kit/cookies';
import type { SandboxControl, SandboxCreator, SandboxCreatorInput } from '@cliprelay/tiktok-sandbox';
import { sampleVideos } from './media-host.ts';
import type { RunningDevStack } from './stack.ts';

/** A real sign-in of a dev user at the stack's identity provider (code + PKCE), as the SPA does it. */
export function signIn(stack: RunningDevStack, sub: string): Promise<HeadlessLoginTokens> {
  return headlessLogin({
    issuerUrl: stack.identity.issuer,
    sub,
    redirectUri: `${stack.webOrigin}/callback`,
  });
}

/** The typed control API of the stack's TikTok sandbox. */
export function sandboxControl(stack: RunningDevStack): SandboxControl {
  return stack.sandbox.control;
}

/** A sandbox creator; private by default, because an unaudited app may only post to those. */
export function createCreator(
  stack: RunningDevStack,
  input: SandboxCreatorInput = {},
): Promise<SandboxCreator> {
  return sandboxControl(stack).createCreator({ private_account: true, ...input });
}

/**
 * Connects a TikTok account for the holder of `accessToken` through the real round trip:
 * POST /tiktok/connect, the sandbox's consent (its control route answers what the consent page
 * would redirect to), then TikTok's redirect to our callback. Returns the new account's id.
 */
export async function connectAccount(
  stack: RunningDevStack,
  accessToken: string,
  openId: string,
): Promise<string> {
  // One browser for the whole flow: the API links only where the connect began (its cookie).
  const browser = new CookieJar();
  const res = await browser.fetch(`${stack.apiUrl}/tiktok/connect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (!res.ok) throw new Error(`POST /tiktok/connect: HTTP ${res.status} ${await res.text()}`);
  const { data } = (await res.json()) as { data: { authorizeUrl: string } };
  const consent = await sandboxControl(stack).consent({
    authorize_url: data.authorizeUrl,
    open_id: openId,
    approve: true,
  });
  const callback = await browser.fetch(consent.redirect_to);
  const location = new URL(callback.headers.get('location') ?? 'http://missing/');
  const account = location.searchParams.get('account');
  if (!account) throw new Error(`connect failed: the callback sent the browser to ${location.toString()}`);
  return account;
}

/** Adds the bundled sample videos to the user's media library (POST /media), skipping ones already there. */
export async function addSampleMedia(stack: RunningDevStack, accessToken: string): Promise<number> {
  const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
  const existing = await fetch(`${stack.apiUrl}/media`, { headers });
  if (!existing.ok) throw new Error(`GET /media: HTTP ${existing.status} ${await existing.text()}`);
  const urls = new Set(((await existing.json()) as { data: { url: string }[] }).data.map((m) => m.url));
  let added = 0;
  for (const video of sampleVideos()) {
    const url = `${stack.media.prefix}${video.file}`;
    if (urls.has(url)) continue;
    const res = await fetch(`${stack.apiUrl}/media`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        title: video.title,
        url,
        size_bytes: video.size_bytes,
        mime_type: 'video/mp4',
        duration_sec: video.duration_sec,
      }),
    });
    if (!res.ok) throw new Error(`POST /media: HTTP ${res.status} ${await res.text()}`);
    added += 1;
  }
  return added;
}
