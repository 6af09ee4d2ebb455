import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The queueing-theory validations simulate millions of customers per test.
    testTimeout: 120_000,
    // CLI tests run the compiled command; build it once before any test.
    globalSetup: ['test/global-setup.ts'],
  },
});
