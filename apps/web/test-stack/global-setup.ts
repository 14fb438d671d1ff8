import { startDevStack } from '@cliprelay/dev-stack';
import type { TestProject } from 'vitest/node';
import './context.ts';
import { makeDataDir, stackHolder, testUsers } from './stack-global.ts';
import { TEST_ORIGIN } from './origin.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const data = await makeDataDir();
  const stack = await startDevStack({
    dataDir: data.dir,
    webOrigin: TEST_ORIGIN,
    users: testUsers,
    // PGlite in the temp folder: a fresh database every run, so each test user starts empty.
    // Publishes finish processing quickly, so status polling reaches its end within a test.
    sandbox: { processingDelayMs: 300 },
  });
  stackHolder().stack = stack;
  project.provide('stack', {
    apiUrl: stack.apiUrl,
    authority: stack.identity.issuer,
    sandboxUrl: stack.sandbox.url,
    mediaPrefix: stack.media.prefix,
  });
  return async () => {
    await stack.close();
    await data.remove();
  };
}
