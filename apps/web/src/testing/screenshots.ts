/**
 * Screenshots of the app's states for a person to look at, at desktop and phone widths, saved
 * under apps/web/test-results/screenshots/ (kept by CI as artifacts). Each is of the whole page,
 * not only what fits on one screen.
 */
import { commands, page } from '@vitest/browser/context';
import { inject } from 'vitest';
import '../../test-stack/context.ts';

export const DESKTOP = { width: 1280, height: 900 } as const;
export const PHONE = { width: 375, height: 812 } as const;

/** Saves `<name>-desktop.png` and `<name>-phone.png`, returning to the desktop size after. */
export async function screenshotBoth(name: string): Promise<void> {
  await screenshotAt(name, 'desktop');
  await screenshotAt(name, 'phone');
}

export async function screenshotAt(name: string, size: 'desktop' | 'phone'): Promise<string> {
  const { width, height } = size === 'desktop' ? DESKTOP : PHONE;
  await setSize(width, height);
  await settle();
  // Grow the page to its content, so the picture holds all of it.
  const full = Math.max(height, document.documentElement.scrollHeight);
  if (full > height) {
    await setSize(width, full);
    await settle();
  }
  const path = await page.screenshot({ path: `${inject('screenshotDir')}/${name}-${size}.png`, save: true });
  await setSize(DESKTOP.width, DESKTOP.height);
  return path;
}

async function setSize(width: number, height: number) {
  // The window must hold the iframe unscaled (see the resizeWindow command).
  await commands.resizeWindow(Math.max(width, DESKTOP.width) + 100, height + 100);
  await page.viewport(width, height);
}

/** Lets layout, fonts and Mantine's transitions settle at the new size. */
function settle() {
  return new Promise((resolve) => setTimeout(resolve, 300));
}
