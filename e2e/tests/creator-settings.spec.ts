/**
 * The form follows the creator's live settings on TikTok (tiktok-api.md §11): interactions the
 * creator turned off are disabled with the reason. (Which audiences a private and a public account
 * offer is checked in journey.spec.ts and errors.spec.ts.)
 */
import { expect, test } from '../support/fixtures.ts';
import { readyToPublish } from '../support/journey.ts';

test('interactions the creator turned off on TikTok are disabled, with the reason on hover', async ({
  page,
  product,
  tiktok,
  shot,
}) => {
  await readyToPublish(page, product, tiktok, {
    nickname: 'Quiet Quinn',
    private_account: false,
    comment_disabled: true,
    duet_disabled: true,
    stitch_disabled: false,
  });

  const comments = page.getByRole('switch', { name: 'Allow comments' });
  await expect(comments).toBeDisabled();
  await expect(comments).not.toBeChecked();
  await expect(page.getByRole('switch', { name: 'Allow Duet' })).toBeDisabled();
  // Stitch is allowed by the creator but, as TikTok requires, off until the user turns it on.
  const stitch = page.getByRole('switch', { name: 'Allow Stitch' });
  await expect(stitch).toBeEnabled();
  await expect(stitch).not.toBeChecked();
  await stitch.click();
  await expect(stitch).toBeChecked();

  await page.getByLabel('Allow comments: Comments are disabled on your TikTok account.').hover();
  await expect(page.getByRole('tooltip')).toHaveText('Comments are disabled on your TikTok account.');
  await shot('interactions-disabled');
});
