import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Compile src/ to dist/ so tests that run the `pipesim` command test the current code,
 * and give the tests one temporary folder that is removed when they end.
 */
export default function setup(): () => void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  const root = mkdtempSync(join(tmpdir(), 'pipesim-tests-'));
  process.env.PIPESIM_TEST_TMP = root;
  return () => rmSync(root, { recursive: true, force: true });
}
