import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // apps/web/vitest.unit.config.ts: the web app's pure logic in Node (`web-unit`).
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'apps/web/vitest.unit.config.ts'],
    // In CI, also write a JSON report so .ci/run can print one plain summary line.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]]
      : ['default'],
  },
});
