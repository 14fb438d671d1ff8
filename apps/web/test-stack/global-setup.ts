import { resolve } from 'node:path';
import { startDevStack } from '@cliprelay/dev-stack';
import type { TestProject } from 'vitest/node';
import './context.ts';
import { testOrigin } from './origin.ts';
import { makeDataDir, stackHolder, testUsers } from './stack-global.ts';

/**
 * Starts the one dev stack of a run. Vitest calls a global setup once per project, and a browser
 * instance (`web (chromium)`) is a project of its own beside `web`: the second call reuses the
 * stack the first one started, or the browser would sign users in at one identity provider and
 * call an API that trusts another.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const holder = stackHolder();
  const first = !holder.starting;
  holder.starting ??= startStack();
  const { stack, remove } = await holder.starting;
  holder.stack = stack;
  project.provide('stack', {
    apiUrl: stack.apiUrl,
    authority: stack.identity.issuer,
    sandboxUrl: stack.sandbox.url,
    mediaPrefix: stack.media.prefix,
  });
  project.provide('screenshotDir', resolve(project.config.root, 'test-results/screenshots'));
  if (!first) return () => Promise.resolve();
  return async () => {
    await stack.close();
    await remove();
  };
}

async function startStack() {
  const data = await makeDataDir();
  try {
    const stack = await startDevStack({
      dataDir: data.dir,
      webOrigin: await testOrigin(),
      users: testUsers,
      // PGlite in the temp folder: a fresh database every run, so each test user starts empty.
      // Publishes finish processing quickly, so status polling reaches its end within a test.
      // Audited, as a live app is: creators get every privacy level, public posts get post ids.
      sandbox: { processingDelayMs: 300, audited: true },
    });
    return { stack, dataDir: data.dir, remove: data.remove };
  } catch (error) {
    await data.remove();
    throw error;
  }
}
