/**
 * The end-to-end suite: Playwright Test drives Chromium (@cliprelay/test-kit/chromium) through the seed's journeys on
 * the product exactly as `npm start` runs it (support/global-setup.ts starts it on free ports with
 * its data in a temp folder, and stops it with Ctrl-C at the end).
 *
 * Artifacts in e2e/test-results/: screenshots/ (each step of each journey), artifacts/ (the trace,
 * screenshot and error context of a failed test), npm-start.log (what `npm start` printed).
 */
import { chromiumLaunch } from '@cliprelay/test-kit/chromium';
import { defineConfig } from '@playwright/test';

const { executablePath, args, env } = await chromiumLaunch('The end-to-end tests');

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results/artifacts',
  globalSetup: './support/global-setup.ts',
  // One product, one browser at a time: the journeys share a dev user, and the machine has 2 cores.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list'], ['json', { outputFile: './test-results/e2e.json' }]] : [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    actionTimeout: 15_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath, args, env },
  },
});
