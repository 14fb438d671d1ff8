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
import { sandboxRequest } from '@cliprelay/dev-stack/sandbox';
import type { CreatorInput } from '@cliprelay/tiktok-sandbox';
import { test as base, expect } from '@playwright/test';
import type { ProductUrls } from './npm-start.ts';
import { RESULTS_DIR } from './global-setup.ts';

/** What TikTok holds for one publish (GET /_sandbox/publishes/:id). */
export interface ReceivedPublish {
  open_id: string;
  status: string;
  received_bytes: number;
  sha256: string | null;
  post_info: { title?: string; privacy_level?: string };
  source_info: { source?: string; video_url?: string };
}

export interface Fault {
  endpoint: string;
  http_status?: number;
  error_code?: string;
  count?: number;
  delay_ms?: number;
  open_id?: string;
}

export class TikTokSandbox {
  constructor(private readonly url: string) {}

  call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return sandboxRequest<T>(this.url, method, path, body);
  }

  /** A TikTok user who can then be picked on the consent page. */
  async createCreator(settings: CreatorInput): Promise<string> {
    return (await this.call<{ open_id: string }>('POST', 'creators', settings)).open_id;
  }

  /** The creator changed a setting on TikTok (e.g. made the account private). */
  changeCreator(openId: string, settings: CreatorInput): Promise<unknown> {
    return this.call('PATCH', `creators/${openId}`, settings);
  }

  /** The next matching TikTok requests fail this way. */
  fail(fault: Fault): Promise<unknown> {
    return this.call('POST', 'faults', fault);
  }

  clearFaults(): Promise<unknown> {
    return this.call('DELETE', 'faults');
  }

  publish(publishId: string): Promise<ReceivedPublish> {
    return this.call('GET', `publishes/${encodeURIComponent(publishId)}`);
  }

  async publishesOf(openId: string): Promise<(ReceivedPublish & { publish_id: string })[]> {
    const { data } = await this.call<{ data: (ReceivedPublish & { publish_id: string })[] }>(
      'GET',
      'publishes',
    );
    return data.filter((p) => p.open_id === openId);
  }

  /** Every token TikTok issued to the creator, with its state. */
  async tokens(openId: string): Promise<{ token: string; type: string; state: string }[]> {
    return (
      await this.call<{ data: { token: string; type: string; state: string }[] }>(
        'GET',
        `creators/${openId}/tokens`,
      )
    ).data;
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
