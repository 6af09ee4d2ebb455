import type { Reporter, TestModule } from 'vitest/node';

/**
 * Lists every skipped test by its full name after vitest's summary. The tests that need a tool
 * this machine may lack (Chromium, Slurm, the testbed package) put the reason for skipping in
 * their names, and vitest's default reporter counts skipped tests without naming them.
 */
export default class SkipReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped = testModules.flatMap((m) => [...m.children.allTests('skipped')].map((t) => `${m.project.name}: ${t.fullName}`));
    if (skipped.length === 0) return;
    process.stdout.write(`\nSkipped (${skipped.length}):\n${skipped.map((s) => `  ${s}\n`).join('')}`);
  }
}
