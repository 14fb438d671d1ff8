/**
 * Browser commands: what a component test running in Chromium asks of the real stack, run here in
 * Node. Each does what a user or TikTok would do (sign in, connect an account on TikTok's consent,
 * a TikTok failure, a slow network), never a shortcut into the API's database.
 *
 * The dev-stack package is TypeScript loaded through tsx (see vitest.config.ts), imported when a
 * command first runs: the config itself is loaded by plain Node.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserCommand } from 'vitest/node';
import type { TestCreator, TestSignIn } from './context.ts';
import { runningStack, stackHolder, testUsers } from './stack-global.ts';

const devStack = () => import('@cliprelay/dev-stack');

const signInFreshUser: BrowserCommand<[]> = async (): Promise<TestSignIn> => {
  const holder = stackHolder();
  const user = testUsers[holder.nextUser++];
  if (!user) throw new Error('Out of test users: raise TEST_USER_COUNT');
  const tokens = await (await devStack()).signIn(runningStack(), user.sub);
  return { ...user, ...tokens };
};

const connectTikTokAccount: BrowserCommand<[accessToken: string, creator?: TestCreator]> = async (
  _ctx,
  accessToken,
  creator = {},
): Promise<{ accountId: string; openId: string }> => {
  const stack = runningStack();
  const { createCreator, connectAccount } = await devStack();
  const { open_id } = await createCreator(stack, creator);
  const accountId = await connectAccount(stack, accessToken, open_id);
  return { accountId, openId: open_id };
};

const sandbox: BrowserCommand<[path: string, body?: unknown]> = async (_ctx, path, body) =>
  (await devStack()).sandboxControl(runningStack(), path, body);

/** PATCH or DELETE on the sandbox's control API: change a creator's settings, drop queued faults. */
const sandboxChange: BrowserCommand<[method: 'PATCH' | 'DELETE', path: string, body?: unknown]> = async (
  _ctx,
  method,
  path,
  body,
) => {
  await (await devStack()).sandboxRequest(runningStack().sandbox.url, method, path, body);
};

const addMediaLibrary: BrowserCommand<[accessToken: string]> = async (_ctx, accessToken) =>
  (await devStack()).addSampleMedia(runningStack(), accessToken);

/**
 * Throttles the page's uploads (Chrome DevTools network emulation), so that a test can watch the
 * progress bar move and cancel half-way; null lifts it.
 */
const throttleUpload: BrowserCommand<[bytesPerSecond: number | null]> = async (ctx, bytesPerSecond) => {
  const session = await ctx.page.context().newCDPSession(ctx.page);
  await session.send('Network.enable');
  await session.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond ?? -1,
  });
};

/** Makes the next requests matching `urlPart` fail at the network level, as a dropped connection. */
const failNetwork: BrowserCommand<[urlPart: string, times?: number]> = async (ctx, urlPart, times = 1) => {
  let left = times;
  await ctx.page.context().route(
    (url) => url.href.includes(urlPart),
    async (route) => {
      if (left > 0) {
        left -= 1;
        await route.abort('connectionreset');
      } else {
        await route.fallback();
      }
    },
  );
};

/**
 * Resizes the browser window that holds the test's iframe. Vitest scales the iframe down to fit
 * the window, so a full-page screenshot at a given width first makes the window large enough.
 */
const resizeWindow: BrowserCommand<[width: number, height: number]> = async (ctx, width, height) => {
  await ctx.page.setViewportSize({ width, height });
};

/** The files in the API's upload temp folder right now (a cancelled upload must leave none). */
const uploadTempFiles: BrowserCommand<[]> = async (): Promise<string[]> => {
  const started = await stackHolder().starting;
  if (!started) throw new Error('The test stack is not running.');
  return readdir(join(started.dataDir, 'uploads'), { recursive: true }).catch(() => []);
};

/** Lifts every failNetwork route. */
const restoreNetwork: BrowserCommand<[]> = async (ctx) => {
  await ctx.page.context().unrouteAll({ behavior: 'ignoreErrors' });
};

export const commands = {
  signInFreshUser,
  connectTikTokAccount,
  sandbox,
  sandboxChange,
  addMediaLibrary,
  throttleUpload,
  failNetwork,
  restoreNetwork,
  resizeWindow,
  uploadTempFiles,
};
