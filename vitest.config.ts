import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Two test files at a time, also on a 2-core machine (vitest's default there is one): the
    // suite is mostly single-threaded simulation and training, and takes about two thirds of
    // the serial time (6.4 against 8.6 min on the development machine). Timeouts are wide
    // enough for a file that shares its core.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
