/**
 * The publish form's rules (seed §3–§5, §7; tiktok-api.md §11 points 1–5), in real Chromium
 * against the real API and TikTok sandbox: what the creator's live settings allow, the video
 * checks, commercial content disclosure and the consent line.
 */
import { TITLE_MAX_LENGTH, titleLength } from '@cliprelay/contract';
import { commands, page, userEvent } from '@vitest/browser/context';
import { afterEach, describe, expect, it } from 'vitest';
import {
  brokenMp4,
  chooseFile,
  choosePrivacy,
  fillForm,
  formLoaded,
  openPublish,
  privacySelect,
  publishButton,
  sampleFile,
  videoInput,
} from '../../../testing/publish.ts';
import { renderApp, signInFreshUser } from '../../../testing/render-app.tsx';
import { screenshotAt, screenshotBoth } from '../../../testing/screenshots.ts';
import { NOT_A_VIDEO } from '../utils/video-checks.ts';

const MUSIC_URL = 'https://www.tiktok.com/legal/page/global/music-usage-confirmation/en';
const BRANDED_URL = 'https://www.tiktok.com/legal/page/global/bc-policy/en';
const blockers = () => page.getByText(/^To publish:/);

afterEach(async () => {
  await commands.restoreNetwork();
  await page.viewport(1280, 900);
});

describe('creator info', () => {
  it('is fetched on entry with a skeleton, then names the account that will post', async () => {
    const session = await signInFreshUser();
    const { openId } = await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Mia Moves',
      username: 'mia.moves',
    });
    // TikTok answers creator info slowly: the skeleton shows meanwhile.
    await commands.addSandboxFault({ endpoint: 'creator_info', delay_ms: 1500, open_id: openId });
    renderApp('/publish', { session });

    const skeleton = page.getByLabelText('Loading what this account can post');
    await expect.element(skeleton).toBeVisible();
    await screenshotBoth('publish-loading');
    await formLoaded();
    await expect.element(skeleton).not.toBeInTheDocument();
    await expect.element(page.getByText('@mia.moves', { exact: true })).toBeVisible();
    await expect.element(page.getByText('Posting to TikTok as')).toBeVisible();
    await screenshotBoth('publish-empty');
  });

  it('stops the form with the reason when the creator cannot post now, and Try again asks again', async () => {
    await openPublish({ banned: true });
    const stop = page.getByRole('alert');
    await expect.element(stop).toHaveTextContent("You can't post to TikTok right now");
    await expect.element(stop).toHaveTextContent(/banned|cannot post|can't post/i);
    await expect.element(page.getByLabelText('Video file')).not.toBeInTheDocument();
    await expect.element(publishButton()).not.toBeInTheDocument();
    await screenshotBoth('publish-error-cannot-post');

    await stop.getByRole('button', { name: 'Try again' }).click();
    await expect.element(page.getByRole('alert')).toHaveTextContent("You can't post to TikTok right now");
  });

  it('stops the form when the creator reached TikTok’s daily post cap', async () => {
    await openPublish({ posts_today: 15 });
    await expect.element(page.getByRole('alert')).toHaveTextContent(/too many posts|posted a lot|later/i);
    await expect.element(publishButton()).not.toBeInTheDocument();
  });

  it('is kept for the form session: editing the form does not ask TikTok again', async () => {
    const { openId } = await openPublish();
    await formLoaded();
    // Were creator info fetched again, this fault would stop the form.
    await commands.addSandboxFault({
      endpoint: 'creator_info',
      error_code: 'spam_risk_user_banned_from_posting',
      open_id: openId,
    });
    await fillForm({ caption: 'Morning walk' });
    await expect.element(page.getByRole('alert')).not.toBeInTheDocument();
  });
});

describe('choosing the account', () => {
  it('with two accounts, says to choose one; the choice is remembered for the next visit', async () => {
    const session = await signInFreshUser();
    await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Mia Moves',
      username: 'mia.moves',
    });
    await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Leo Bakes',
      username: 'leo.bakes',
    });
    const first = renderApp('/publish', { session });
    const picker = page.getByPlaceholder('Choose an account');
    await expect.element(picker).toHaveValue('');
    const hint = page.getByRole('heading', { name: 'Choose the account to post to' });
    await expect.element(hint).toBeVisible();
    await expect.element(page.getByText(/You have 2 TikTok accounts connected/)).toBeVisible();
    await screenshotBoth('publish-choose-account');

    await picker.click();
    await page.getByRole('option', { name: /Leo Bakes/ }).click();
    await formLoaded('Leo Bakes');
    await expect.element(hint).not.toBeInTheDocument();
    first.screen.unmount();

    // The next visit, with no account in the address: the one used last.
    const again = renderApp('/publish', { session });
    await formLoaded('Leo Bakes');
    await expect.element(page.getByPlaceholder('Choose an account')).toHaveValue('Leo Bakes (@leo.bakes)');
    expect(again.router.state.location.search).toBe('');
  });
});

describe('on a phone', () => {
  it('keeps Publish in a bar at the bottom of the screen; on a desktop it ends the form', async () => {
    await openPublish();
    await formLoaded();
    const bar = page.getByTestId('publish-bar');
    expect(getComputedStyle(bar.element()).position).not.toBe('fixed');

    await page.viewport(375, 812);
    await expect.poll(() => getComputedStyle(bar.element()).position).toBe('fixed');
    window.scrollTo(0, 0);
    const rect = publishButton().element().getBoundingClientRect();
    // Visible without scrolling, at the bottom of the screen, though the form is much taller.
    expect(document.documentElement.scrollHeight).toBeGreaterThan(812 * 1.5);
    expect(rect.top).toBeGreaterThan(812 - 120);
    expect(rect.bottom).toBeLessThanOrEqual(812);
    expect(rect.width).toBeGreaterThan(300);
    // The end of the form scrolls clear of the bar.
    // Polled: the page's height settles a frame or two after the resize (the bar's own height,
    // and with it the room kept for it below the form, follows its text's wrapping).
    await expect
      .poll(() => {
        window.scrollTo(0, document.documentElement.scrollHeight);
        const consent = page.getByTestId('consent-line').element().getBoundingClientRect();
        return bar.element().getBoundingClientRect().top - consent.bottom;
      })
      .toBeGreaterThanOrEqual(0);
    await screenshotAt('publish-phone-bar', 'phone');
  });
});

describe('post settings', () => {
  it('offers only the creator’s privacy options, with no default; Publish waits for a choice', async () => {
    await openPublish({ private_account: true });
    await formLoaded();
    await expect.element(privacySelect()).toHaveValue('');
    await chooseFile(await sampleFile());

    await expect.element(publishButton()).toBeDisabled();
    // The reasons keep their case: whole sentences, as written.
    await expect.element(blockers()).toHaveTextContent('To publish: Choose who can view this video.');

    await privacySelect().click();
    const options = page.getByRole('option');
    await expect.element(options.first()).toBeVisible();
    const labels = options.elements().map((o) => o.textContent);
    // A private account: no "Everyone" (TikTok would refuse it).
    expect(labels).toEqual(['Friends (followers you follow back)', 'Followers', 'Only me']);
    await page.getByRole('option', { name: 'Only me' }).click();
    await expect.element(publishButton()).toBeEnabled();
    await expect.element(blockers()).not.toBeInTheDocument();
  });

  it('has Allow comments, Duet and Stitch off by default, and lets the user turn them on', async () => {
    // A public account: TikTok disables Duet and Stitch on private ones.
    await openPublish({ private_account: false });
    await formLoaded();
    for (const name of ['Allow comments', 'Allow Duet', 'Allow Stitch']) {
      const toggle = page.getByRole('switch', { name });
      await expect.element(toggle).not.toBeChecked();
      await expect.element(toggle).toBeEnabled();
    }
    await page.getByRole('switch', { name: 'Allow comments' }).click();
    await expect.element(page.getByRole('switch', { name: 'Allow comments' })).toBeChecked();
  });

  it('greys out and keeps off what the creator disabled, with a tooltip saying why', async () => {
    await openPublish({ private_account: false, comment_disabled: true, stitch_disabled: true });
    await formLoaded();
    const comments = page.getByRole('switch', { name: 'Allow comments' });
    await expect.element(comments).toBeDisabled();
    await expect.element(comments).not.toBeChecked();
    await expect.element(page.getByRole('switch', { name: 'Allow Stitch' })).toBeDisabled();
    await expect.element(page.getByRole('switch', { name: 'Allow Duet' })).toBeEnabled();

    await page.getByLabelText('Allow comments: Comments are disabled on your TikTok account.').hover();
    await expect
      .element(page.getByRole('tooltip'))
      .toHaveTextContent('Comments are disabled on your TikTok account.');
    await screenshotBoth('publish-creator-disabled-interactions');
  });

  it('counts the caption live against the limit and blocks Publish when it is too long', async () => {
    await openPublish();
    await formLoaded();
    await fillForm();
    const caption = page.getByLabelText('Caption');
    const text = 'Morning walk 🌅 #city';
    await caption.fill(text);
    await expect.element(page.getByText(`${titleLength(text)} / ${TITLE_MAX_LENGTH}`)).toBeVisible();

    await caption.fill('x'.repeat(TITLE_MAX_LENGTH + 1));
    await expect.element(page.getByText(`${TITLE_MAX_LENGTH + 1} / ${TITLE_MAX_LENGTH}`)).toBeVisible();
    await expect.element(publishButton()).toBeDisabled();
    await expect.element(blockers()).toHaveTextContent(`Shorten the caption to ${TITLE_MAX_LENGTH}`);
  });

  it('has the AI-generated label off by default', async () => {
    await openPublish();
    await formLoaded();
    const aigc = page.getByRole('switch', { name: 'AI-generated content' });
    await expect.element(aigc).not.toBeChecked();
    await aigc.click();
    await expect.element(aigc).toBeChecked();
  });
});

describe('the video from the device', () => {
  it('accepts only video files, shows a preview and the video’s length', async () => {
    await openPublish();
    await formLoaded();
    await expect.element(page.getByRole('button', { name: 'Video file' })).toBeVisible();
    await expect.element(videoInput()).toHaveAttribute('accept', 'video/*');

    await chooseFile(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    await expect.element(page.getByText(/This file is not a video/)).toBeVisible();

    await chooseFile(await sampleFile('city-walk.mp4'));
    await expect.element(page.getByText(/This file is not a video/)).not.toBeInTheDocument();
    await expect.element(page.getByLabelText('Preview of city-walk.mp4')).toBeVisible();
    await expect.element(page.getByTestId('video-facts')).toHaveTextContent('0:04');
  });

  it('refuses a video longer than the creator may post, read from the file', async () => {
    await openPublish({ max_video_post_duration_sec: 3 });
    await formLoaded();
    // The account's limit is said up front, before any file is chosen.
    await expect
      .element(page.getByTestId('max-duration'))
      .toHaveTextContent('This account can post videos up to 0:03 long.');
    await fillForm({ file: await sampleFile('sunset-timelapse.mp4') });

    await chooseFile(await sampleFile('colour-bars.mp4'));
    const problem = page.getByText(/This video is 0:05 long\. This account can post videos up to 0:03/);
    await expect.element(problem).toBeVisible();
    await expect.element(publishButton()).toBeDisabled();
    // Said once in full by the video; the list of what stops Publish says it in a few words.
    await expect
      .element(blockers())
      .toHaveTextContent('Choose a shorter video: this account can post up to 0:03.');
    await screenshotBoth('publish-error-too-long');
  });

  it('refuses a file over 4 GiB and warns about one over 500 MB', async () => {
    await openPublish();
    await formLoaded();
    // Sizes are what the browser reports; the bytes never leave the page in this test.
    const huge = brokenMp4(1024, 'huge.mp4');
    Object.defineProperty(huge, 'size', { value: 4 * 1024 ** 3 + 1 });
    await chooseFile(huge);
    await expect.element(page.getByText(/Video file is too large\. Maximum size is 4 GB/)).toBeVisible();
    await expect.element(publishButton()).toBeDisabled();
    // Units and names keep their case ("4 GB", not "4 gb").
    await expect.element(blockers()).toHaveTextContent('Choose a smaller video: this one is over 4 GB.');
    expect(document.body.textContent).not.toMatch(/\bgb\b/);

    const large = await sampleFile();
    Object.defineProperty(large, 'size', { value: 600 * 1024 ** 2 });
    await chooseFile(large);
    await expect.element(page.getByText(/This is a large video \(600/)).toBeVisible();
    await choosePrivacy('Followers');
    await expect.element(publishButton()).toBeEnabled();
  });

  it('refuses a text file renamed .mp4 before upload, by its first bytes, with one message', async () => {
    const { openId } = await openPublish();
    await formLoaded();
    // What a browser reports for a renamed file: the type comes from the name.
    const fake = new File(['These are my notes, not a video.\n'.repeat(50)], 'notes.mp4', {
      type: 'video/mp4',
    });
    await chooseFile(fake);
    const message = page.getByText(NOT_A_VIDEO, { exact: true });
    await expect.element(message).toBeVisible();
    expect(page.getByText(NOT_A_VIDEO).all()).toHaveLength(1);
    await expect.element(page.getByText(/couldn't read this video's length/)).not.toBeInTheDocument();
    await expect.element(page.getByLabelText('Preview of notes.mp4')).not.toBeInTheDocument();
    await choosePrivacy('Followers');
    await expect.element(publishButton()).toBeDisabled();
    await expect
      .element(blockers())
      .toHaveTextContent('To publish: Choose a video file: this one is not a video.');
    await screenshotBoth('publish-error-not-a-video');
    // Nothing went to the server or TikTok.
    expect((await commands.sandboxPublishes()).filter((p) => p.open_id === openId)).toEqual([]);

    // A real WebM (its EBML header) and a real MP4 (its ftyp box) pass the same check.
    const webm = new File([new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81])], 'clip.webm', {
      type: 'video/webm',
    });
    await chooseFile(webm);
    await expect.element(page.getByText(NOT_A_VIDEO)).not.toBeInTheDocument();
    await chooseFile(await sampleFile());
    await expect.element(page.getByText(NOT_A_VIDEO)).not.toBeInTheDocument();
    await expect.element(publishButton()).toBeEnabled();
  });

  it('warns when the browser cannot read the length, and leaves the check to TikTok', async () => {
    await openPublish();
    await formLoaded();
    await chooseFile(brokenMp4());
    await expect.element(page.getByText(/couldn't read this video's length/)).toBeVisible();
    await choosePrivacy('Followers');
    await expect.element(publishButton()).toBeEnabled();
  });
});

describe('the video from the media library', () => {
  it('lists the library, previews the chosen video and checks its length', async () => {
    const { session } = await openPublish({ max_video_post_duration_sec: 4 });
    await commands.addMediaLibrary(session.access_token);
    await formLoaded();
    await page.getByText('Media library', { exact: true }).click();

    const library = page.getByRole('radiogroup', { name: 'Media library' });
    await expect.element(library).toBeVisible();
    await library.getByText('Colour bars').click();
    await expect.element(page.getByText(/This video is 0:05 long/)).toBeVisible();

    await library.getByText('City walk').click();
    await expect.element(page.getByText(/This video is 0:05 long/)).not.toBeInTheDocument();
    await expect.element(page.getByLabelText('Preview of City walk')).toBeVisible();
    await choosePrivacy('Followers');
    await expect.element(publishButton()).toBeEnabled();
    await screenshotBoth('publish-media-library');
  });
});

describe('commercial content disclosure', () => {
  it('is off by default; on, it needs Your brand or Branded content and names TikTok’s label', async () => {
    await openPublish({ private_account: false });
    await formLoaded();
    await fillForm({ privacy: 'Everyone', caption: 'New drop' });
    const disclosure = page.getByRole('switch', { name: 'Content Disclosure Setting' });
    await expect.element(disclosure).not.toBeChecked();
    await expect.element(page.getByRole('checkbox', { name: /Your brand/ })).not.toBeInTheDocument();

    await page.getByRole('switch', { name: 'Content Disclosure Setting' }).click();
    await expect.element(page.getByRole('checkbox', { name: /Your brand/ })).not.toBeChecked();
    await expect.element(page.getByRole('checkbox', { name: /Branded content/ })).not.toBeChecked();
    await expect.element(publishButton()).toBeDisabled();
    // The hover text TikTok's audit asks for, on the disabled button.
    await publishButton().hover();
    await expect
      .element(page.getByRole('tooltip'))
      .toHaveTextContent('You need to indicate if your content promotes yourself, a third party, or both.');

    await page.getByRole('checkbox', { name: /Your brand/ }).click();
    await expect
      .element(page.getByText("Your photo/video will be labeled as 'Promotional content'"))
      .toBeVisible();
    await expect.element(publishButton()).toBeEnabled();
    const consent = page.getByTestId('consent-line');
    await expect
      .element(consent)
      .toHaveTextContent("By posting, you agree to TikTok's Music Usage Confirmation.");

    await page.getByRole('checkbox', { name: /Branded content/ }).click();
    await expect
      .element(page.getByText("Your photo/video will be labeled as 'Paid partnership'"))
      .toBeVisible();
    await expect
      .element(consent)
      .toHaveTextContent(
        "By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation.",
      );
    await expect
      .element(consent.getByRole('link', { name: 'Branded Content Policy' }))
      .toHaveAttribute('href', BRANDED_URL);
    await expect
      .element(consent.getByRole('link', { name: 'Music Usage Confirmation' }))
      .toHaveAttribute('href', MUSIC_URL);
    await screenshotBoth('publish-form-filled');

    // Only branded content: still "Paid partnership".
    await page.getByRole('checkbox', { name: /Your brand/ }).click();
    await expect
      .element(page.getByText("Your photo/video will be labeled as 'Paid partnership'"))
      .toBeVisible();
  });

  it('never lets branded content be private, whichever is chosen first', async () => {
    await openPublish({ private_account: false });
    await formLoaded();
    await fillForm({ privacy: 'Only me' });
    await page.getByRole('switch', { name: 'Content Disclosure Setting' }).click();
    // "Only me" first: Branded content cannot be added, and says why.
    const branded = page.getByRole('checkbox', { name: /Branded content/ });
    await expect.element(branded).toBeDisabled();
    await expect
      .element(
        page.getByText(/Branded content visibility cannot be set to private\. Choose another audience/),
      )
      .toBeVisible();

    // Branded content first: "Only me" cannot be chosen, with TikTok's hover text.
    await choosePrivacy('Everyone');
    await expect.element(branded).toBeEnabled();
    await page.getByRole('checkbox', { name: /Branded content/ }).click();
    await expect.element(branded).toBeChecked();
    await privacySelect().click();
    const onlyMe = page.getByRole('option', { name: 'Only me' });
    await expect.element(onlyMe).toHaveAttribute('data-combobox-disabled', 'true');
    await expect
      .element(page.getByText(/^Branded content visibility cannot be set to private\.$/))
      .toBeVisible();
    await onlyMe.getByText('Only me').hover();
    await expect
      .element(page.getByRole('tooltip'))
      .toHaveTextContent('Branded content visibility cannot be set to private.');
    await onlyMe.click({ force: true });
    await userEvent.keyboard('{Escape}');
    await expect.element(privacySelect()).toHaveValue('Everyone');
  });
});

describe('the consent line', () => {
  it('sits before Publish and links TikTok’s Music Usage Confirmation', async () => {
    await openPublish();
    await formLoaded();
    const consent = page.getByTestId('consent-line');
    await expect
      .element(consent)
      .toHaveTextContent("By posting, you agree to TikTok's Music Usage Confirmation.");
    await expect
      .element(consent.getByRole('link', { name: 'Music Usage Confirmation' }))
      .toHaveAttribute('href', MUSIC_URL);
    const before = consent.element().compareDocumentPosition(publishButton().element());
    expect(before & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});

describe('keyboard and screen readers', () => {
  it('can be filled and published with the keyboard alone, and announces progress and errors', async () => {
    await openPublish({ private_account: false });
    await formLoaded();
    await chooseFile(await sampleFile());

    // Caption → privacy → the switches, in reading order.
    await page.getByLabelText('Caption').click();
    await userEvent.keyboard('Hello from the keyboard');
    await userEvent.tab();
    expect(document.activeElement).toBe(privacySelect().element());
    await userEvent.keyboard('{ArrowDown}');
    await userEvent.keyboard('{ArrowDown}');
    await userEvent.keyboard('{Enter}');
    await expect.element(privacySelect()).not.toHaveValue('');
    await userEvent.tab();
    expect(document.activeElement).toBe(page.getByRole('switch', { name: 'Allow comments' }).element());
    await userEvent.keyboard(' ');
    await expect.element(page.getByRole('switch', { name: 'Allow comments' })).toBeChecked();

    // The live regions a screen reader announces: the caption counter, progress and errors.
    expect(page.getByText(`23 / ${TITLE_MAX_LENGTH}`).element().closest('[aria-live]')).not.toBeNull();
    // On through the rest of the form to Publish.
    for (let i = 0; i < 15 && document.activeElement !== publishButton().element(); i++) {
      await userEvent.tab();
    }
    expect(document.activeElement).toBe(publishButton().element());
    await userEvent.keyboard('{Enter}');
    await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 20_000 }).toBeVisible();
    expect(page.getByTestId('live-status').element().getAttribute('aria-live')).toBe('polite');
  });
});
