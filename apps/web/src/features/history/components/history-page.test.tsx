import type { MediaItem, PublishInitData, PublishInitRequest } from '@cliprelay/contract';
import { MantineProvider } from '@mantine/core';
import { commands, page } from '@vitest/browser/context';
import { MemoryRouter } from 'react-router';
import { render } from 'vitest-browser-react';
import { afterEach, describe, expect, it } from 'vitest';
import { theme } from '../../../app/theme.ts';
import { apiAs, renderApp, signInFreshUser, type TestSession } from '../../../testing/render-app.tsx';
import { postSummary } from '../../../testing/fixtures.ts';
import { screenshotBoth } from '../../../testing/screenshots.ts';
import { PostCards } from './post-cards.tsx';
import { PostTable } from './post-table.tsx';

const PICTURE_SIZE_MESSAGE =
  'TikTok could not process this video because of its resolution. Please use a video from 360 to 4096 pixels wide and high, and try again.';

/** Publishes one of the user's media library videos through our API, as the publish screen does. */
async function publishFromLibrary(
  session: TestSession,
  accountId: string,
  settings: Partial<PublishInitRequest> = {},
  headers: Record<string, string> = {},
): Promise<PublishInitData> {
  const [video] = await apiAs<MediaItem[]>(session, '/media');
  return apiAs<PublishInitData>(session, '/tiktok/publish/init', {
    method: 'POST',
    headers,
    body: JSON.stringify({
      socialAccountId: accountId,
      privacy_level: 'SELF_ONLY',
      source_type: 'PULL_FROM_URL',
      video_url: video?.url,
      ...settings,
    } satisfies PublishInitRequest),
  });
}

/** Waits until TikTok (the sandbox) has finished with a publish, and returns its status there. */
async function settledAtTikTok(publishId: string): Promise<string> {
  let status = '';
  await expect
    .poll(
      async () => {
        ({ status } = await commands.sandboxPublish(publishId));
        return status;
      },
      { timeout: 10_000, interval: 100 },
    )
    .toMatch(/^(PUBLISH_COMPLETE|FAILED)$/);
  return status;
}

/** A signed-in user with one TikTok account (private unless said otherwise) and media. */
async function userWithAccount(creator: { private_account?: boolean } = {}) {
  const session = await signInFreshUser();
  const account = await commands.connectTikTokAccount(session.access_token, {
    nickname: 'Mia Moves',
    username: 'mia.moves',
    ...creator,
  });
  await commands.addMediaLibrary(session.access_token);
  return { session, ...account };
}

const postsTable = () => page.getByRole('table', { name: 'Your posts' });
const postCards = () => page.getByRole('list', { name: 'Your posts' });
/** Data rows of the table (row 0 is the header). */
const tableRow = (n: number) =>
  postsTable()
    .getByRole('row')
    .nth(n + 1);

afterEach(async () => {
  await commands.restoreNetwork();
  await page.viewport(1280, 900);
});

describe('history screen', () => {
  it('links a public post to TikTok once TikTok gives its post id', async () => {
    const { session, accountId } = await userWithAccount({ private_account: false });
    const { publish_id } = await publishFromLibrary(session, accountId, {
      title: 'Out in public',
      privacy_level: 'PUBLIC_TO_EVERYONE',
    });
    renderApp('/history', { session });
    const row = tableRow(0);
    await expect.element(row).toHaveTextContent('Out in public');
    // The post id comes after TikTok's review, a few seconds after "published".
    const link = row.getByRole('link', { name: /View on TikTok/ });
    await expect.element(link, { timeout: 30_000 }).toBeVisible();
    const { post_ids } = await commands.sandboxPublish(publish_id);
    expect(link.element().getAttribute('href')).toBe(
      `https://www.tiktok.com/@mia.moves/video/${post_ids[0] ?? 'missing'}`,
    );
  }, 60_000);

  it('lists the posts newest first with their status, account, source, privacy and TikTok’s reason for a failure', async () => {
    const { session, accountId, openId } = await userWithAccount();

    // Oldest: TikTok's processing fails it (its fail_reason), the way a too-small video would.
    await commands.addSandboxFault({
      endpoint: 'processing',
      error_code: 'picture_size_check_failed',
      open_id: openId,
    });
    const failed = await publishFromLibrary(session, accountId, { title: 'Beach day' });
    const [libraryVideo] = await apiAs<MediaItem[]>(session, '/media');
    const libraryVideoName = libraryVideo?.url.split('/').pop() ?? 'missing';
    expect(await settledAtTikTok(failed.publish_id)).toBe('FAILED');
    const untitled = await publishFromLibrary(session, accountId, { title: '' });
    expect(await settledAtTikTok(untitled.publish_id)).toBe('PUBLISH_COMPLETE');
    const sunset = await publishFromLibrary(session, accountId, {
      title: 'Sunset timelapse #golden',
      privacy_level: 'SELF_ONLY',
    });
    expect(await settledAtTikTok(sunset.publish_id)).toBe('PUBLISH_COMPLETE');
    // Newest: a file upload that was started but whose bytes never reached TikTok: still processing.
    await apiAs<PublishInitData>(session, '/tiktok/publish/init', {
      method: 'POST',
      body: JSON.stringify({
        socialAccountId: accountId,
        title: 'Half uploaded',
        privacy_level: 'SELF_ONLY',
        source_type: 'FILE_UPLOAD',
        video_size: 1_000_000,
      } satisfies PublishInitRequest),
    });

    renderApp('/history', { session });
    await expect.element(page.getByRole('heading', { level: 1, name: 'Publish history' })).toBeVisible();
    await expect.element(postsTable()).toBeVisible();
    expect(postsTable().getByRole('row').all()).toHaveLength(5);

    const processing = tableRow(0);
    await expect.element(processing).toHaveTextContent(/^Half uploadedFrom your device/);
    await expect.element(processing.getByText('Processing')).toBeVisible();
    await expect.element(processing.getByText('Mia Moves')).toBeVisible();
    await expect.element(processing.getByText('@mia.moves')).toBeVisible();

    // The page asks TikTok about posts the history still records as processing.
    const newest = tableRow(1);
    await expect.element(newest).toHaveTextContent(/^Sunset timelapse #goldenFrom your media library/);
    await expect.element(newest.getByText('Published')).toBeVisible();
    await expect.element(newest.getByText('Only me')).toBeVisible();
    await expect.element(newest.getByText('just now')).toBeVisible();
    // The publish id is for support: folded away under Details, not up front.
    const newestId = newest.getByText(`Publish ID: ${sunset.publish_id}`);
    await expect.element(newestId).not.toBeVisible();
    await newest.getByText('Details', { exact: true }).click();
    await expect.element(newestId).toBeVisible();
    await expect.element(newest.getByText('No public link for this post')).toBeVisible();
    await expect.element(newest.getByTestId('failure')).not.toBeInTheDocument();

    // No caption: the row is named by its video, and says it has no caption.
    const middle = tableRow(2);
    await expect.element(middle.getByText(libraryVideoName, { exact: true })).toBeVisible();
    await expect.element(middle.getByText('No caption', { exact: true })).toBeVisible();
    await expect.element(middle.getByText('Published')).toBeVisible();
    expect(document.body.textContent).not.toContain('Untitled video');

    // A picture per row: a library video's own first frame, a placeholder for a device file.
    await expect.element(middle.getByTestId('post-thumbnail')).toBeVisible();
    expect(
      middle.getByTestId('post-thumbnail').element().querySelector('video')?.getAttribute('src'),
    ).toMatch(/\.mp4#t=0\.5$/);
    expect(processing.getByTestId('post-thumbnail').element().querySelector('video')).toBeNull();
    // Only a failed post offers to try again.
    await expect
      .element(newest.getByRole('button', { name: /Try again with the same settings/ }))
      .not.toBeInTheDocument();

    const oldest = tableRow(3);
    await expect.element(oldest).toHaveTextContent(/^Beach day/);
    await expect.element(oldest.getByText('Failed', { exact: true })).toBeVisible();
    await expect.element(oldest.getByText(PICTURE_SIZE_MESSAGE)).toBeVisible();
    await expect
      .element(oldest.getByRole('button', { name: /^Try again with the same settings/ }))
      .toBeVisible();
    // TikTok's code and the publish id are in the details.
    await expect.element(oldest.getByText('picture_size_check_failed', { exact: true })).not.toBeVisible();
    await oldest.getByText('Details', { exact: true }).click();
    await expect.element(oldest.getByText('picture_size_check_failed', { exact: true })).toBeVisible();
    await expect.element(oldest.getByText(`Publish ID: ${failed.publish_id}`)).toBeVisible();
    await expect.element(oldest.getByText('View on TikTok')).not.toBeInTheDocument();

    // The badges' colours: processing blue, published green, failed red.
    const badgeRgb = (row: ReturnType<typeof tableRow>) => {
      const color = getComputedStyle(row.getByText(/^(Processing|Published|Failed)$/).element()).color;
      const [r = 0, g = 0, b = 0] = (color.match(/\d+/g) ?? []).map(Number);
      return { r, g, b };
    };
    const blue = badgeRgb(processing);
    expect(blue.b).toBeGreaterThan(Math.max(blue.r, blue.g));
    const green = badgeRgb(newest);
    expect(green.g).toBeGreaterThan(Math.max(green.r, green.b));
    const red = badgeRgb(oldest);
    expect(red.r).toBeGreaterThan(Math.max(red.g, red.b));

    await screenshotBoth('history');

    // On a phone the same posts are cards, in the same order, and nothing scrolls sideways.
    await page.viewport(375, 812);
    await expect.element(postCards()).toBeVisible();
    await expect.element(postsTable()).not.toBeInTheDocument();
    const cards = postCards().getByRole('listitem');
    expect(cards.all()).toHaveLength(4);
    await expect.element(cards.nth(0)).toHaveAccessibleName('Half uploaded');
    await expect.element(cards.nth(1)).toHaveAccessibleName('Sunset timelapse #golden');
    await expect.element(cards.nth(2)).toHaveAccessibleName(libraryVideoName);
    const failedCard = postCards().getByRole('listitem', { name: 'Beach day' });
    await expect.element(failedCard.getByText('Failed', { exact: true })).toBeVisible();
    await expect.element(failedCard.getByText(PICTURE_SIZE_MESSAGE)).toBeVisible();
    await expect
      .element(failedCard.getByRole('button', { name: /^Try again with the same settings/ }))
      .toBeVisible();
    await failedCard.getByText('Details', { exact: true }).click();
    await expect.element(failedCard.getByText('picture_size_check_failed', { exact: true })).toBeVisible();
    await expect.element(failedCard.getByText('From your media library')).toBeVisible();
    await expect.element(failedCard.getByText('Who can view: Only me')).toBeVisible();
    expect(document.documentElement.scrollWidth).toBeLessThanOrEqual(375);
  });

  it('a post still processing shows Processing, then updates by itself when TikTok is done', async () => {
    const { session, accountId } = await userWithAccount();
    // TikTok takes its time: its clock goes back 30 s, so processing ends 30 s from now.
    await commands.advanceSandboxClock(-30);
    let restored = false;
    try {
      const post = await publishFromLibrary(session, accountId, { title: 'Skate park' });
      renderApp('/history', { session });
      const row = tableRow(0);
      await expect.element(row.getByText('Skate park')).toBeVisible();
      await expect.element(row.getByText('Processing')).toBeVisible();

      // TikTok finishes; our server hears of it and the page, reading our history again, shows it.
      await commands.advanceSandboxClock(30);
      restored = true;
      await expect.element(row.getByText('Published'), { timeout: 15_000 }).toBeVisible();
      await expect.element(row.getByText('Processing')).not.toBeInTheDocument();
      // No browser made TikTok be asked: its webhook told our server.
      expect((await commands.sandboxPublish(post.publish_id)).status_fetches).toBe(0);
    } finally {
      if (!restored) await commands.advanceSandboxClock(30);
    }
  });

  it('a submit that needed Try again is one row, with its failed attempt under it', async () => {
    const { session, accountId, openId } = await userWithAccount();
    await commands.addSandboxFault({
      endpoint: 'video_init',
      error_code: 'spam_risk_too_many_posts',
      open_id: openId,
    });
    const key = crypto.randomUUID();
    const headers = { 'idempotency-key': key };
    await expect(publishFromLibrary(session, accountId, { title: 'Second try' }, headers)).rejects.toThrow(
      /HTTP 403|HTTP 400/,
    );
    await publishFromLibrary(session, accountId, { title: 'Second try' }, headers);

    renderApp('/history', { session });
    await expect.element(tableRow(0).getByText('Second try')).toBeVisible();
    expect(postsTable().getByRole('row').all()).toHaveLength(2);
    const attempts = tableRow(0).getByTestId('earlier-attempts');
    await expect.element(attempts).toHaveTextContent('Tried 2 times: the first attempt failed.');
    await attempts.getByText('Tried 2 times').click();
    await expect
      .element(attempts.getByRole('listitem'))
      .toHaveTextContent(/posted too many videos|daily|limit/i);
    await screenshotBoth('history-retried-submit');
  });

  it('Try again with the same settings opens the publish screen filled in from a failed post', async () => {
    const session = await signInFreshUser();
    await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Leo Bakes',
      username: 'leo.bakes',
    });
    const { accountId, openId } = await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Mia Moves',
      username: 'mia.moves',
      private_account: false,
    });
    await commands.addMediaLibrary(session.access_token);
    await commands.addSandboxFault({
      endpoint: 'processing',
      error_code: 'picture_size_check_failed',
      open_id: openId,
    });
    const failed = await publishFromLibrary(session, accountId, {
      title: 'Beach day #sea',
      privacy_level: 'MUTUAL_FOLLOW_FRIENDS',
      disable_comment: false,
      disable_duet: true,
      disable_stitch: true,
    });
    expect(await settledAtTikTok(failed.publish_id)).toBe('FAILED');

    const { router } = renderApp('/history', { session });
    const row = tableRow(0);
    await expect.element(row.getByText('Failed', { exact: true })).toBeVisible();
    await row.getByRole('button', { name: /^Try again with the same settings/ }).click();

    // The publish screen, for the post's account (not the other one), filled in from it.
    await expect.element(page.getByRole('heading', { name: 'Publish to TikTok' })).toBeVisible();
    expect(router.state.location.pathname).toBe('/publish');
    await expect.element(page.getByTestId('creator-nickname')).toHaveTextContent('Mia Moves');
    await expect.element(page.getByText('Same settings as your earlier post')).toBeVisible();
    await expect.element(page.getByLabelText('Caption')).toHaveValue('Beach day #sea');
    await expect
      .element(page.getByPlaceholder('Choose who can view'))
      .toHaveValue('Friends (followers you follow back)');
    await expect.element(page.getByRole('switch', { name: 'Allow comments' })).toBeChecked();
    await expect.element(page.getByRole('switch', { name: 'Allow Duet' })).not.toBeChecked();
    const [video] = await apiAs<MediaItem[]>(session, '/media');
    await expect
      .element(page.getByRole('radiogroup', { name: 'Media library' }).getByRole('radio', { checked: true }))
      .toHaveAccessibleName(new RegExp(video?.title ?? 'missing'));
    await expect.element(page.getByRole('button', { name: 'Publish', exact: true })).toBeEnabled();
    await screenshotBoth('publish-prefilled');

    // Published as it was set: the same video and settings reach TikTok.
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect.element(page.getByText('Video submitted to TikTok'), { timeout: 20_000 }).toBeVisible();
    const publishId = page.getByTestId('publish-id').element().textContent ?? '';
    const received = await commands.sandboxPublish(publishId);
    expect(received.post_info.title).toBe('Beach day #sea');
    expect(received.post_info.privacy_level).toBe('MUTUAL_FOLLOW_FRIENDS');
  });

  it('with no posts, says so and links to the publish screen', async () => {
    const session = await signInFreshUser();
    renderApp('/history', { session });

    await expect.element(page.getByRole('heading', { name: 'No posts yet' })).toBeVisible();
    await expect
      .element(page.getByRole('link', { name: 'Publish a video' }))
      .toHaveAttribute('href', '/publish');
    await screenshotBoth('history-empty');
  });

  it('shows an announced loading state until the history arrives', async () => {
    const session = await signInFreshUser();
    const announced = new Set<string>();
    const observer = new MutationObserver(() => {
      for (const el of document.querySelectorAll('[role="status"]')) announced.add(el.textContent ?? '');
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    try {
      renderApp('/history', { session });
      await expect.element(page.getByRole('heading', { name: 'No posts yet' })).toBeVisible();
    } finally {
      observer.disconnect();
    }
    expect([...announced]).toContain('Loading your publish history…');
    await expect.element(page.getByText('Loading your publish history…')).not.toBeInTheDocument();
  });

  it('when the history cannot be loaded, says so and Try again loads it', async () => {
    const session = await signInFreshUser();
    await commands.failNetwork('/tiktok/posts');
    renderApp('/history', { session });

    const alert = page.getByRole('alert').filter({ hasText: 'Could not load your publish history' });
    await expect
      .element(alert.getByText('Could not reach the server. Please check your connection and try again.'))
      .toBeVisible();
    await alert.getByRole('button', { name: 'Try again' }).click();
    await expect.element(page.getByRole('heading', { name: 'No posts yet' })).toBeVisible();
    await expect.element(alert).not.toBeInTheDocument();
  });

  it('Refresh shows a post published since the page was opened', async () => {
    const { session, accountId } = await userWithAccount();
    renderApp('/history', { session });
    await expect.element(page.getByRole('heading', { name: 'No posts yet' })).toBeVisible();

    const post = await publishFromLibrary(session, accountId, { title: 'From another tab' });
    await settledAtTikTok(post.publish_id);
    await page.getByRole('button', { name: 'Refresh' }).click();
    const row = tableRow(0);
    await expect.element(row.getByText('From another tab')).toBeVisible();
    await expect.element(row.getByText('Published')).toBeVisible();
  });
});

describe('a public post TikTok gave an id', () => {
  // The table's and the cards' link, on a row made here (the real link is tested above).
  const url = 'https://www.tiktok.com/@mia.moves/video/7234567890123456789';

  it('links to the post on TikTok, in the table and on a card', async () => {
    const post = postSummary();
    render(
      <MantineProvider theme={theme}>
        <MemoryRouter>
          <PostTable posts={[post]} now={Date.now()} />
          <PostCards posts={[post]} now={Date.now()} />
        </MemoryRouter>
      </MantineProvider>,
    );
    const links = page.getByRole('link', { name: /^View on TikTok/ });
    expect(links.all()).toHaveLength(2);
    for (const link of links.all()) {
      await expect.element(link).toHaveAttribute('href', url);
      await expect.element(link).toHaveAttribute('target', '_blank');
      await expect.element(link).toHaveAccessibleName('View on TikTok (Dance challenge, opens in a new tab)');
    }
    await expect.element(page.getByRole('table').getByText('Everyone')).toBeVisible();
    await expect.element(page.getByRole('table').getByText('From your device')).toBeVisible();
  });

  it('a failed post with only a fail_reason words it from TikTok’s catalogue', async () => {
    const post = postSummary({
      local_status: 'failed',
      tiktok_status: 'FAILED',
      fail_reason: 'spam_risk_text',
      post_ids: [],
      privacy_level: 'FOLLOWER_OF_CREATOR',
      account_display_name: null,
    });
    render(
      <MantineProvider theme={theme}>
        <MemoryRouter>
          <PostTable posts={[post]} now={Date.now()} />
        </MemoryRouter>
      </MantineProvider>,
    );
    const table = page.getByRole('table');
    await expect
      .element(
        table.getByText("TikTok flagged this post's caption. Please change the caption and try again."),
      )
      .toBeVisible();
    await table.getByText('Details', { exact: true }).click();
    await expect.element(table.getByText('spam_risk_text', { exact: true })).toBeVisible();
    await expect.element(table.getByText('Followers')).toBeVisible();
    await expect.element(table.getByText('@mia.moves')).toBeVisible();
    await expect.element(table.getByRole('link')).not.toBeInTheDocument();
  });
});

describe('a post TikTok never confirmed', () => {
  it('says so, in the table and on a card, instead of Processing', async () => {
    const post = postSummary({
      local_status: 'processing',
      tiktok_status: 'PROCESSING_UPLOAD',
      post_ids: [],
      privacy_level: 'SELF_ONLY',
      unconfirmed: true,
      user_message:
        'TikTok has not confirmed this post yet. It may still appear on your TikTok profile: look there before posting it again.',
      created_at: new Date(Date.now() - 26 * 3600 * 1000).toISOString(),
    });
    render(
      <MantineProvider theme={theme}>
        <MemoryRouter>
          <PostTable posts={[post]} now={Date.now()} />
          <PostCards posts={[post]} now={Date.now()} />
        </MemoryRouter>
      </MantineProvider>,
    );
    expect(page.getByText('Not confirmed', { exact: true }).all()).toHaveLength(2);
    expect(page.getByText('Processing', { exact: true }).all()).toHaveLength(0);
    expect(page.getByText(/^TikTok has not confirmed this post yet/).all()).toHaveLength(2);
    await screenshotBoth('history-unconfirmed');
  });
});
