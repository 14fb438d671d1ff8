/**
 * The Chromium our browser suites drive (the web app's component tests and the end-to-end
 * suite), found on any machine with only Node and npm. In this order:
 *   1. `CHROMIUM_PATH`;
 *   2. a system Chromium on PATH (`chromium`, `chromium-browser`; Debian's package);
 *   3. Playwright's own browser, if one was installed (`npx playwright install`; never downloaded here);
 *   4. the Chromium shipped inside the npm package `@sparticuz/chromium` (a headless-shell build,
 *      unpacked into the temp folder on first use).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | 'playwright' | '@sparticuz/chromium';

export interface ChromiumLaunch {
  executablePath: string;
  args: string[];
  source: ChromiumSource;
}

/** What every launch gets: headless, root-friendly, no calls to Google's services. */
const BASE_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Video previews may play without a click.
  '--autoplay-policy=no-user-gesture-required',
];

/** Finds Chromium for `suite` (named in the one line it prints and in the error). */
export async function chromiumLaunch(suite: string): Promise<ChromiumLaunch> {
  const launch = (await findChromium()) ?? failNoChromium(suite);
  console.log(`${suite} use Chromium from ${launch.source}: ${launch.executablePath}`);
  return launch;
}

async function findChromium(): Promise<ChromiumLaunch | undefined> {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (!existsSync(given)) throw new Error(`CHROMIUM_PATH is ${given}, which does not exist`);
    return { executablePath: given, args: BASE_ARGS, source: 'CHROMIUM_PATH' };
  }
  const system = onPath('chromium') ?? onPath('chromium-browser');
  if (system) return { executablePath: system, args: BASE_ARGS, source: 'system' };
  const playwright = await playwrightsOwn();
  if (playwright) return { executablePath: playwright, args: BASE_ARGS, source: 'playwright' };
  return sparticuz();
}

function onPath(command: string): string | undefined {
  try {
    return (
      execFileSync('which', [command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}

/** Playwright's browser for this version, only when it is already on disk. */
async function playwrightsOwn(): Promise<string | undefined> {
  try {
    const { chromium } = await import('playwright-core');
    const path = chromium.executablePath();
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The headless-shell build inside @sparticuz/chromium (made for AWS Lambda; runs on any x64
 * Linux). Its own flag list is for Lambda (single process, web security off); we keep ours and
 * add only what its build needs.
 */
async function sparticuz(): Promise<ChromiumLaunch | undefined> {
  try {
    const { default: chromium } = await import('@sparticuz/chromium');
    const executablePath = await chromium.executablePath();
    return {
      executablePath,
      args: [
        ...BASE_ARGS.filter((a) => a !== '--headless'),
        '--headless=shell',
        '--no-zygote',
        '--use-gl=angle',
        '--use-angle=swiftshader',
      ],
      source: '@sparticuz/chromium',
    };
  } catch {
    return undefined;
  }
}

function failNoChromium(suite: string): never {
  throw new Error(
    `${suite} need Chromium and found none: set CHROMIUM_PATH to a Chromium binary, install one ` +
      '(e.g. Debian: apt-get install -y chromium), or run npm install again for @sparticuz/chromium.',
  );
}
