import { defineConfig } from 'vitest/config';

/**
 * Four projects: `unit` (test/unit/, one folder per src/ folder) checks each module's behaviour;
 * `validation` (test/validation/) checks the simulator against queueing theory, brute force,
 * reference code and published results, and simulates millions of customers; `deploy` (test/deploy/)
 * runs the shipped Slurm and Kubernetes files on a real scheduler where one can start here; `testbed`
 * (test/testbed/) serves real ONNX models (the testbed package). `npm test` runs all;
 * `npm run test:unit` is the quick loop while editing.
 */
export default defineConfig({
  test: {
    // The queueing-theory validations simulate millions of customers per test.
    testTimeout: 120_000,
    // Two test files at once on the 2-core machine (vitest's default leaves one core to itself):
    // many tests wait on child processes, and the suite must stay under five minutes.
    maxWorkers: 2,
    // CLI tests run the compiled command; build it once before any test.
    globalSetup: ['test/global-setup.ts'],
    // The default summary, then the skipped tests by name: their names say why they were skipped.
    reporters: ['default', './test/skip-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'validation', include: ['test/validation/**/*.test.ts'] } },
      { extends: true, test: { name: 'deploy', include: ['test/deploy/**/*.test.ts'] } },
      { extends: true, test: { name: 'testbed', include: ['test/testbed/**/*.test.ts'] } },
    ],
  },
});
