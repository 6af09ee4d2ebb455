import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineAlignedBuffer } from '../../../src/engine/aligned.js';
import { pipesim, tempDir } from '../../helpers.js';

/** Whether this process may reserve a WebAssembly.Memory (an address-space limit can refuse it). */
const wasmMemory = (() => {
  try {
    new WebAssembly.Memory({ initial: 1 });
    return true;
  } catch {
    return false;
  }
})();

describe('line-aligned buffers', () => {
  it.runIf(wasmMemory)('hold at least the bytes asked for, zeroed, in whole WebAssembly pages', () => {
    for (const bytes of [1, 64, 65_536, 65_537, 1_000_000]) {
      const buffer = lineAlignedBuffer(bytes);
      expect(buffer.byteLength).toBeGreaterThanOrEqual(bytes);
      // Pages of 64 KiB: the buffer came from a WebAssembly.Memory, which is allocated by pages.
      expect(buffer.byteLength % 65_536).toBe(0);
      expect(new Uint8Array(buffer).every((b) => b === 0)).toBe(true);
    }
  });

  // `ulimit -v` is a shell builtin: bash is needed to set it for the child.
  it.runIf(spawnSync('bash', ['-c', 'true']).status === 0)('where the address space is limited, a run falls back to ordinary buffers and writes the same files', () => {
    const limited = (script: string) => spawnSync('bash', ['-c', `ulimit -v 4000000 && ${script}`], { encoding: 'utf8' });
    // Precondition: under the limit, V8 cannot reserve a WebAssembly.Memory's 10 GiB of address space.
    const probe = limited(`"${process.execPath}" -e "new WebAssembly.Memory({ initial: 1 })"`);
    expect(probe.stderr).toMatch(/RangeError: WebAssembly\.Memory\(\): could not allocate memory/);
    const fallback = limited(`"${process.execPath}" --input-type=module -e "import { lineAlignedBuffer } from '${resolve('dist/engine/aligned.js')}'; console.log(lineAlignedBuffer(100000).byteLength)"`);
    expect(fallback.stdout.trim()).toBe('100000');
    // V8 collects garbage in full several times before it refuses: asked once, not at every table.
    const compactions = (calls: number) =>
      limited(`"${process.execPath}" --trace-gc --input-type=module -e "import { lineAlignedBuffer } from '${resolve('dist/engine/aligned.js')}'; for (let i = 0; i < ${calls}; i++) lineAlignedBuffer(100000);"`).stdout.match(/Mark-Compact/g)?.length ?? 0;
    const once = compactions(1);
    expect(once).toBeGreaterThan(0);
    expect(compactions(10)).toBeLessThan(once + 3);

    const dir = tempDir();
    const args = (out: string) => ['run', 'scenarios/quickstart.yaml', '-q', '--set', 'metrics.requests=true', '--out', join(dir, out)];
    const run = limited(`"${process.execPath}" "${resolve('bin/pipesim.js')}" ${args('limited').map((a) => `'${a}'`).join(' ')}`);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(pipesim(args('free')).code).toBe(0);
    const files = readdirSync(join(dir, 'free')).filter((f) => f !== 'scenario.yaml');
    expect(files).toContain('requests.csv');
    for (const f of files) expect(readFileSync(join(dir, 'limited', f), 'utf8'), f).toBe(readFileSync(join(dir, 'free', f), 'utf8'));
  });
});
