/**
 * Component tests of the web app, in real Chromium (found by @cliprelay/test-kit/chromium, driven
 * by Playwright), against the real stack started by the global setup: the sandbox, dev identity and
 * the API. Screenshots of the main states land in test-results/screenshots/.
 */
import react from '@vitejs/plugin-react';
import { register } from 'tsx/esm/api';
import { defineConfig } from 'vitest/config';
import { commands } from './test-stack/commands.ts';
import { BROWSER_TESTS } from './test-files.ts';
import { testPort } from './test-stack/origin.ts';

// The browser commands import our TypeScript packages at run time; plain Node needs tsx for that.
register();

const TEST_PORT = await testPort();

// After register(): the package is TypeScript.
const { chromiumLaunch } = await import('@cliprelay/test-kit/chromium');
const { executablePath, args, env } = await chromiumLaunch("The web app's tests");

export default defineConfig({
  plugins: [react()],
  server: { port: TEST_PORT, strictPort: true },
  test: {
    name: 'web',
    // Pure logic runs in Node instead (vitest.unit.config.ts); which files run where: test-files.ts.
    include: BROWSER_TESTS,
    globalSetup: ['test-stack/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // One browser page at a time: the screens share one real back end, and 2 cores.
    fileParallelism: false,
    browser: {
      enabled: true,
      provider: 'playwright',
      headless: true,
      api: { port: TEST_PORT, strictPort: true },
      screenshotFailures: true,
      screenshotDirectory: 'test-results/failures',
      viewport: { width: 1280, height: 900 },
      commands,
      instances: [
        {
          browser: 'chromium',
          launch: { executablePath, args, env },
        },
      ],
    },
  },
});
