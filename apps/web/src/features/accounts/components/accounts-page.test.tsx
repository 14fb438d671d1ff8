import { oauthOutcomeParams, type ErrorCode, type SocialAccount } from '@cliprelay/contract';
import { commands, page } from '@vitest/browser/context';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { apiAs, renderApp, signInFreshUser, type TestSession } from '../../../testing/render-app.tsx';

/** Relative to this file: apps/web/test-results/screenshots/. */
const SHOTS = '../../../../test-results/screenshots';

const authorizePrefix = () => `${inject('stack').sandboxUrl}/v2/auth/authorize/`;

/** The URL the API's OAuth callback sends the browser back to, as the API builds it. */
const outcomeUrl = (outcome: Parameters<typeof oauthOutcomeParams>[0]) =>
  `/?${new URLSearchParams(oauthOutcomeParams(outcome)).toString()}`;

const listed = (session: TestSession) => apiAs<SocialAccount[]>(session, '/social-accounts');

/**
 * Makes TikTok refuse the account the real way: the next creator-info call finds the access token
 * invalid, and the API's one refresh is refused with invalid_grant, so the account is marked
 * reconnect_required.
 */
async function breakConnection(session: TestSession, accountId: string, openId: string) {
  await commands.addSandboxFault({
    endpoint: 'creator_info',
    error_code: 'access_token_invalid',
    open_id: openId,
  });
  await commands.addSandboxFault({ endpoint: 'token', error_code: 'invalid_grant', open_id: openId });
  const refused = await apiAs(session, `/tiktok/creator-info/${accountId}`).then(
    () => 'answered',
    (error: unknown) => String(error),
  );
  expect(refused).toMatch(/HTTP 404/);
  expect((await listed(session)).find((a) => a.id === accountId)?.status).toBe('reconnect_required');
}

/**
 * What TikTok's consent page and redirect do once the app sent the browser there: approve for this
 * creator, then let TikTok's redirect reach our API's callback (which stores the account).
 */
async function approveOnTikTok(authorizeUrl: string, openId: string) {
  const { redirect_to } = await commands.sandboxConsent({
    authorize_url: authorizeUrl,
    open_id: openId,
    approve: true,
  });
  // The callback answers with a redirect to the web app; an opaque request is enough to run it. It
  // carries this browser's cookies, as TikTok's redirect does: the API links only in the browser
  // that began the connect.
  await fetch(redirect_to, { mode: 'no-cors', credentials: 'include' });
}

afterEach(async () => {
  await commands.restoreNetwork();
  await page.viewport(1280, 900);
});

describe('accounts screen', () => {
  it('lists each linked account with its avatar, nickname, @username and status', async () => {
    const session = await signInFreshUser();
    const mia = await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Mia Moves',
      username: 'mia.moves',
    });
    const leo = await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Leo Loops',
      username: 'leo.loops',
    });
    await breakConnection(session, leo.accountId, leo.openId);
    const accounts = await listed(session);

    const { screen } = renderApp('/accounts', { session });
    const list = page.getByRole('list', { name: 'Your TikTok accounts' });
    await expect.element(list).toBeVisible();

    const miaCard = list.getByRole('listitem', { name: 'Mia Moves' });
    await expect.element(miaCard.getByRole('heading', { name: 'Mia Moves' })).toBeVisible();
    await expect.element(miaCard.getByText('@mia.moves')).toBeVisible();
    await expect.element(miaCard.getByText('Connected', { exact: true })).toBeVisible();
    await expect.element(miaCard.getByText(/Ready to publish/)).toBeVisible();
    await expect
      .element(miaCard.getByRole('link', { name: 'Publish to Mia Moves' }))
      .toHaveAttribute('href', `/publish?account=${mia.accountId}`);
    await expect
      .element(miaCard.getByRole('button', { name: 'Reconnect Mia Moves' }))
      .not.toBeInTheDocument();

    const leoCard = list.getByRole('listitem', { name: 'Leo Loops' });
    await expect.element(leoCard.getByText('@leo.loops')).toBeVisible();
    await expect.element(leoCard.getByText('Reconnect needed')).toBeVisible();
    await expect.element(leoCard.getByText(/TikTok no longer accepts this connection/)).toBeVisible();
    await expect.element(leoCard.getByRole('button', { name: 'Reconnect Leo Loops' })).toBeVisible();
    await expect.element(leoCard.getByRole('link', { name: 'Publish to Leo Loops' })).not.toBeInTheDocument();

    // Each card shows TikTok's avatar picture.
    for (const account of accounts) {
      expect(account.avatar_url).toBeTruthy();
      const img = screen.container.querySelector<HTMLImageElement>(`img[src="${account.avatar_url}"]`);
      expect(img, `avatar of ${account.display_name}`).not.toBeNull();
    }

    await page.screenshot({ path: `${SHOTS}/accounts-desktop.png` });
    await page.viewport(375, 812);
    await expect.element(leoCard.getByRole('button', { name: 'Reconnect Leo Loops' })).toBeVisible();
    expect(document.documentElement.scrollWidth).toBeLessThanOrEqual(375);
    await page.screenshot({ path: `${SHOTS}/accounts-phone.png` });
  });

  it('Reconnect sends a reconnect_required account to TikTok, and coming back shows it connected', async () => {
    const session = await signInFreshUser();
    const leo = await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Leo Loops',
      username: 'leo.loops',
    });
    await breakConnection(session, leo.accountId, leo.openId);

    const first = renderApp('/accounts', { session });
    await page.getByRole('button', { name: 'Reconnect Leo Loops' }).click();
    await expect.poll(() => first.navigations.length).toBe(1);
    const authorizeUrl = first.navigations[0] ?? '';
    expect(authorizeUrl.startsWith(authorizePrefix())).toBe(true);
    expect(new URL(authorizeUrl).searchParams.get('state')).toBeTruthy();

    // On TikTok the user approves again; TikTok's redirect reaches the API, which updates the account.
    await approveOnTikTok(authorizeUrl, leo.openId);
    first.screen.unmount();
    renderApp(outcomeUrl({ tiktok_connect: 'success', account: leo.accountId }), { session });
    await expect.element(page.getByText('Connected Leo Loops. You can publish from it now.')).toBeVisible();
    const card = page.getByRole('listitem', { name: 'Leo Loops' });
    await expect.element(card.getByText('Connected', { exact: true })).toBeVisible();
    await expect.element(card.getByRole('button', { name: 'Reconnect Leo Loops' })).not.toBeInTheDocument();
  });

  it('with no account, says so and connects the first one through TikTok', async () => {
    const session = await signInFreshUser();
    const { open_id: openId } = await commands.createSandboxCreator({
      private_account: true,
      nickname: 'Nia Night',
      username: 'nia.night',
    });

    const first = renderApp('/accounts', { session });
    await expect
      .element(page.getByRole('heading', { name: 'No TikTok account connected yet' }))
      .toBeVisible();
    await page.screenshot({ path: `${SHOTS}/accounts-empty.png` });

    await page.getByRole('button', { name: 'Connect TikTok account' }).click();
    await expect.poll(() => first.navigations.length).toBe(1);
    const authorizeUrl = first.navigations[0] ?? '';
    expect(authorizeUrl.startsWith(authorizePrefix())).toBe(true);

    // TikTok's consent, then the API's callback redirects to the web app's `/` with the outcome.
    await approveOnTikTok(authorizeUrl, openId);
    const [account] = await listed(session);
    expect(account?.display_name).toBe('Nia Night');
    first.screen.unmount();
    const { router } = renderApp(outcomeUrl({ tiktok_connect: 'success', account: account?.id ?? '' }), {
      session,
    });

    const alert = page.getByRole('status').filter({ hasText: 'TikTok account connected' });
    await expect.element(alert.getByText('Connected Nia Night. You can publish from it now.')).toBeVisible();
    await expect
      .element(alert.getByRole('link', { name: 'Publish a video' }))
      .toHaveAttribute('href', `/publish?account=${account?.id}`);
    // Forwarded from `/` to the accounts screen, with the outcome taken off the URL: a refresh says nothing again.
    await expect.poll(() => router.state.location.pathname).toBe('/accounts');
    expect(router.state.location.search).toBe('');
    await expect.element(alert).toBeVisible();
    await expect.element(page.getByRole('heading', { name: 'Nia Night' })).toBeVisible();

    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await expect.element(page.getByText('TikTok account connected')).not.toBeInTheDocument();
  });

  it('when asking for TikTok’s consent page fails, says so in place and Try again works', async () => {
    const session = await signInFreshUser();
    const { navigations } = renderApp('/accounts', { session });
    await expect.element(page.getByRole('button', { name: 'Connect TikTok account' })).toBeVisible();

    await commands.failNetwork('/tiktok/connect');
    await page.getByRole('button', { name: 'Connect TikTok account' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Could not start connecting to TikTok' });
    await expect
      .element(alert.getByText('Could not reach the server. Please check your connection and try again.'))
      .toBeVisible();
    expect(navigations).toEqual([]);

    await alert.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => navigations.length).toBe(1);
    expect(navigations[0]?.startsWith(authorizePrefix())).toBe(true);
  });

  it.each<[ErrorCode, RegExp]>([
    ['OAUTH_DENIED', /You didn't allow access on TikTok/],
    ['OAUTH_SCOPES_MISSING', /needs every permission it asks for on TikTok/],
    ['OAUTH_STATE_INVALID', /This connection link expired or was already used\. Please start again\./],
    [
      'OAUTH_BROWSER_MISMATCH',
      /This connection was started in another browser, so no account was connected\./,
    ],
    ['TIKTOK_UNAVAILABLE', /We could not finish connecting your TikTok account\. Please try again/],
    ['INTERNAL', /We could not finish connecting your TikTok account\. Please try again/],
  ])('explains a %s outcome of TikTok’s consent, with a Try again', async (code, message) => {
    const session = await signInFreshUser();
    const { router, navigations } = renderApp(outcomeUrl({ tiktok_connect: 'error', code }), { session });

    const alert = page.getByRole('alert').filter({ hasText: 'Your TikTok account was not connected' });
    await expect.element(alert.getByText(message)).toBeVisible();
    await expect.poll(() => router.state.location.pathname).toBe('/accounts');
    expect(router.state.location.search).toBe('');
    await expect.element(alert).toBeVisible();

    if (code === 'OAUTH_DENIED') {
      await expect
        .element(page.getByRole('heading', { name: 'No TikTok account connected yet' }))
        .toBeVisible();
      await page.screenshot({ path: `${SHOTS}/accounts-connect-error.png` });
      await page.viewport(375, 812);
      await page.screenshot({ path: `${SHOTS}/accounts-connect-error-phone.png` });
    }

    await alert.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => navigations.length).toBe(1);
    expect(navigations[0]?.startsWith(authorizePrefix())).toBe(true);

    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await expect.element(page.getByText('Your TikTok account was not connected')).not.toBeInTheDocument();
  });

  it('disconnects only after confirmation; Cancel keeps the account', async () => {
    const session = await signInFreshUser();
    await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Sam Sketch',
      username: 'sam.sketch',
    });
    renderApp('/accounts', { session });

    await page.getByRole('button', { name: 'Disconnect Sam Sketch' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect @sam.sketch?' });
    await expect
      .element(
        dialog.getByText(
          'Cliprelay will no longer be able to post to this account. Your publish history stays.',
        ),
      )
      .toBeVisible();
    await page.screenshot({ path: `${SHOTS}/accounts-disconnect-modal.png` });

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.element(dialog).not.toBeInTheDocument();
    await expect.element(page.getByRole('heading', { name: 'Sam Sketch' })).toBeVisible();
    expect(await listed(session)).toHaveLength(1);

    await page.getByRole('button', { name: 'Disconnect Sam Sketch' }).click();
    await dialog.getByRole('button', { name: 'Disconnect' }).click();
    await expect.element(dialog).not.toBeInTheDocument();
    await expect.element(page.getByText(/Disconnected @sam\.sketch\./)).toBeVisible();
    await expect.element(page.getByRole('heading', { name: 'Sam Sketch' })).not.toBeInTheDocument();
    await expect
      .element(page.getByRole('heading', { name: 'No TikTok account connected yet' }))
      .toBeVisible();
    expect(await listed(session)).toEqual([]);
  });

  it('a disconnect that fails says so in the dialog and keeps the account; trying again works', async () => {
    const session = await signInFreshUser();
    const { accountId } = await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Ada Angles',
      username: 'ada.angles',
    });
    renderApp('/accounts', { session });

    await page.getByRole('button', { name: 'Disconnect Ada Angles' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect @ada.angles?' });
    await commands.failNetwork(`/social-accounts/${accountId}`);
    await dialog.getByRole('button', { name: 'Disconnect' }).click();
    await expect
      .element(
        dialog.getByRole('alert').getByText(/Could not reach the server\. Please check your connection/),
      )
      .toBeVisible();
    await expect.element(dialog).toBeVisible();
    expect(await listed(session)).toHaveLength(1);

    await commands.restoreNetwork();
    await dialog.getByRole('button', { name: 'Disconnect' }).click();
    await expect.element(dialog).not.toBeInTheDocument();
    await expect.element(page.getByText(/Disconnected @ada\.angles\./)).toBeVisible();
    expect(await listed(session)).toEqual([]);
  });

  it('when the list cannot be loaded, says so and Try again loads it', async () => {
    const session = await signInFreshUser();
    await commands.connectTikTokAccount(session.access_token, {
      nickname: 'Tom Takes',
      username: 'tom.takes',
    });
    await commands.failNetwork('/social-accounts');
    renderApp('/accounts', { session });

    const alert = page.getByRole('alert').filter({ hasText: 'Could not load your TikTok accounts' });
    await expect.element(alert.getByText(/Could not reach the server/)).toBeVisible();
    await alert.getByRole('button', { name: 'Try again' }).click();
    await expect.element(page.getByRole('heading', { name: 'Tom Takes' })).toBeVisible();
    await expect.element(alert).not.toBeInTheDocument();
  });
});
