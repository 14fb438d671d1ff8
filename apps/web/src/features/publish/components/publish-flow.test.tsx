/**
 * Publishing (seed §3–§6; tiktok-api.md §11 point 5), in real Chromium against the real API and
 * TikTok sandbox: one click, the upload's progress, Cancel, every failure a user can meet with its
 * way forward, Try again with the same form, and the live status after success.
 */
import { describeTikTokError, type PostSummary } from '@cliprelay/contract';
import { commands, page } from '@vitest/browser/context';
import type { SandboxPublish } from '@cliprelay/tiktok-sandbox/control';
import { afterEach, describe, expect, it } from 'vitest';
import {
  brokenMp4,
  choosePrivacy,
  fillForm,
  formLoaded,
  openPublish,
  publishButton,
  sampleFile,
} from '../../../testing/publish.ts';
import { apiAs } from '../../../testing/render-app.tsx';
import { screenshotBoth } from '../../../testing/screenshots.ts';

const progressBar = () => page.getByRole('progressbar', { name: 'Upload progress' });
const errorAlert = () => page.getByRole('alert');
const liveStatus = () => page.getByTestId('live-status');

async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the sandbox (TikTok) holds for the publish id the success screen shows. */
async function receivedByTikTok(): Promise<SandboxPublish & { publishId: string }> {
  const publishId = page.getByTestId('publish-id').element().textContent ?? '';
  return { publishId, ...(await commands.sandboxPublish(publishId)) };
}

/** Every publish the sandbox (TikTok) received for one creator. */
async function publishesAtTikTok(openId: string) {
  return (await commands.sandboxPublishes()).filter((p) => p.open_id === openId);
}

/** The publishes TikTok has every byte of: a cancelled upload leaves none. */
async function completedAtTikTok(openId: string) {
  return (await publishesAtTikTok(openId)).filter((p) => p.sha256 !== null);
}

const tryAgainButton = () => page.getByRole('button', { name: 'Try again', exact: true });

/**
 * After a failure there is one way on, where Publish was: no Publish beside it, and no button in
 * the alert that says what went wrong.
 */
async function expectOneWayOn(name: string) {
  const role = name === 'Try again' ? 'button' : 'link';
  await expect.element(page.getByTestId('publish-bar').getByRole(role, { name, exact: true })).toBeVisible();
  expect(page.getByRole(role, { name, exact: true }).all()).toHaveLength(1);
  await expect.element(publishButton()).not.toBeInTheDocument();
  expect(errorAlert().getByRole('button').all()).toHaveLength(0);
  expect(errorAlert().getByRole('link').all()).toHaveLength(0);
}

afterEach(async () => {
  await commands.throttleUpload(null);
  await commands.restoreNetwork();
});

describe('publishing a video from the device', () => {
  it(
    'shows the upload’s progress, then “Submitting to TikTok…”, then the success and the live status',
    { timeout: 90_000 },
    async () => {
      await openPublish({ private_account: false });
      await formLoaded();
      const file = await fillForm({ privacy: 'Everyone', caption: 'Morning walk #city' });
      // A slow uplink, and TikTok slow to take the chunks: every phase stays on screen long enough to see.
      await commands.throttleUpload(12_000);
      await commands.addSandboxFault({ endpoint: 'upload', delay_ms: 1500 });

      await publishButton().click();
      await expect.element(publishButton()).toBeDisabled();
      await expect.element(publishButton()).toHaveTextContent('Publishing…');
      await expect.element(progressBar()).toBeVisible();
      await expect
        .poll(() => Number(progressBar().element().getAttribute('aria-valuenow')))
        .toBeGreaterThan(0);
      await expect.element(page.getByText(/Uploading your video…/)).toBeVisible();
      // The form is locked meanwhile.
      await expect.element(page.getByLabelText('Caption')).toBeDisabled();
      await screenshotBoth('publish-uploading');

      await expect.element(page.getByText('Submitting to TikTok…'), { timeout: 20_000 }).toBeVisible();
      await expect.element(progressBar()).not.toBeInTheDocument();
      await screenshotBoth('publish-submitting');

      await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 20_000 }).toBeVisible();
      await expect.element(page.getByText(/can take a few minutes/)).toBeVisible();
      // What was posted, in the user's words; the publish id only in the details line.
      const summary = page.getByTestId('post-summary');
      await expect.element(summary).toHaveTextContent(/TikTok accountMia Moves @mia\.moves/);
      await expect.element(summary).toHaveTextContent(/Who can viewEveryone/);
      await expect.element(summary).toHaveTextContent(/CaptionMorning walk #city/);
      await expect.element(summary).toHaveTextContent(/Videocity-walk\.mp4/);
      await expect.element(page.getByTestId('publish-id')).toHaveTextContent(/^v_pub_file~/);
      await expect.element(page.getByText(/^Details for support: publish ID/)).toBeVisible();
      expect(document.body.textContent).not.toMatch(/PROCESSING_UPLOAD|PUBLISH_COMPLETE/);

      // TikTok received exactly these bytes, with the form's settings.
      const received = await receivedByTikTok();
      expect(received.received_bytes).toBe(file.size);
      expect(received.sha256).toBe(await sha256Hex(file));
      expect(received.post_info.title).toBe('Morning walk #city');
      expect(received.post_info.privacy_level).toBe('PUBLIC_TO_EVERYONE');

      // Between "published" and its post id, TikTok reviews the public post: said as such, not
      // "Published" beside "TikTok is reviewing".
      await expect
        .poll(() => liveStatus().element().textContent ?? '', { timeout: 30_000, interval: 50 })
        .toMatch(/Posted — TikTok is reviewing it|Published on TikTok/);
      if (/reviewing/.test(liveStatus().element().textContent ?? '')) {
        expect(liveStatus().element().textContent).not.toContain('Published on TikTok');
      }
      await expect.element(liveStatus(), { timeout: 30_000 }).toHaveTextContent('Published on TikTok');
      expect(liveStatus().element().textContent).not.toContain('reviewing');
      const postLink = liveStatus().getByRole('link', { name: /View the post on TikTok/ });
      await expect.element(postLink).toBeVisible();
      expect(postLink.element().getAttribute('href')).toMatch(
        /^https:\/\/www\.tiktok\.com\/@mia\.moves\/video\/\d{19}$/,
      );
      await screenshotBoth('publish-success');

      // Publish another: a fresh form for the same account.
      await page.getByRole('button', { name: 'Publish another video' }).click();
      await expect.element(page.getByPlaceholder('Choose who can view')).toHaveValue('');
      await expect.element(page.getByLabelText('Caption')).toHaveValue('');
    },
  );

  it('sends one publish however often the button is pressed', async () => {
    const { openId } = await openPublish();
    await formLoaded();
    await fillForm();
    // A slow uplink keeps the (disabled) button on screen for the presses after the first.
    await commands.throttleUpload(20_000);
    await publishButton().click();
    await publishButton().click({ force: true });
    await publishButton().click({ force: true });
    await commands.throttleUpload(null);
    await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 20_000 }).toBeVisible();
    expect(await publishesAtTikTok(openId)).toHaveLength(1);
  });

  it('Cancel stops the upload, keeps the form as it was and leaves no temp file', async () => {
    const { openId } = await openPublish();
    await formLoaded();
    // Large enough for a throttled upload to be mid-way when Cancel is pressed.
    const file = await sampleFile('colour-bars.mp4');
    await fillForm({ file, caption: 'Test bars', privacy: 'Friends (followers you follow back)' });
    await commands.throttleUpload(8_000);

    await publishButton().click();
    await expect.poll(() => Number(progressBar().element().getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Cancel' }).click();

    await expect.element(progressBar()).not.toBeInTheDocument();
    await expect.element(publishButton()).toHaveTextContent(/^Publish$/);
    await expect.element(publishButton()).toBeEnabled();
    await expect.element(page.getByLabelText('Caption')).toHaveValue('Test bars');
    await expect
      .element(page.getByPlaceholder('Choose who can view'))
      .toHaveValue('Friends (followers you follow back)');
    await expect
      .element(page.getByRole('button', { name: 'Video file' }))
      .toHaveTextContent('colour-bars.mp4');
    await expect.element(errorAlert()).not.toBeInTheDocument();
    // Cancel says what it did.
    const cancelled = page.getByRole('status').filter({ hasText: 'Upload cancelled — nothing was posted' });
    await expect.element(cancelled).toBeVisible();
    await screenshotBoth('publish-cancelled');
    await expect.poll(() => commands.uploadTempFiles(), { timeout: 10_000 }).toEqual([]);
    // TikTok's upload had started (the API inits before the first byte); it never got the video.
    expect(await completedAtTikTok(openId)).toEqual([]);

    // The same form publishes without choosing the file again.
    await commands.throttleUpload(null);
    await publishButton().click();
    await expect.element(cancelled).not.toBeInTheDocument();
    await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 20_000 }).toBeVisible();
    expect((await receivedByTikTok()).sha256).toBe(await sha256Hex(file));
  });
});

describe('leaving during an upload', () => {
  it('locks the account picker meanwhile; leaving the screen stops the upload and leaves no temp file', async () => {
    const { openId, app } = await openPublish();
    await formLoaded();
    await fillForm({ file: await sampleFile('colour-bars.mp4') });
    await commands.throttleUpload(8_000);
    await publishButton().click();
    await expect.poll(() => Number(progressBar().element().getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    await expect.element(page.getByPlaceholder('Choose an account')).toBeDisabled();

    await app.router.navigate('/history');
    await expect.element(page.getByRole('heading', { name: 'Publish history' })).toBeVisible();
    await expect.poll(() => commands.uploadTempFiles(), { timeout: 10_000 }).toEqual([]);
    expect(await completedAtTikTok(openId)).toEqual([]);
  });
});

describe('publishing from the media library', () => {
  it('has TikTok pull the video: no upload bar, “Submitting to TikTok…”, then published', async () => {
    const { session } = await openPublish();
    await commands.addMediaLibrary(session.access_token);
    await formLoaded();
    await page.getByText('Media library', { exact: true }).click();
    await page.getByRole('radiogroup', { name: 'Media library' }).getByText('Sunset timelapse').click();
    await choosePrivacy('Followers');
    await commands.addSandboxFault({ endpoint: 'video_init', delay_ms: 1200 });

    await publishButton().click();
    await expect.element(page.getByText('Submitting to TikTok…')).toBeVisible();
    await expect.element(progressBar()).not.toBeInTheDocument();
    await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 20_000 }).toBeVisible();
    const received = await receivedByTikTok();
    expect(received.publishId).toMatch(/^v_pub_url~/);
    await expect.element(liveStatus(), { timeout: 30_000 }).toHaveTextContent('Published on TikTok');
    // A post only followers can see has no public link.
    await expect.element(liveStatus().getByRole('link')).not.toBeInTheDocument();
  });
});

describe('when TikTok fails the video after the upload', () => {
  it('shows the failed status with the catalogue’s fix-it text and TikTok’s reason', async () => {
    await openPublish();
    await formLoaded();
    await fillForm({ file: brokenMp4() });
    await publishButton().click();
    await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 20_000 }).toBeVisible();
    await expect
      .element(liveStatus(), { timeout: 30_000 })
      .toHaveTextContent('TikTok could not publish this video');
    await expect.element(liveStatus()).toHaveTextContent(/format|MP4|WebM/i);
    await expect.element(liveStatus()).toHaveTextContent('file_format_check_failed');
    await screenshotBoth('publish-status-failed');
  });
});

describe('errors, each with its way forward', () => {
  it(
    'an upload TikTok’s upload service refuses: the server’s reason, not “Something went wrong”, and Try again',
    { timeout: 120_000 },
    async () => {
      const { openId, session } = await openPublish();
      await formLoaded();
      const file = await fillForm({ caption: 'Upload refused' });
      // TikTok's upload host answers 500 to every chunk: our server retries, then gives up.
      await commands.addSandboxFault({ endpoint: 'upload', http_status: 500, count: 50, open_id: openId });
      await publishButton().click();
      await expect
        .element(errorAlert(), { timeout: 90_000 })
        .toHaveTextContent('The video did not reach TikTok');
      const history = await apiAs<PostSummary[]>(session, '/tiktok/posts');
      const reason = history[0]?.user_message ?? 'missing';
      expect(reason).toMatch(/TikTok's upload service did not accept the video/);
      await expect.element(errorAlert()).toHaveTextContent(reason);
      expect(document.body.textContent).not.toContain('Something went wrong');
      await expectOneWayOn('Try again');
      await expect.element(page.getByLabelText('Caption')).toHaveValue('Upload refused');
      await screenshotBoth('publish-error-upload-failed');

      await commands.clearSandboxFaults();
      await tryAgainButton().click();
      await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 30_000 }).toBeVisible();
      expect((await receivedByTikTok()).sha256).toBe(await sha256Hex(file));
    },
  );

  it('TikTok’s rate limit: says to wait, and Try again re-submits the same form', async () => {
    const { openId, session } = await openPublish();
    await formLoaded();
    const file = await fillForm({ caption: 'Busy day' });
    await commands.addSandboxFault({
      endpoint: 'video_init',
      http_status: 429,
      error_code: 'rate_limit_exceeded',
      open_id: openId,
      count: 5,
    });
    await publishButton().click();
    await expect
      .element(errorAlert(), { timeout: 30_000 })
      .toHaveTextContent(/too many requests|wait|later/i);
    await expect.element(page.getByLabelText('Caption')).toHaveValue('Busy day');
    await screenshotBoth('publish-error-rate-limit');

    // One way on: Try again, in the Publish button's place; the alert only says why.
    await expectOneWayOn('Try again');

    // TikTok's window passes; Try again with the same file.
    await commands.clearSandboxFaults();
    await tryAgainButton().click();
    await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 30_000 }).toBeVisible();
    expect((await receivedByTikTok()).sha256).toBe(await sha256Hex(file));
    // Try again sent the submit's Idempotency-Key again: the history has one row for the submit,
    // its refused attempt under it (a new key would have made a second row).
    const history = await apiAs<PostSummary[]>(session, '/tiktok/posts');
    expect(history.map((p) => [p.title, p.local_status === 'failed', p.earlier_attempts.length])).toEqual([
      ['Busy day', false, 1],
    ]);
    expect(history[0]?.earlier_attempts[0]).toMatchObject({ local_status: 'failed' });
  });

  it('a network failure: says the connection was lost, and Resume goes on without choosing the file again', async () => {
    const { openId } = await openPublish();
    await formLoaded();
    const file = await fillForm({ caption: 'Offline for a second' });
    await commands.failNetwork('/tiktok/uploads', 1);
    await publishButton().click();
    await expect.element(errorAlert()).toHaveTextContent(/Connection lost at \d+ %/);
    await screenshotBoth('publish-error-network');
    await errorAlert().getByRole('button', { name: 'Resume' }).click();
    await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 20_000 }).toBeVisible();
    expect((await receivedByTikTok()).sha256).toBe(await sha256Hex(file));
    expect(await publishesAtTikTok(openId)).toHaveLength(1);
  });

  it(
    'a connection lost mid-upload: “Connection lost at N %”, and Resume sends only the rest',
    { timeout: 90_000 },
    async () => {
      const { openId } = await openPublish();
      await formLoaded();
      // 20 MiB go in PATCHes of 8 MiB: the second one's connection drops.
      const file = brokenMp4(20 * 1024 * 1024, 'train-ride.mp4');
      await fillForm({ file, caption: 'Train wifi' });
      await commands.failNetwork('/tiktok/uploads/', 1, 1, 'PATCH');
      await publishButton().click();
      await expect.element(errorAlert(), { timeout: 30_000 }).toHaveTextContent(/Connection lost at \d+ %/);
      const lostAt = Number(/Connection lost at (\d+) %/.exec(errorAlert().element().textContent ?? '')?.[1]);
      expect(lostAt).toBe(40);
      // The form stays locked; Cancel is still there.
      await expect.element(page.getByLabelText('Caption')).toBeDisabled();
      await expect.element(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
      await screenshotBoth('publish-connection-lost');

      await errorAlert().getByRole('button', { name: 'Resume' }).click();
      await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 30_000 }).toBeVisible();
      // TikTok has the file's exact bytes, once.
      const received = await receivedByTikTok();
      expect(received.received_bytes).toBe(file.size);
      expect(received.sha256).toBe(await sha256Hex(file));
      expect(await publishesAtTikTok(openId)).toHaveLength(1);
    },
  );

  it('TikTok down (500): says to try again, and Try again does', { timeout: 90_000 }, async () => {
    const { openId } = await openPublish();
    await formLoaded();
    await fillForm();
    await commands.addSandboxFault({
      endpoint: 'video_init',
      http_status: 500,
      error_code: 'internal_error',
      open_id: openId,
      count: 10,
    });
    await publishButton().click();
    await expect.element(tryAgainButton(), { timeout: 60_000 }).toBeVisible();
    await expectOneWayOn('Try again');
    await screenshotBoth('publish-error-tiktok-down');
    await commands.clearSandboxFaults();
    await tryAgainButton().click();
    await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 30_000 }).toBeVisible();
  });

  it('privacy no longer allowed (the account went private meanwhile): says so at the field and offers the current options', async () => {
    const { openId } = await openPublish({ private_account: false });
    await formLoaded();
    await fillForm({ privacy: 'Everyone' });
    await commands.updateSandboxCreator(openId, { private_account: true });
    await publishButton().click();
    // Inline, at the field, in the form's words (not TikTok's codes); the form stays filled.
    const fieldError = page.getByText(/can't post with privacy “Everyone”/).first();
    await expect.element(fieldError, { timeout: 20_000 }).toBeVisible();
    await expect
      .element(page.getByPlaceholder('Choose who can view'))
      .toHaveAttribute('aria-invalid', 'true');
    expect(document.body.textContent).not.toContain('PUBLIC_TO_EVERYONE');
    await expect.element(page.getByRole('button', { name: 'Video file' })).toHaveTextContent('city-walk.mp4');
    await screenshotBoth('publish-error-privacy');

    // The creator's current options replace the old ones; choosing one clears the error.
    await page.getByPlaceholder('Choose who can view').click();
    await expect.element(page.getByRole('option', { name: 'Followers', exact: true })).toBeVisible();
    await expect.element(page.getByRole('option', { name: 'Everyone', exact: true })).not.toBeInTheDocument();
    await page.getByRole('option', { name: 'Followers', exact: true }).click();
    await expect
      .element(page.getByPlaceholder('Choose who can view'))
      .not.toHaveAttribute('aria-invalid', 'true');
    await publishButton().click();
    await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 20_000 }).toBeVisible();
  });

  it.each([
    ['spam_risk_too_many_posts', 403, 'Try again'],
    ['scope_not_authorized', 401, 'Reconnect on the Accounts screen'],
    ['rate_limit_exceeded', 429, 'Try again'],
  ])('TikTok’s %s: the seed’s message and its way forward', async (code, httpStatus, action) => {
    const { openId } = await openPublish();
    await formLoaded();
    await fillForm();
    await commands.addSandboxFault({
      endpoint: 'video_init',
      http_status: httpStatus,
      error_code: code,
      open_id: openId,
      count: 5,
    });
    await publishButton().click();
    await expect
      .element(errorAlert(), { timeout: 20_000 })
      .toHaveTextContent(describeTikTokError(code).userMessage);
    await expectOneWayOn(action);
  });

  it('the account was disconnected meanwhile (404): says not connected, with a link to Accounts', async () => {
    const { session, accountId } = await openPublish();
    await formLoaded();
    await fillForm();
    await apiAs(session, `/social-accounts/${accountId}`, { method: 'DELETE' });
    await publishButton().click();
    await expect.element(errorAlert()).toHaveTextContent(/not connected/i);
    await expectOneWayOn('Go to Accounts');
    await expect
      .element(page.getByRole('link', { name: 'Go to Accounts' }))
      .toHaveAttribute('href', '/accounts');
    await screenshotBoth('publish-error-not-connected');
  });

  it('TikTok refused the account’s tokens: says to reconnect, with a link to Accounts', async () => {
    const { openId } = await openPublish();
    await formLoaded();
    await fillForm();
    await commands.addSandboxFault({
      endpoint: 'video_init',
      http_status: 401,
      error_code: 'access_token_invalid',
      open_id: openId,
    });
    await commands.addSandboxFault({ endpoint: 'token', error_code: 'invalid_grant', open_id: openId });
    await publishButton().click();
    await expect.element(errorAlert(), { timeout: 20_000 }).toHaveTextContent(/reconnect/i);
    await expectOneWayOn('Reconnect on the Accounts screen');
    await expect
      .element(page.getByRole('link', { name: 'Reconnect on the Accounts screen' }))
      .toHaveAttribute('href', '/accounts');
  });
});
