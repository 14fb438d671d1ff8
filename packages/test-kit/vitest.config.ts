import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'test-kit',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
