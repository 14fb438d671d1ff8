/**
 * The Chromium our browser suites drive (the web app's component tests and the end-to-end
 * suite), found on any machine with only Node and npm. In this order:
 *   1. `CHROMIUM_PATH`;
 *   2. a system Chromium on PATH (`chromium`, `chromium-browser`; Debian's package);
 *   3. Playwright's own browser, if one was installed (`npx playwright install`; never downloaded here);
 *   4. the Chromium shipped inside the npm package `@sparticuz/chromium` (a headless-shell build for
 *      Linux x64), unpacked on first use into a folder of the temp dir named by its version.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { extract } from 'tar-fs';

export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | 'playwright' | '@sparticuz/chromium';

export interface ChromiumLaunch {
  executablePath: string;
  args: string[];
  /** The browser's whole environment, when it needs more than ours (Playwright's `env` option). */
  env?: Record<string, string | undefined>;
  source: ChromiumSource;
}

/** A Chromium found; every launch gets our flags. */
type Found = Omit<ChromiumLaunch, 'args'>;

/** What every launch gets: headless, root-friendly, no calls to Google's services. */
const BASE_ARGS: readonly string[] = [
  '--no-sandbox',
  '--headless',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Video previews may play without a click.
  '--autoplay-policy=no-user-gesture-required',
];

/** One search per process: Vitest evaluates the web app's config more than once. */
let found: Promise<Found | undefined> | undefined;
const announced = new Set<string>();

/** Finds Chromium for `suite` (named in the one line it prints and in the error). */
export async function chromiumLaunch(suite: string): Promise<ChromiumLaunch> {
  found ??= findChromium();
  const launch = (await found) ?? failNoChromium(suite);
  // Playwright Test loads its config again in each worker (TEST_WORKER_INDEX): said once is enough.
  if (!announced.has(suite) && process.env.TEST_WORKER_INDEX === undefined) {
    announced.add(suite);
    console.log(`${suite} use Chromium from ${launch.source}: ${launch.executablePath}`);
  }
  // A new array each time: Vitest's provider pushes flags of its own onto the one it is given.
  return { ...launch, args: [...BASE_ARGS] };
}

async function findChromium(): Promise<Found | undefined> {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (!existsSync(given)) throw new Error(`CHROMIUM_PATH is ${given}, which does not exist`);
    return { executablePath: given, source: 'CHROMIUM_PATH' };
  }
  const system = onPath('chromium') ?? onPath('chromium-browser');
  if (system) return { executablePath: system, source: 'system' };
  const playwright = await playwrightsOwn();
  if (playwright) return { executablePath: playwright, source: 'playwright' };
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
 * The headless-shell build inside @sparticuz/chromium, made for AWS Lambda. Its flag list is for
 * Lambda (single process, web security off), so we keep ours: with its libraries beside it, it
 * needs no flag of its own. What it does need comes from the package too:
 * - NSS, NSPR and expat, which a machine without a system Chromium may lack (the package's
 *   `al2023` libraries, through `LD_LIBRARY_PATH`);
 * - fonts: its fontconfig is built in and finds none on a bare machine, where text would not
 *   render at all; `FONTCONFIG_PATH` points it at the package's Open Sans, and only at that, so
 *   every machine renders the same;
 * - SwiftShader beside the binary, for the GPU process.
 */
async function sparticuz(): Promise<Found | undefined> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  let packageDir: string;
  try {
    // The package's JavaScript is not used: it always unpacks to /tmp/chromium, whatever the version.
    packageDir = dirname(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')));
  } catch {
    return undefined;
  }
  const dir = await unpackSparticuz(packageDir);
  return {
    executablePath: join(dir, 'chromium'),
    env: {
      ...process.env,
      LD_LIBRARY_PATH: [join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_PATH: dir,
    },
    source: '@sparticuz/chromium',
  };
}

/**
 * Unpacks the package's brotli files into `cliprelay-sparticuz-chromium-<version>` of the temp
 * dir, unless done before. Into a folder of its own first, then renamed: two suites starting at
 * once, or one killed halfway, never leave a half-written browser behind the final name.
 */
async function unpackSparticuz(packageDir: string): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const dir = join(tmpdir(), `cliprelay-sparticuz-chromium-${version}`);
  if (existsSync(dir)) return dir;
  const bin = join(packageDir, 'bin');
  const fresh = await mkdtemp(`${dir}.partial-`);
  try {
    await Promise.all([
      unbrotli(join(bin, 'chromium.br'), createWriteStream(join(fresh, 'chromium'), { mode: 0o755 })),
      // fonts.conf and fonts/Open_Sans/*.ttf
      unbrotli(join(bin, 'fonts.tar.br'), extract(fresh)),
      // lib/*.so
      unbrotli(join(bin, 'al2023.tar.br'), extract(fresh)),
      // libEGL.so, libGLESv2.so, libvk_swiftshader.so, …
      unbrotli(join(bin, 'swiftshader.tar.br'), extract(fresh)),
    ]);
    // Replaces the package's, which lists Lambda's folders and /tmp/fonts.
    await writeFile(
      join(fresh, 'fonts.conf'),
      '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n' +
        `  <dir>${join(dir, 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n` +
        '</fontconfig>\n',
    );
    // mkdtemp made it private; other users of the machine may run the suites too.
    await chmod(fresh, 0o755);
    await rename(fresh, dir);
  } catch (error) {
    await rm(fresh, { recursive: true, force: true });
    // Another process unpacked the same version first.
    if (existsSync(dir)) return dir;
    throw new Error(`Could not unpack the Chromium of @sparticuz/chromium into ${dir}`, { cause: error });
  }
  return dir;
}

function unbrotli(file: string, into: NodeJS.WritableStream): Promise<void> {
  return pipeline(createReadStream(file), createBrotliDecompress(), into);
}

function failNoChromium(suite: string): never {
  throw new Error(
    `${suite} need Chromium and found none. Set CHROMIUM_PATH to a Chromium binary, put a chromium ` +
      'on PATH, or run `npx playwright install chromium`. On Linux x64 the one in @sparticuz/chromium ' +
      'needs no install: run npm ci again if node_modules/@sparticuz/chromium is missing.',
  );
}
