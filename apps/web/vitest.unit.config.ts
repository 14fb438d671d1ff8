/**
 * The web app's pure logic (reducer, checks, formatting) in plain Node: no browser, no stack, no
 * global setup, so the whole set runs in seconds. Which files run here: test-files.ts.
 */
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { NODE_TESTS } from './test-files.ts';

export default defineConfig({
  // Its globs are the web app's, also when run alone (`--config apps/web/vitest.unit.config.ts`).
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    name: 'web-unit',
    environment: 'node',
    include: NODE_TESTS.include,
    exclude: [...configDefaults.exclude, ...NODE_TESTS.exclude],
  },
});
