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
import type {
  SandboxConsentInput,
  SandboxCreatorUpdate,
  SandboxFaultInput,
} from '@cliprelay/tiktok-sandbox/control';
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

/** What TikTok (the sandbox) received for one publish. */
const sandboxPublish: BrowserCommand<[publishId: string]> = async (_ctx, publishId) =>
  (await devStack()).sandboxControl(runningStack()).publish(publishId);

/** Every publish TikTok (the sandbox) received, newest first. */
const sandboxPublishes: BrowserCommand<[]> = async () =>
  (await devStack()).sandboxControl(runningStack()).publishes();

/** What TikTok's consent page would redirect to (the sandbox's consent route). */
const sandboxConsent: BrowserCommand<[input: SandboxConsentInput]> = async (_ctx, input) =>
  (await devStack()).sandboxControl(runningStack()).consent(input);

/** A TikTok user in the sandbox, as given (not made private). */
const createSandboxCreator: BrowserCommand<[input: TestCreator]> = async (_ctx, input) =>
  (await devStack()).sandboxControl(runningStack()).createCreator(input);

/** The next matching TikTok requests fail this way (the sandbox's faults). */
const addSandboxFault: BrowserCommand<[fault: SandboxFaultInput]> = async (_ctx, fault) => {
  await (await devStack()).sandboxControl(runningStack()).addFault(fault);
};

/** Drops every queued sandbox fault. */
const clearSandboxFaults: BrowserCommand<[]> = async () => {
  await (await devStack()).sandboxControl(runningStack()).clearFaults();
};

/** The creator changed a setting on TikTok (e.g. made the account private). */
const updateSandboxCreator: BrowserCommand<[openId: string, changes: SandboxCreatorUpdate]> = async (
  _ctx,
  openId,
  changes,
) => {
  await (await devStack()).sandboxControl(runningStack()).updateCreator(openId, changes);
};

const addMediaLibrary: BrowserCommand<[accessToken: string]> = async (_ctx, accessToken) =>
  (await devStack()).addSampleMedia(runningStack(), accessToken);

/**
 * Throttles the page's uploads (Chrome DevTools network emulation), so that a test can watch the
 * progress bar move and cancel half-way; null lifts it.
 */
const throttleUpload: BrowserCommand<[bytesPerSecond: number | null]> = async (ctx, bytesPerSecond) => {
  // One session per page: conditions set on a session stay until that session lifts them.
  let session = cdpSessions.get(ctx.page);
  if (!session) {
    session = await ctx.page.context().newCDPSession(ctx.page);
    await session.send('Network.enable');
    cdpSessions.set(ctx.page, session);
  }
  await session.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond ?? -1,
  });
};

/** The CDP session throttleUpload keeps per page. */
const cdpSessions = new WeakMap<object, { send(method: string, params?: object): Promise<unknown> }>();

/**
 * Makes the next `times` requests matching `urlPart` fail at the network level, as a dropped
 * connection — after letting `after` of them through; with `method`, only requests of that method.
 */
const failNetwork: BrowserCommand<
  [urlPart: string, times?: number, after?: number, method?: string]
> = async (ctx, urlPart, times = 1, after = 0, method) => {
  let left = times;
  let passing = after;
  await ctx.page.context().route(
    (url) => url.href.includes(urlPart),
    async (route) => {
      if (method && route.request().method() !== method) {
        await route.fallback();
      } else if (passing > 0) {
        passing -= 1;
        await route.fallback();
      } else if (left > 0) {
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
  // The resumable uploads' folder itself is no file.
  const names = await readdir(join(started.dataDir, 'uploads'), { recursive: true }).catch(() => []);
  return names.filter((name) => name !== 'tus');
};

/** Moves TikTok's (the sandbox's) clock; back, it makes TikTok take that much longer to process. */
const advanceSandboxClock: BrowserCommand<[seconds: number]> = async (_ctx, seconds) => {
  await (await devStack()).sandboxControl(runningStack()).advanceClock(seconds);
};

/** Makes the browser report this color scheme (prefers-color-scheme), as a system setting does; null restores it. */
const emulateColorScheme: BrowserCommand<[scheme: 'light' | 'dark' | null]> = async (ctx, scheme) => {
  await ctx.page.emulateMedia({ colorScheme: scheme });
};

/** Lifts every failNetwork route. */
const restoreNetwork: BrowserCommand<[]> = async (ctx) => {
  await ctx.page.context().unrouteAll({ behavior: 'ignoreErrors' });
};

export const commands = {
  signInFreshUser,
  connectTikTokAccount,
  sandboxPublish,
  sandboxPublishes,
  sandboxConsent,
  createSandboxCreator,
  addSandboxFault,
  clearSandboxFaults,
  updateSandboxCreator,
  advanceSandboxClock,
  addMediaLibrary,
  throttleUpload,
  failNetwork,
  restoreNetwork,
  resizeWindow,
  uploadTempFiles,
  emulateColorScheme,
};
