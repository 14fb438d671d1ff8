/**
 * Builds that run again only when their sources changed: the web app's static files and the
 * API's bundle. Each output folder carries a stamp with the digest of the sources it was built
 * from; a build is current when that digest matches the sources on disk. Contents, not times:
 * `npm install` rewrites an unchanged lockfile and a checkout touches every file, neither of
 * which should cost a rebuild.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { REPO_ROOT } from './repo.ts';

const STAMP_FILE = '.cliprelay-build';

export interface StampedBuild {
  /** The folder the build writes (replaced whole by each build). */
  outDir: string;
  /** Files and folders whose contents make the output; tests beside the sources do not count. */
  inputs: string[];
  /** Writes the build into `outDir` (a fresh folder). */
  run(outDir: string): Promise<void>;
}

/** Whether `outDir` is missing or was built from other sources than those on disk now. */
export async function needsBuild(build: StampedBuild): Promise<boolean> {
  const built = await readFile(join(build.outDir, STAMP_FILE), 'utf8').catch(() => null);
  return built !== (await sourcesDigest(build.inputs));
}

/**
 * Builds into a folder of its own, then swaps it in: a process reading the old output while
 * another builds (two test suites at once) never sees half a build.
 */
export async function runBuild(build: StampedBuild): Promise<void> {
  const digest = await sourcesDigest(build.inputs);
  // Beside the output, hidden, and ignored by git and the linters should a killed build leave it.
  const fresh = join(dirname(build.outDir), `.${basename(build.outDir)}-${randomBytes(4).toString('hex')}`);
  try {
    await build.run(fresh);
    // Another process built the same sources meanwhile and may already run from that output (an
    // API whose migrations are read from it at boot): keep it rather than swap it from under them.
    if (!(await needsBuild(build))) return;
    await writeFile(join(fresh, STAMP_FILE), digest);
    const old = `${fresh}.old`;
    await rename(build.outDir, old).catch(() => undefined);
    await rename(fresh, build.outDir);
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
}

/** Builds when the sources changed; resolves true when it built. */
export async function buildIfChanged(build: StampedBuild): Promise<boolean> {
  if (!(await needsBuild(build))) return false;
  await runBuild(build);
  return true;
}

async function sourcesDigest(inputs: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const input of inputs) {
    for (const file of await filesUnder(input)) {
      hash
        .update(relative(REPO_ROOT, file))
        .update('\0')
        .update(await readFile(file))
        .update('\0');
    }
  }
  return hash.digest('hex');
}

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (!info) return [];
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !/\.test\.tsx?$/.test(e.name) && !e.parentPath.includes('testing'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const LOCKFILE = join(REPO_ROOT, 'package-lock.json');
const API_DIR = join(REPO_ROOT, 'apps', 'api');

/**
 * The API as one ESM bundle, `apps/api/dist/main.js` (Vite's SSR build with SWC for decorator
 * metadata; dependencies stay in node_modules). What `npm start`, the boot tests and the
 * benchmarks run, and what a deployment runs after `npm run build:api`: plain Node, without a
 * TypeScript compiler in the process.
 */
export const API_BUILD: StampedBuild = {
  outDir: join(API_DIR, 'dist'),
  inputs: [
    join(API_DIR, 'src'),
    join(API_DIR, 'vite.config.ts'),
    join(API_DIR, 'package.json'),
    join(REPO_ROOT, 'packages', 'contract', 'src'),
    join(REPO_ROOT, 'packages', 'local-postgres', 'src'),
    LOCKFILE,
  ],
  async run(outDir) {
    const { build } = await import('vite');
    await build({ root: API_DIR, configFile: join(API_DIR, 'vite.config.ts'), build: { outDir } });
  },
};

/** The entry point of the built API. */
export const API_MAIN = join(API_BUILD.outDir, 'main.js');

const WEB_DIR = join(REPO_ROOT, 'apps', 'web');

/** The web app's static files, `apps/web/dist` (its own vite.config.ts). */
export const WEB_BUILD: StampedBuild = {
  outDir: join(WEB_DIR, 'dist'),
  inputs: [
    join(WEB_DIR, 'index.html'),
    join(WEB_DIR, 'vite.config.ts'),
    join(WEB_DIR, 'package.json'),
    join(WEB_DIR, 'public'),
    join(WEB_DIR, 'src'),
    join(REPO_ROOT, 'packages', 'contract', 'src'),
    // A dependency upgrade changes what is bundled.
    LOCKFILE,
  ],
  async run(outDir) {
    const { build } = await import('vite');
    await build({
      root: WEB_DIR,
      configFile: join(WEB_DIR, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
  },
};
