/**
 * The API as its own process — the built bundle on plain Node, as `npm run start:api` and a
 * deployment run it — and how to wait for it and stop it: `npm start` (dev-stack), the API's boot
 * tests and the benchmarks all go through here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, fchmod, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { API_BUILD, API_MAIN, buildIfChanged } from './builds.ts';
import { REPO_ROOT } from './repo.ts';

/** Builds `apps/api/dist` when its sources changed since the last build (builds.ts). */
export function ensureApiBuilt(): Promise<boolean> {
  return buildIfChanged(API_BUILD);
}

/**
 * Where the API's stdout and stderr go: this process's own, a pipe to read, or a file (appended),
 * with `onLine` hearing each line of stdout (the JSON log) on its way there.
 */
export type ApiOutput = 'inherit' | 'pipe' | { file: string; onLine?: (line: string) => void };

/**
 * Starts the built API (`apps/api/dist/main.js`) with `env` over this process's environment. The API reads an
 * empty variable as unset: `{ DATABASE_URL: '' }` keeps an inherited one away from it.
 * `CLIPRELAY_API_NODE_ARGS` (space-separated) adds node flags NODE_OPTIONS refuses, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the API under a benchmark.
 */
export function spawnApi(env: Record<string, string>, output: ApiOutput = 'inherit'): ChildProcess {
  if (!existsSync(API_MAIN))
    throw new Error(`the API is not built (no ${API_MAIN}): await ensureApiBuilt() first`);
  const extra = process.env.CLIPRELAY_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, ['--enable-source-maps', ...extra, API_MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', output === 'inherit' ? 'inherit' : 'pipe', output === 'inherit' ? 'inherit' : 'pipe'],
  });
  if (typeof output === 'object') {
    const file = appendPrivately(output.file);
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
    const { onLine } = output;
    if (onLine && child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  }
  return child;
}

/**
 * Opens `path` for appending, readable by its owner only (0600): the API's log names users,
 * posts and requests. A file an older run left world-readable is narrowed too.
 */
export function appendPrivately(path: string): WriteStream {
  const file = createWriteStream(path, { flags: 'a', mode: 0o600 });
  file.once('open', (fd) => fchmod(fd, 0o600, () => undefined));
  return file;
}

/** Resolves once `${apiUrl}/health` answers 200; rejects if the process exits first. */
export async function waitForHealth(apiUrl: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `the API exited with ${child.exitCode ?? child.signalCode} while starting (see its log)`,
      );
    }
    try {
      const res = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the API did not become healthy at ${apiUrl}/health within ${timeoutMs / 1000} s`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
