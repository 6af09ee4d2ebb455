import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

/** Run dependency-cruiser with the project's rules (.dependency-cruiser.cjs) on the src/ of `root`. */
function cruise(root: string) {
  const r = spawnSync(process.execPath, [resolve('node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', resolve('.dependency-cruiser.cjs'), '--output-type', 'err'], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('layering of src/', () => {
  it('has no import cycles and no import from a higher layer', () => {
    const r = cruise('.');
    expect(r.out).toContain('no dependency violations found');
    expect(r.code).toBe(0);
  });

  it('fails when a lower layer imports a higher one, or a cycle appears', () => {
    const root = tempDir();
    cpSync('src', join(root, 'src'), { recursive: true });
    cpSync('tsconfig.json', join(root, 'tsconfig.json'));
    appendFileSync(join(root, 'src/engine/random.ts'), "\nimport '../kinds/registry.js';\n");
    const r = cruise(root);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('layer-0-not-above: src/engine/random.ts → src/kinds/registry.ts');
    expect(r.out).toContain('no-cycles');
  });
});
