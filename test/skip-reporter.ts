import type { Reporter, TestModule, Vitest } from 'vitest/node';

/**
 * Lists every skipped test by its full name after vitest's summary. The tests that need a tool
 * this machine may lack (Chromium, Slurm, the testbed package) put the reason for skipping in
 * their names, and vitest's default reporter counts skipped tests without naming them. Not when
 * a name filter (-t) is on: vitest marks the tests it filters out as skipped too.
 */
export default class SkipReporter implements Reporter {
  private filtered = false;

  onInit(vitest: Vitest): void {
    this.filtered = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (this.filtered) return;
    const skipped = testModules.flatMap((m) => [...m.children.allTests('skipped')].map((t) => `${m.project.name}: ${t.fullName}`));
    if (skipped.length === 0) return;
    process.stdout.write(`\nSkipped (${skipped.length}):\n${skipped.map((s) => `  ${s}\n`).join('')}`);
  }
}
