/**
 * The suite's `test`: Playwright's, plus
 * - `product`: the URLs of the running product (from the global setup);
 * - `tiktok`: the sandbox's control API, for what only TikTok can do (create a creator, change its
 *   settings, queue a failure, say what it received);
 * - `shot(name)`: a full-page screenshot of the step, kept in test-results/screenshots and attached
 *   to the test's report.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxControl, type SandboxPublish } from '@cliprelay/tiktok-sandbox/control';
import { test as base, expect } from '@playwright/test';
import type { ProductUrls } from './npm-start.ts';
import { RESULTS_DIR } from './global-setup.ts';

/** The sandbox's typed control API, plus what the journeys ask of it most. */
export class TikTokSandbox extends SandboxControl {
  /** Every publish TikTok received for a creator, newest first. */
  async publishesOf(openId: string): Promise<SandboxPublish[]> {
    return (await this.publishes()).filter((p) => p.open_id === openId);
  }
}

export const test = base.extend<{
  product: ProductUrls;
  tiktok: TikTokSandbox;
  shot: (name: string) => Promise<void>;
}>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from the pattern
  product: async ({}, use) => {
    const raw = process.env.CLIPRELAY_E2E;
    if (!raw) throw new Error('CLIPRELAY_E2E is unset: run the suite through playwright.config.ts');
    await use(JSON.parse(raw) as ProductUrls);
  },
  tiktok: async ({ product }, use) => {
    const sandbox = new TikTokSandbox(product.sandbox);
    await use(sandbox);
    // A failure a test queued but did not meet must not hit the next test.
    await sandbox.clearFaults();
  },
  shot: async ({ page }, use, testInfo) => {
    const dir = join(RESULTS_DIR, 'screenshots');
    await mkdir(dir, { recursive: true });
    const spec = testInfo.titlePath[0]?.replace(/\.spec\.ts$/, '').replace(/\W+/g, '-') ?? 'e2e';
    let step = 0;
    await use(async (name) => {
      step += 1;
      const file = join(
        dir,
        `${spec}-${String(testInfo.line).padStart(3, '0')}-${String(step).padStart(2, '0')}-${name}.png`,
      );
      // From the top (a sticky header would otherwise land mid-page), once transitions settled.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(250);
      await page.screenshot({ path: file, fullPage: true });
      await testInfo.attach(name, { path: file, contentType: 'image/png' });
    });
  },
});

export { expect };
