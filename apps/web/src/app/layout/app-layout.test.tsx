import { commands, page } from '@vitest/browser/context';
import { afterEach, describe, expect, it } from 'vitest';
import { formLoaded } from '../../testing/publish.ts';
import { renderApp, signInFreshUser } from '../../testing/render-app.tsx';
import { screenshotBoth } from '../../testing/screenshots.ts';
import { COLOR_SCHEME_KEY } from '../providers.tsx';

describe('signing in', () => {
  it('asks a signed-out visitor to sign in', async () => {
    renderApp('/publish');
    await expect.element(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  });

  it('shows a signed-in user the sections and their name', async () => {
    const session = await signInFreshUser();
    renderApp('/publish', { session });
    await expect
      .element(page.getByRole('button', { name: `Account menu for ${session.name}` }))
      .toBeVisible();
    await expect.element(page.getByRole('link', { name: 'Accounts' }).first()).toBeVisible();
  });
});

describe('light and dark', () => {
  afterEach(async () => {
    localStorage.removeItem(COLOR_SCHEME_KEY);
    await commands.emulateColorScheme(null);
  });

  const scheme = () => document.documentElement.getAttribute('data-mantine-color-scheme');

  it('follows the system’s setting; the toggle switches it and is remembered', async () => {
    const session = await signInFreshUser();
    await commands.connectTikTokAccount(session.access_token, { nickname: 'Mia Moves' });
    await commands.emulateColorScheme('dark');
    const first = renderApp('/publish', { session });
    await formLoaded();
    await expect.poll(scheme).toBe('dark');
    await screenshotBoth('publish-dark');

    await page.getByRole('button', { name: 'Switch to light mode' }).click();
    await expect.poll(scheme).toBe('light');
    first.screen.unmount();

    // The choice outlasts the visit, whatever the system says.
    renderApp('/publish', { session });
    await expect.element(page.getByRole('button', { name: 'Switch to dark mode' })).toBeVisible();
    expect(scheme()).toBe('light');

    // Back to following the system, from the user's menu.
    await page.getByRole('button', { name: `Account menu for ${session.name}` }).click();
    await page.getByRole('menuitem', { name: /Follow the system/ }).click();
    await expect.poll(scheme).toBe('dark');
  });
});
