import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'local-postgres',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
