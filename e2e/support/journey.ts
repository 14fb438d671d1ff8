/**
 * What a person does in the product, step by step, in the browser: sign in at the identity
 * provider's page, connect a TikTok account on TikTok's consent page, fill the publish form with a
 * file from the device, watch the upload. Tests compose these; assertions stay in the tests.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MEDIA_DIR } from '@cliprelay/dev-stack/media';
import { parseSandboxOptions } from '@cliprelay/tiktok-sandbox';
import type { Page } from '@playwright/test';
import type { CreatorInput } from '@cliprelay/tiktok-sandbox';
import { expect, type TikTokSandbox } from './fixtures.ts';
import type { ProductUrls } from './npm-start.ts';

/** A real video on the device: one of the bundled samples. */
export function deviceVideo(name = 'city-walk.mp4'): string {
  return join(MEDIA_DIR, name);
}

export async function sha256Of(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** Opens the app and signs in as a dev user (`Alice` or `Bob`) on the identity provider's page. */
export async function signIn(
  page: Page,
  product: ProductUrls,
  user = 'Alice',
  path = '/publish',
): Promise<void> {
  await page.goto(`${product.web}${path}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: new RegExp(`^${user}\\b`) }).click();
  await expect(page.getByRole('button', { name: new RegExp(`Account menu for ${user}`) })).toBeVisible();
}

/**
 * Makes a TikTok user in the sandbox, then connects it the user's way: Accounts → Connect TikTok
 * account → TikTok's consent page (choose the account, Authorize) → back on Accounts.
 */
export async function connectTikTok(
  page: Page,
  product: ProductUrls,
  tiktok: TikTokSandbox,
  settings: CreatorInput & { nickname: string },
  shot?: (name: string) => Promise<void>,
): Promise<string> {
  const { open_id: openId } = await tiktok.createCreator({
    username: settings.nickname.toLowerCase().replace(/\W+/g, '.'),
    ...settings,
  });
  await page.goto(`${product.web}/accounts`);
  await page.getByRole('button', { name: 'Connect TikTok account' }).first().click();
  await approveOnTikTok(page, product, settings.nickname, shot);
  await expect(page.getByRole('status').filter({ hasText: 'TikTok account connected' })).toBeVisible();
  await expect(accountCard(page, settings.nickname).getByText('Connected')).toBeVisible();
  return openId;
}

/** On TikTok's consent page: continue as `nickname`, Authorize, and land back in the app. */
export async function approveOnTikTok(
  page: Page,
  product: ProductUrls,
  nickname: string,
  shot?: (name: string) => Promise<void>,
): Promise<void> {
  await page.waitForURL(`${product.sandbox}/v2/auth/authorize/**`);
  await page.getByRole('radio', { name: new RegExp(`^${nickname}\\b`) }).check();
  await shot?.('tiktok-consent');
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL(`${product.web}/accounts**`);
}

export function accountCard(page: Page, nickname: string) {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: nickname }) });
}

/** From the account's card to its publish form, loaded with TikTok's creator settings. */
export async function openPublishFor(page: Page, product: ProductUrls, nickname: string): Promise<void> {
  await page.goto(`${product.web}/accounts`);
  await page.getByRole('link', { name: `Publish to ${nickname}` }).click();
  await expect(page.getByTestId('creator-nickname')).toHaveText(nickname);
}

/** Signed in as Alice, with a TikTok creator made and connected for the test, on its publish form. */
export async function readyToPublish(
  page: Page,
  product: ProductUrls,
  tiktok: TikTokSandbox,
  settings: CreatorInput & { nickname: string },
): Promise<string> {
  await signIn(page, product);
  const openId = await connectTikTok(page, product, tiktok, settings);
  await openPublishFor(page, product, settings.nickname);
  return openId;
}

export const publishButton = (page: Page) => page.getByRole('button', { name: /^(Publish|Publishing…)$/ });
export const privacySelect = (page: Page) => page.getByPlaceholder('Choose who can view');
export const progressBar = (page: Page) => page.getByRole('progressbar', { name: 'Upload progress' });
export const errorAlert = (page: Page) => page.getByRole('alert');
export const submitted = (page: Page) => page.getByText('Video submitted to TikTok');

/** Picks a file from the device through the "Video file" chooser, as a person does. */
export async function chooseDeviceFile(page: Page, path: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Video file' }).click();
  await (await chooser).setFiles(path);
  await expect(page.getByRole('button', { name: 'Video file' })).toContainText(path.split('/').pop() ?? '');
}

export async function choosePrivacy(page: Page, label: string): Promise<void> {
  await privacySelect(page).click();
  await page.getByRole('option', { name: label, exact: true }).click();
  await expect(privacySelect(page)).toHaveValue(label);
}

/** A complete form: a video from the device, a caption and an audience. */
export async function fillForm(
  page: Page,
  options: { file?: string; caption?: string; privacy?: string } = {},
): Promise<string> {
  const file = options.file ?? deviceVideo();
  await chooseDeviceFile(page, file);
  if (options.caption) await page.getByLabel('Caption').fill(options.caption);
  // Every account offers "Only me"; public ones have no "Followers" (tiktok-api.md §3).
  await choosePrivacy(page, options.privacy ?? 'Only me');
  await expect(publishButton(page)).toBeEnabled();
  return file;
}

/** A slow uplink (Chrome's network emulation), so an upload stays on screen; null lifts it. */
export async function throttleUpload(page: Page, bytesPerSecond: number | null): Promise<void> {
  const session = await page.context().newCDPSession(page);
  await session.send('Network.enable');
  await session.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond ?? -1,
  });
}

/**
 * The user removes the app from their TikTok account's settings: TikTok revokes every token it
 * gave the app for them (the same call as the app's own revoke, tiktok-api.md §7.5).
 */
export async function revokeOnTikTok(
  product: ProductUrls,
  tiktok: TikTokSandbox,
  openId: string,
): Promise<void> {
  const refresh = (await tiktok.tokens(openId)).find((t) => t.type === 'refresh' && t.state === 'active');
  if (!refresh) throw new Error(`creator ${openId} has no active refresh token`);
  const { clientKey, clientSecret } = parseSandboxOptions({});
  const res = await fetch(`${product.sandbox}/v2/oauth/revoke/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_key: clientKey, client_secret: clientSecret, token: refresh.token }),
  });
  if (!res.ok) throw new Error(`revoke: HTTP ${res.status} ${await res.text()}`);
}
