/**
 * Every failure a user can meet while publishing, on the real product: each says what happened
 * and offers the way forward, and the way forward works. The failures are TikTok's own (the
 * sandbox's faults and creator settings) or the browser's network.
 */
import { describeTikTokError } from '@cliprelay/contract';
import { expect, test } from '../support/fixtures.ts';
import {
  accountCard,
  approveOnTikTok,
  choosePrivacy,
  connectTikTok,
  errorAlert,
  fillForm,
  openPublishFor,
  privacySelect,
  publishButton,
  revokeOnTikTok,
  sha256Of,
  signIn,
  submitted,
  readyToPublish,
} from '../support/journey.ts';

test('the creator cannot post today: the form says so, and Try again works once TikTok allows it', async ({
  page,
  product,
  tiktok,
  shot,
}) => {
  await signIn(page, product);
  // 15 posts in the last 24 hours: TikTok's daily cap for a creator.
  await connectTikTok(page, product, tiktok, { nickname: 'Busy Bea', posts_today: 15 });
  await page.goto(`${product.web}/accounts`);
  await page.getByRole('link', { name: 'Publish to Busy Bea' }).click();

  const stop = errorAlert(page);
  await expect(stop).toContainText("You can't post to TikTok right now");
  await expect(stop).toContainText(describeTikTokError('spam_risk_too_many_posts').userMessage);
  await expect(page.getByRole('button', { name: 'Video file' })).toBeHidden();
  await expect(publishButton(page)).toBeHidden();
  await shot('cannot-post-today');

  // A day later TikTok lets the creator post again. (Every access token has expired by then: the
  // API renews them without the user noticing.)
  await tiktok.advanceClock(24 * 3600 + 60);
  await stop.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByTestId('creator-nickname')).toHaveText('Busy Bea');
  await expect(page.getByRole('button', { name: 'Video file' })).toBeVisible();
});

test('privacy no longer allowed (the account went private meanwhile): said at the field, and the current options work', async ({
  page,
  product,
  tiktok,
  shot,
}) => {
  const openId = await readyToPublish(page, product, tiktok, {
    nickname: 'Pia Private',
    private_account: false,
  });
  await fillForm(page, { privacy: 'Everyone', caption: 'For everyone' });
  await tiktok.updateCreator(openId, { private_account: true });

  await publishButton(page).click();
  await expect(page.getByText(/can't post with privacy “Everyone”/).first()).toBeVisible();
  await expect(privacySelect(page)).toHaveAttribute('aria-invalid', 'true');
  // The form keeps what the user entered.
  await expect(page.getByRole('button', { name: 'Video file' })).toContainText('city-walk.mp4');
  await expect(page.getByLabel('Caption')).toHaveValue('For everyone');
  await shot('privacy-mismatch');

  await privacySelect(page).click();
  await expect(page.getByRole('option', { name: 'Everyone', exact: true })).toBeHidden();
  await page.keyboard.press('Escape');
  await choosePrivacy(page, 'Followers');
  await publishButton(page).click();
  await expect(submitted(page)).toBeVisible({ timeout: 30_000 });
  const [received] = await tiktok.publishesOf(openId);
  expect(received?.post_info.privacy_level).toBe('FOLLOWER_OF_CREATOR');
});

test('TikTok’s rate limit: says to wait, and Try again publishes the same form', async ({
  page,
  product,
  tiktok,
  shot,
}) => {
  const openId = await readyToPublish(page, product, tiktok, { nickname: 'Rita Rapid' });
  const file = await fillForm(page, { caption: 'Rate limited once' });
  await tiktok.addFault({
    endpoint: 'video_init',
    http_status: 429,
    error_code: 'rate_limit_exceeded',
    count: 10,
    open_id: openId,
  });

  await publishButton(page).click();
  await expect(errorAlert(page)).toContainText(describeTikTokError('rate_limit_exceeded').userMessage, {
    timeout: 30_000,
  });
  await shot('rate-limited');
  expect(await tiktok.publishesOf(openId)).toHaveLength(0);

  await tiktok.clearFaults();
  await page.getByRole('button', { name: 'Try again', exact: true }).click();
  await expect(submitted(page)).toBeVisible({ timeout: 30_000 });
  const [received] = await tiktok.publishesOf(openId);
  expect(received?.sha256).toBe(await sha256Of(file));
});

test('the account’s TikTok access died (the user removed the app on TikTok): Reconnect brings it back, and publishing works', async ({
  page,
  product,
  tiktok,
  shot,
}) => {
  const openId = await readyToPublish(page, product, tiktok, { nickname: 'Remy Revoked' });
  await fillForm(page, { caption: 'After reconnecting' });
  await revokeOnTikTok(product, tiktok, openId);

  await publishButton(page).click();
  const alert = errorAlert(page);
  await expect(alert).toContainText(/reconnect/i, { timeout: 30_000 });
  await shot('access-revoked');
  // The one way on sits where Publish was (the alert says why; the action bar says what to do).
  await page.getByRole('link', { name: 'Reconnect on the Accounts screen' }).click();

  const card = accountCard(page, 'Remy Revoked');
  await expect(card.getByText('Reconnect needed')).toBeVisible();
  await shot('reconnect-needed');
  await card.getByRole('button', { name: 'Reconnect Remy Revoked' }).click();
  await approveOnTikTok(page, product, 'Remy Revoked');
  await expect(card.getByText('Connected')).toBeVisible();

  await openPublishFor(page, product, 'Remy Revoked');
  await fillForm(page, { caption: 'After reconnecting' });
  await publishButton(page).click();
  await expect(submitted(page)).toBeVisible({ timeout: 30_000 });
  expect((await tiktok.publishesOf(openId)).map((p) => p.post_info.title)).toEqual(['After reconnecting']);
});

test('a network failure: says the connection was lost, and Resume sends the same file', async ({
  page,
  product,
  tiktok,
  shot,
}) => {
  const openId = await readyToPublish(page, product, tiktok, { nickname: 'Nico Network' });
  const file = await fillForm(page, { caption: 'Offline for a moment' });
  // The first PATCH of the resumable upload loses its connection.
  let dropped = 0;
  await page.route(`${product.api}/tiktok/uploads/**`, async (route) => {
    if (route.request().method() === 'PATCH' && dropped++ === 0) await route.abort('internetdisconnected');
    else await route.fallback();
  });

  await publishButton(page).click();
  await expect(errorAlert(page)).toContainText(/Connection lost at \d+ %/);
  await shot('network-failure');
  // TikTok's upload had started (the API inits before the first byte), and has none of it yet.
  expect((await tiktok.publishesOf(openId)).map((p) => p.received_bytes)).toEqual([0]);

  await errorAlert(page).getByRole('button', { name: 'Resume' }).click();
  await expect(submitted(page)).toBeVisible({ timeout: 30_000 });
  const publishes = await tiktok.publishesOf(openId);
  expect(publishes).toHaveLength(1);
  expect(publishes[0]?.sha256).toBe(await sha256Of(file));
});
