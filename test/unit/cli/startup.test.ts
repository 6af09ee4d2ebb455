import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers.js';

/** Packages that take a noticeable time to load (0.04 s for piscina, tenths of a second for most), which only some commands need. */
const HEAVY = ['vega', 'vega-lite', '@resvg/resvg-js', 'pdfkit', 'opentype.js', 'svg-to-pdfkit', 'arquero', '@tensorflow/tfjs', '@stdlib/stats-base-dists-t-quantile', 'piscina'];

/**
 * The packages (of HEAVY) a Node process running `script` loaded: a module hook (node:module's
 * `register`) logs every URL an import resolves to, and a wrapper of `Module.prototype.require`
 * every file a CommonJS require (`createRequire` included) loads, which the hook does not see.
 */
function heavyPackagesLoaded(script: string): string[] {
  const dir = tempDir();
  const log = join(dir, 'resolved.txt');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');\n  return r;\n}\n`);
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { appendFileSync } from 'node:fs';\nimport Module, { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n` +
      `const require = Module.prototype.require;\nModule.prototype.require = function (id) {\n  appendFileSync(${JSON.stringify(log)}, Module._resolveFilename(id, this) + '\\n');\n  return require.apply(this, arguments);\n};\n`,
  );
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const urls = readFileSync(log, 'utf8');
  return HEAVY.filter((name) => urls.includes(`/node_modules/${name}/`));
}

describe('start-up', () => {
  it("the CLI's entry loads none of the heavy packages; a command loads what it runs; an interval the t quantile; drawing a figure the renderers", () => {
    const dist = (path: string) => JSON.stringify(pathToFileURL(resolve('dist', path)).href);
    expect(heavyPackagesLoaded(`await import(${dist('cli/main.js')});`)).toEqual([]);
    // Commands are imported when called: `sweep --help` brings the sweep runner's worker pool, and
    // --help every command's module (and so piscina), none of which may import the rest at the top.
    const mainWith = (args: string[]) => `const { main } = await import(${dist('cli/main.js')}); process.stdout.write = () => true; await main(${JSON.stringify(args)});`;
    expect(heavyPackagesLoaded(mainWith(['sweep', '--help']))).toEqual(['piscina']);
    expect(heavyPackagesLoaded(mainWith(['--help']))).toEqual(['piscina']);
    // A confidence interval loads the t quantile (through require), and only then.
    expect(heavyPackagesLoaded(`const { ci95HalfWidth } = await import(${dist('metrics/interval.js')});`)).toEqual([]);
    expect(heavyPackagesLoaded(`const { ci95HalfWidth } = await import(${dist('metrics/interval.js')}); ci95HalfWidth(1, 3);`)).toEqual(['@stdlib/stats-base-dists-t-quantile']);
    // The log does see them when they load: the figure writer's own imports.
    expect(heavyPackagesLoaded(`await import(${dist('figures/write.js')});`)).toEqual(expect.arrayContaining(['vega', 'vega-lite', '@resvg/resvg-js', 'pdfkit']));
  });
});
