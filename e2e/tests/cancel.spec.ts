/**
 * Cancel mid-upload (seed §6): the upload stops, the form is exactly as the user left it, the API
 * keeps no temp file of the half-sent video, TikTok never got the whole video (the API had started
 * TikTok's upload before the first byte), and the same form publishes again without choosing the
 * file a second time.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '../support/fixtures.ts';
import {
  deviceVideo,
  fillForm,
  privacySelect,
  progressBar,
  publishButton,
  sha256Of,
  submitted,
  throttleUpload,
  readyToPublish,
} from '../support/journey.ts';

test('Cancel mid-upload keeps the form filled, leaves no temp file, and the same form publishes again', async ({
  page,
  product,
  tiktok,
  shot,
}) => {
  const openId = await readyToPublish(page, product, tiktok, { nickname: 'Cam Cancel' });
  const file = await fillForm(page, {
    file: deviceVideo('sunset-timelapse.mp4'),
    caption: 'Sunset, second try',
    privacy: 'Friends (followers you follow back)',
  });
  await page.getByRole('switch', { name: 'Allow comments' }).click();

  // 41 KB at 5 KB/s: about eight seconds of upload to cancel in the middle of.
  await throttleUpload(page, 5_000);
  await publishButton(page).click();
  await expect
    .poll(async () => Number(await progressBar(page).getAttribute('aria-valuenow')))
    .toBeGreaterThan(0);
  expect(Number(await progressBar(page).getAttribute('aria-valuenow'))).toBeLessThan(100);
  await shot('uploading');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await expect(progressBar(page)).toBeHidden();
  await expect(publishButton(page)).toHaveText('Publish');
  await expect(publishButton(page)).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Video file' })).toContainText('sunset-timelapse.mp4');
  await expect(page.getByLabel('Caption')).toHaveValue('Sunset, second try');
  await expect(privacySelect(page)).toHaveValue('Friends (followers you follow back)');
  await expect(page.getByRole('switch', { name: 'Allow comments' })).toBeChecked();
  await shot('cancelled');

  // The API dropped the half-received video (the resumable uploads' folder stays, empty), and
  // TikTok never got all of it: its upload stays incomplete and never becomes a post.
  const uploads = join(product.dataDir, 'uploads');
  const left = async () =>
    (await readdir(uploads, { recursive: true }).catch(() => [] as string[])).filter((n) => n !== 'tus');
  await expect.poll(left).toEqual([]);
  const cancelled = await tiktok.publishesOf(openId);
  expect(cancelled.every((p) => p.sha256 === null && p.status === 'PROCESSING_UPLOAD')).toBe(true);

  await throttleUpload(page, null);
  await publishButton(page).click();
  await expect(submitted(page)).toBeVisible({ timeout: 30_000 });
  const received = (await tiktok.publishesOf(openId)).find((p) => p.sha256 !== null);
  expect(received?.sha256).toBe(await sha256Of(file));
  expect(received?.post_info).toMatchObject({
    title: 'Sunset, second try',
    privacy_level: 'MUTUAL_FOLLOW_FRIENDS',
    disable_comment: false,
  });
});
