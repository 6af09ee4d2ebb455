import { execFileSync } from 'node:child_process';

/** Compile src/ to dist/ so tests that run the `pipesim` command test the current code. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
