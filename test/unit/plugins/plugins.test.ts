import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineAdapter, loadScenario, runToFolder, simulate, z } from '../../../src/index.js';
import { pipesim, pipesimInProcess, tempDir } from '../../helpers.js';


describe('plug-ins from files', () => {
  it('the example adapter and discipline run in a 2-worker sweep beside IPA and FA2, and plot', async () => {
    const out = join(tempDir(), 'sweep');
    const run = await pipesimInProcess(['sweep', 'run', 'examples/sweep.yaml', '--out', out, '--workers', '2', '--collect', '-q']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(6);
    expect(new Set(rows.map((r) => r.split(',')[1]))).toEqual(new Set(['threshold', 'ipa', 'fa2']));
    // Each run's folder says which adapter ran, and the module plug-in ran as itself.
    const adapters = readFileSync(join(out, 'runs.csv'), 'utf8').includes('threshold-autoscaler');
    expect(adapters).toBe(true);
    const plot = await pipesimInProcess(['plot', 'bars', out, '--x', 'name', '--color', 'name', '--metric', 'sloViolationRatio', '--metric', 'cost.meanCores', '--out', join(out, 'bars.svg')]);
    expect(plot.code).toBe(0);
    const svg = readFileSync(join(out, 'bars.svg'), 'utf8');
    for (const name of ['threshold', 'ipa', 'fa2']) expect(svg).toContain(`>${name}<`);
  });

  it('a run folder of a plug-in scenario runs again from its scenario.yaml, elsewhere, to the same bytes', async () => {
    const dir = tempDir();
    expect((await pipesimInProcess(['run', 'examples/video-plugins.yaml', '--out', join(dir, 'a'), '-q'])).code).toBe(0);
    expect((await pipesimInProcess(['run', join(dir, 'a', 'scenario.yaml'), '--out', join(dir, 'b'), '-q'])).code).toBe(0);
    for (const f of ['summary.json', 'timeseries.csv', 'adaptation.csv']) expect(readFileSync(join(dir, 'b', f), 'utf8')).toBe(readFileSync(join(dir, 'a', f), 'utf8'));
  });

  // In a child process: the hook that lets a plug-in file import 'pipesim' (src/plugins/modules.ts) does not reach into vitest's module runner.
  it('plug-in options are checked by the plug-in\'s schema, with the same path-precise errors as built-ins', () => {
    const dir = tempDir();
    cpSync('examples', dir, { recursive: true });
    cpSync('traces', join(dir, '..', 'traces'), { recursive: true });
    const file = join(dir, 'video-plugins.yaml');
    const r = pipesim(['run', file, '--set', 'adaptation.adapter.options.high=2', '--set', 'adaptation.adapter.options.lwo=0.1', '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: adaptation.adapter.options.high: Too big: expected number to be <=1, got 2`);
    expect(r.stderr).toContain('adaptation.adapter.options: Unrecognized key: "lwo"');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const missing = pipesim(['run', file, '--set', `adaptation.adapter.path=${join(dir, 'nowhere.mjs')}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nowhere.mjs: plug-in module not found');
    writeFileSync(join(dir, 'wrong.mjs'), 'export default { kind: "x" };\n');
    const wrong = pipesim(['run', file, '--set', `adaptation.adapter.path=${join(dir, 'wrong.mjs')}`]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('wrong.mjs: export "default" is not made with a define* function; expected an adapter (make it with defineAdapter from pipesim)');
  });
});

describe('library API', () => {
  it("a user's adapter in code: defined, named by kind, simulated, written, deterministic", async () => {
    // A whole user policy: keep twice the replicas the last second's load needs, per stage.
    const headroom = defineAdapter({
      kind: 'headroom',
      options: z.object({ perReplica: z.number().positive().default(10) }),
      decide: ({ observation, current }, { perReplica }) => {
        const lastSecond = observation.arrivals[observation.arrivals.length - 1] ?? 0;
        const replicas = Math.max(1, Math.ceil((2 * lastSecond) / perReplica));
        return { configuration: current.map((s) => ({ ...s, replicas })), note: '' };
      },
    });
    const load = () =>
      loadScenario('scenarios/quickstart.yaml', {
        plugins: [headroom],
        set: { duration: '5m', adaptation: { interval: '10s', adapter: { kind: 'headroom', perReplica: 4 } } },
      });
    const result = await simulate(await load());
    expect(result.adaptation?.adapter).toBe('headroom');
    expect(result.adaptation?.reconfigurations).toBeGreaterThan(0);
    expect(result.summary.stages[0].meanReplicas).toBeGreaterThan(1);
    expect(JSON.stringify((await simulate(await load())).summary)).toBe(JSON.stringify(result.summary));
    const dir = tempDir();
    const summary = (await runToFolder(await load(), dir)) as { adaptation: { adapter: string } };
    expect(summary.adaptation.adapter).toBe('headroom');
    expect(readFileSync(join(dir, 'scenario.yaml'), 'utf8')).toContain('perReplica: 4');
    await expect(loadScenario('scenarios/quickstart.yaml', { plugins: [headroom], set: { duration: '5m', adaptation: { adapter: { kind: 'headroom', perReplica: -1 } } } })).rejects.toThrow(
      'scenarios/quickstart.yaml with adaptation overridden: adaptation.adapter.perReplica: Too small',
    );
  });
});
