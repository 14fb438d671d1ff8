/**
 * How our browser suites launch Chromium: Debian's package (never a browser Playwright downloads),
 * headless, with what a container needs. The web app's component tests and the end-to-end suite
 * share it, so both fail the same clear way on a machine without Chromium.
 */
import { existsSync } from 'node:fs';

export interface ChromiumLaunch {
  executablePath: string;
  args: string[];
}

/** `CHROMIUM_PATH` or /usr/bin/chromium; throws, saying what to install, when it is missing. */
export function chromiumLaunch(suite: string): ChromiumLaunch {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `${suite} need Chromium at ${executablePath}. Install Debian's package ` +
        '(apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  return {
    executablePath,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Video previews may play without a click.
      '--autoplay-policy=no-user-gesture-required',
    ],
  };
}
