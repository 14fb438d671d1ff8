/**
 * The seed's main journeys, start to finish, in Chromium on the product `npm start` runs: sign in,
 * connect a TikTok account on TikTok's consent page, publish from the device and from the media
 * library until TikTok says published, see it in the history, sign out.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { sampleVideos } from '@cliprelay/dev-stack/media';
import { expect, test } from '../support/fixtures.ts';
import {
  choosePrivacy,
  connectTikTok,
  deviceVideo,
  fillForm,
  openPublishFor,
  progressBar,
  publishButton,
  sha256Of,
  signIn,
  submitted,
  throttleUpload,
} from '../support/journey.ts';

test('a new user signs in, connects TikTok and publishes a video from their device until TikTok says published', async ({
  page,
  product,
  tiktok,
  shot,
}) => {
  await test.step('sign in at the identity provider', async () => {
    await page.goto(product.web);
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await shot('signed-out');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('button', { name: /^Alice\b/ })).toBeVisible();
    await shot('identity-provider-login');
    await page.getByRole('button', { name: /^Alice\b/ }).click();
    await expect(page.getByRole('button', { name: 'Account menu for Alice Example' })).toBeVisible();
    await expect(page).toHaveURL(`${product.web}/publish`);
    await shot('signed-in');
  });

  const nickname = 'Mia Moves';
  const openId = await test.step('connect a TikTok account on TikTok’s consent page', async () => {
    const id = await connectTikTok(page, product, tiktok, { nickname, private_account: false }, shot);
    await shot('account-connected');
    return id;
  });

  const file = deviceVideo('city-walk.mp4');
  await test.step('fill the form with a video from the device', async () => {
    await openPublishFor(page, product, nickname);
    await shot('publish-form');
    await fillForm(page, { file, caption: 'Morning walk through the city #citywalk', privacy: 'Everyone' });
    await expect(page.getByLabel(`Preview of city-walk.mp4`)).toBeVisible();
    await shot('publish-form-filled');
  });

  await test.step('publish: the progress bar moves, then TikTok takes the video', async () => {
    // A slow uplink keeps the upload on screen long enough to watch it.
    await throttleUpload(page, 15_000);
    await publishButton(page).click();
    await expect(publishButton(page)).toHaveText('Publishing…');
    await expect(progressBar(page)).toBeVisible();
    const seen = new Set<number>();
    await expect
      .poll(async () => {
        seen.add(
          Number(
            await progressBar(page)
              .getAttribute('aria-valuenow')
              .catch(() => 0),
          ),
        );
        return [...seen].filter((v) => v > 0 && v < 100).length;
      })
      .toBeGreaterThanOrEqual(2);
    await shot('uploading');
    await throttleUpload(page, null);
    await expect(submitted(page)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText(/can take a few minutes/)).toBeVisible();
    await shot('submitted');
  });

  const publishId = (await page.getByTestId('publish-id').textContent()) ?? '';
  await test.step('the status reaches published, with the post’s link', async () => {
    const status = page.getByTestId('live-status');
    await expect(status).toContainText('Published on TikTok', { timeout: 30_000 });
    await expect(status.getByRole('link', { name: /View the post on TikTok/ })).toHaveAttribute(
      'href',
      /^https:\/\/www\.tiktok\.com\/@mia\.moves\/video\/\d{19}$/,
    );
    await shot('published');
  });

  await test.step('TikTok holds exactly the bytes of the file, with the form’s caption and audience', async () => {
    const received = await tiktok.publish(publishId);
    expect(received.open_id).toBe(openId);
    expect(received.received_bytes).toBe((await readFile(file)).length);
    expect(received.sha256).toBe(await sha256Of(file));
    expect(received.post_info).toMatchObject({
      title: 'Morning walk through the city #citywalk',
      privacy_level: 'PUBLIC_TO_EVERYONE',
    });
    // And a person sees it on the sandbox's dashboard.
    await page.goto(`${product.sandbox}/_sandbox/`);
    const row = page.getByRole('table', { name: 'Posts' }).getByRole('row').filter({ hasText: publishId });
    await expect(row).toContainText(await sha256Of(file));
    await expect(row).toContainText('PUBLISH_COMPLETE');
    // TikTok told our server by webhook: the post's status was never asked for.
    await expect(row).toContainText('0 status calls');
    const deliveries = page.getByRole('table', { name: 'Webhook deliveries' });
    const delivery = deliveries
      .getByRole('row')
      .filter({ hasText: 'post.publish.complete' })
      .filter({ hasText: publishId });
    await expect(delivery).toContainText('delivered');
    await shot('tiktok-dashboard');
  });

  await test.step('the history lists the post as published', async () => {
    await page.goto(`${product.web}/history`);
    const row = page.getByRole('row').filter({ hasText: 'Morning walk through the city' });
    await expect(row).toContainText('Published');
    await expect(row.getByRole('link', { name: /View on TikTok/ })).toBeVisible();
    await shot('history');
  });
});

test('publishes a video from the media library: TikTok pulls it from the media host', async ({
  page,
  product,
  tiktok,
  shot,
}) => {
  await signIn(page, product);
  const nickname = 'Leo Loops';
  const openId = await connectTikTok(page, product, tiktok, { nickname, private_account: true });
  await openPublishFor(page, product, nickname);

  // npm start put the sample videos into each dev user's library.
  await page.getByText('Media library', { exact: true }).click();
  const library = page.getByRole('radiogroup', { name: 'Media library' });
  for (const video of sampleVideos()) await expect(library.getByText(video.title)).toBeVisible();
  const sunset = sampleVideos().find((v) => v.file === 'sunset-timelapse.mp4');
  if (!sunset) throw new Error('sample sunset-timelapse.mp4 is missing');
  await library.getByRole('radio', { name: new RegExp(sunset.title) }).check();
  await page.getByLabel('Caption').fill('Golden hour');
  // A private account offers no "Everyone".
  await privacyOptionsAre(page, ['Friends (followers you follow back)', 'Followers', 'Only me']);
  await choosePrivacy(page, 'Only me');
  // The pointer rests where the option list was, over a switch with a tooltip: move it away.
  await page.mouse.move(0, 0);
  await shot('media-library-chosen');

  await publishButton(page).click();
  await expect(submitted(page)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('live-status')).toContainText('Published on TikTok', { timeout: 30_000 });
  await shot('media-library-published');

  const [received] = await tiktok.publishesOf(openId);
  expect(received?.source_info).toMatchObject({
    source: 'PULL_FROM_URL',
    video_url: `${product.media}${sunset.file}`,
  });
  expect(received?.sha256).toBe(await sha256Of(deviceVideo(sunset.file)));
  expect(received?.post_info.privacy_level).toBe('SELF_ONLY');
});

test('signing out ends the session: the app asks to sign in again, and so does the identity provider', async ({
  page,
  product,
  shot,
}) => {
  await signIn(page, product);
  await page.getByRole('button', { name: 'Account menu for Alice Example' }).click();
  await shot('account-menu');
  await page.getByRole('menuitem', { name: 'Sign out' }).click();

  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(page.url().startsWith(product.web)).toBe(true);
  await shot('signed-out-again');
  await page.goto(`${product.web}/history`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // No silent sign-in: the identity provider's session ended too, so it asks who is signing in.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: /^Alice\b/ })).toBeVisible();
});

async function privacyOptionsAre(page: Page, labels: string[]) {
  await page.getByPlaceholder('Choose who can view').click();
  await expect(page.getByRole('option')).toHaveText(labels);
  await page.keyboard.press('Escape');
}
