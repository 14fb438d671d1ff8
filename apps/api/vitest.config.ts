import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// NestJS needs decorator metadata, which esbuild cannot emit: SWC compiles the API under Vitest.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2022' } })],
  test: {
    name: 'api',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // One PostgreSQL for the run; each suite creates its own database on it. Afterwards,
    // docs/reliability.md is regenerated from the reliability suites' summaries.
    globalSetup: ['test/global-setup.ts', 'test/reliability-teardown.ts'],
    // Integration suites boot whole stacks.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
