/**
 * The real back end the web app's component tests talk to: the dev stack (TikTok sandbox, dev
 * identity, media host and the API as its own process) on free ports, in a temp folder. Started
 * once per run by Vitest's globalSetup; browser commands (commands.ts) reach it through globalThis,
 * because the config and the global setup are loaded as separate module graphs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningDevStack } from '@cliprelay/dev-stack';

/** Dev users for the tests: each test signs in as one nobody else used, so it starts empty. */
export const TEST_USER_COUNT = 300;
export const testUsers = Array.from({ length: TEST_USER_COUNT }, (_, i) => ({
  sub: `dev|web-${i + 1}`,
  name: `Test User ${i + 1}`,
  email: `web-${i + 1}@example.test`,
}));

interface StackHolder {
  /** The start of the run's stack, shared by every project's global setup. */
  starting?: Promise<{ stack: RunningDevStack; dataDir: string; remove: () => Promise<void> }>;
  stack?: RunningDevStack;
  nextUser: number;
}

const KEY = Symbol.for('cliprelay.web-test-stack');

export function stackHolder(): StackHolder {
  const g = globalThis as { [KEY]?: StackHolder };
  g[KEY] ??= { nextUser: 0 };
  return g[KEY];
}

export function runningStack(): RunningDevStack {
  const stack = stackHolder().stack;
  if (!stack) throw new Error('The test stack is not running (globalSetup did not start it).');
  return stack;
}

export async function makeDataDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cliprelay-web-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
