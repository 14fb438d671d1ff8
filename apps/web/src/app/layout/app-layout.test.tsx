import { page } from '@vitest/browser/context';
import { describe, expect, it } from 'vitest';
import { renderApp, signInFreshUser } from '../../testing/render-app.tsx';

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
