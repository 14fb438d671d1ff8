/**
 * The API as its own process, exactly as `npm run start:api` runs it, and how to wait for it and
 * stop it: `npm start` (dev-stack), the API's boot tests and the benchmarks all go through here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root, where `apps/api` lives. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the API's stdout and stderr go: this process's own, a file (appended), or a pipe to read. */
export type ApiOutput = 'inherit' | 'pipe' | { file: string };

/**
 * Starts `apps/api/src/main.ts` with `env` over this process's environment. The API reads an
 * empty variable as unset: `{ DATABASE_URL: '' }` keeps an inherited one away from it.
 */
export function spawnApi(env: Record<string, string>, output: ApiOutput = 'inherit'): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', join('apps', 'api', 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: join('apps', 'api', 'tsconfig.json'), ...env },
      stdio: ['ignore', output === 'inherit' ? 'inherit' : 'pipe', output === 'inherit' ? 'inherit' : 'pipe'],
    },
  );
  if (typeof output === 'object') {
    const file = createWriteStream(output.file, { flags: 'a' });
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  return child;
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
