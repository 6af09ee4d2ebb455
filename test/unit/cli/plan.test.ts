import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadPipelineProfile, readProfileCsv } from '../../../src/profiles/pipeline-profile.js';
import { pipesimInProcess, tempDir } from '../../helpers.js';


const profile = {
  pipeline: 'two-stage',
  sla: 1.5,
  dropLimit: 10,
  defaults: { alpha: 2, beta: 1, gamma: 0, batchCap: 8, replicaCap: 20, accuracyMethod: 'sum', normalize: 'rank' },
  stages: [
    {
      name: 'detect',
      variants: [
        { name: 'small', accuracy: 40, cores: 1, batches: [{ size: 1, latency: 0.1, latencyMean: 0.08, throughput: 12.5, source: 'measured' }, { size: 4, latency: 0.25, latencyMean: 0.2, throughput: 20, source: 'fitted' }] },
        { name: 'large', accuracy: 60, cores: 2, batches: [{ size: 1, latency: 0.3, latencyMean: 0.25, throughput: 4, source: 'measured' }, { size: 4, latency: 0.8, latencyMean: 0.6, throughput: 6.67, source: 'fitted' }] },
      ],
    },
    { name: 'classify', variants: [{ name: 'only', accuracy: 70, cores: 1, batches: [{ size: 1, latency: 0.05, latencyMean: 0.04, throughput: 25, source: 'derived' }] }] },
  ],
};

function writeProfile(): string {
  const file = join(tempDir(), 'two-stage.yaml');
  writeFileSync(file, YAML.stringify(profile));
  return file;
}

describe('pipesim plan', () => {
  it('prints the chosen configuration, and --json has the documented fields', async () => {
    const file = writeProfile();
    const text = await pipesimInProcess(['plan', file, '--rate', '5']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/two-stage at 5 requests\/s, SLA 1\.500 s, mode ipa/);
    // Rank accuracies: small 0, large 1, classify's only variant 1; objective 2 * accuracy - cores.
    // detect options at 5/s (+ classify: 1 core, 0.05 s): small b1 -> 2*1 - 2 = 0; large b1 (2 replicas) -> 4 - 5 = -1;
    // large b4 (1 replica, 0.8 s + 3/5 s queueing, total 1.45 s <= 1.5 s) -> 4 - 3 = 1: the best.
    expect(text.stdout).toMatch(/detect\s+large\s+4\s+1\s+2\s+0\.8000\s+0\.6000/);
    expect(text.stdout).toMatch(/objective 1\.00000\s+accuracy 2\.000\s+cost 3 cores\s+latency bound 1\.4500 s/);
    const json = JSON.parse((await pipesimInProcess(['plan', file, '--rate', '5', '--json'])).stdout);
    expect(json).toMatchObject({ feasible: true, objective: 1, accuracy: 2, cost: 3, pipeline: 'two-stage', rate: 5, sla: 1.5 });
    expect(json.latency).toBeCloseTo(1.45, 12);
    for (const k of ['objective', 'accuracy', 'cost', 'latency', 'feasible']) expect(json).toHaveProperty(k);
    for (const s of json.stages) for (const k of ['variant', 'batch', 'replicas']) expect(s).toHaveProperty(k);
    expect(json.cost).toBe(json.stages.reduce((n: number, s: { cores: number }) => n + s.cores, 0));
    expect(json.latency).toBeLessThanOrEqual(json.sla);
  });

  it('scale and switch modes honour --variants and --replicas; infeasible loads say what would work', async () => {
    const file = writeProfile();
    const scale = JSON.parse((await pipesimInProcess(['plan', file, '--rate', '5', '--mode', 'scale', '--variants', 'large,only', '--json'])).stdout);
    expect(scale.stages.map((s: { variant: string }) => s.variant)).toEqual(['large', 'only']);
    const sw = JSON.parse((await pipesimInProcess(['plan', file, '--rate', '5', '--mode', 'switch', '--replicas', '3', '--json'])).stdout);
    expect(sw.stages.map((s: { replicas: number }) => s.replicas)).toEqual([3, 3]);
    const tooMuch = await pipesimInProcess(['plan', file, '--rate', '1000']);
    // No plan is a documented exit status of its own, so scripts can tell it from success and from bad input.
    expect(tooMuch.code).toBe(3);
    expect(tooMuch.stderr).toMatch(/^pipesim: no plan: at 1000 requests\/s/);
    // detect tops out at 20 replicas x 20/s (small, batch 4), classify at 20 x 25/s.
    expect(tooMuch.stdout).toMatch(/infeasible: at 1000 requests\/s stages detect, classify cannot keep up with at most 20 replicas/);
    expect(tooMuch.stdout).toMatch(/largest feasible rate under this SLA: 400\.0 requests\/s/);
    const tooTight = await pipesimInProcess(['plan', file, '--rate', '5', '--sla', '1ms']);
    expect(tooTight.code).toBe(3);
    expect(tooTight.stdout).toMatch(/largest feasible rate under this SLA: none \(no rate meets this SLA\)/);
    expect(tooTight.stdout).not.toMatch(/0\.000 requests\/s/);
  });

  it('plans for a scenario with its profile; scale and switch lock the variants and replicas of its stages', async () => {
    const file = writeProfile();
    const scenarioFile = (extra: Record<string, unknown> = {}) => {
      const path = join(tempDir(), 'scenario.yaml');
      const stages = [{ variant: 'large', replicas: 2 }, { variant: 'only', replicas: 3 }];
      writeFileSync(path, YAML.stringify({ duration: 60, workload: { arrivals: { kind: 'poisson', rate: 5 } }, pipeline: { profile: file, stages }, ...extra }));
      return path;
    };
    const scenario = scenarioFile();
    const plan = async (target: string, ...args: string[]) => JSON.parse((await pipesimInProcess(['plan', target, '--rate', '5', '--json', ...args])).stdout);
    expect(await plan(scenario)).toEqual(await plan(file));
    expect((await plan(scenario, '--mode', 'scale')).stages.map((s: { variant: string }) => s.variant)).toEqual(['large', 'only']);
    const sw = (await plan(scenario, '--mode', 'switch')).stages;
    expect(sw.map((s: { replicas: number }) => s.replicas)).toEqual([2, 3]);
    expect((await plan(scenario, '--mode', 'switch', '--replicas', '4')).stages.map((s: { replicas: number }) => s.replicas)).toEqual([4, 4]);
    // A scenario's ipa, fa2 or rim adapter gives the mode and options; flags still override.
    const adapted = scenarioFile({ adaptation: { adapter: { kind: 'fa2', sla: 1.2, alpha: 5 } } });
    expect(await plan(adapted)).toMatchObject({ mode: 'scale', sla: 1.2, alpha: 5, beta: 1 });
    expect(await plan(adapted, '--mode', 'ipa', '--alpha', '3')).toMatchObject({ mode: 'ipa', sla: 1.2, alpha: 3 });
    const none = await pipesimInProcess(['plan', 'scenarios/quickstart.yaml', '--rate', '5']);
    expect([none.code, none.stderr]).toEqual([2, 'pipesim: scenarios/quickstart.yaml: the scenario has no pipeline.profile to plan with\n']);
  });

  it('bad input exits 2 with a message', async () => {
    const file = writeProfile();
    expect((await pipesimInProcess(['plan', 'no-such-pipeline', '--rate', '5'])).stderr).toMatch(/unknown pipeline "no-such-pipeline"/);
    const r = await pipesimInProcess(['plan', file, '--rate', '5', '--mode', 'switch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mode switch needs --replicas/);
    expect((await pipesimInProcess(['plan', file, '--rate', '5', '--mode', 'scale', '--variants', 'huge,only'])).stderr).toMatch(/stage detect has no variant huge/);
  });
});

describe('pipesim profiles fit', () => {
  it('recovers a known model from exact points and marks extrapolated rows', async () => {
    const dir = tempDir();
    const rows = ['batch,cores,latency'];
    for (const b of [1, 2, 8]) for (const c of [1, 2, 4]) rows.push(`${b},${c},${(0.02 + 0.01 * b) / c ** 0.8}`);
    writeFileSync(join(dir, 'points.csv'), rows.join('\n') + '\n');
    const r = await pipesimInProcess(['profiles', 'fit', join(dir, 'points.csv'), '--batches', '2,16', '--cores', '2', '--json']);
    expect(r.code).toBe(0);
    const fit = JSON.parse(r.stdout);
    expect(fit.model.alpha).toBeCloseTo(0.02, 6);
    expect(fit.model.beta).toBeCloseTo(0.01, 6);
    expect(fit.model.gamma).toBeCloseTo(0.8, 6);
    expect(fit.table).toMatchObject([{ batch: 2, cores: 2, extrapolated: false }, { batch: 16, cores: 2, extrapolated: true }]);
    expect(fit.table[1].latency).toBeCloseTo((0.02 + 0.16) / 2 ** 0.8, 9);
    const text = await pipesimInProcess(['profiles', 'fit', join(dir, 'points.csv'), '--batches', '16']);
    expect(text.stdout).toMatch(/rms relative error 0\.00%/);
    expect(text.stdout).toMatch(/\(extrapolated\)/);
    expect(text.stderr).toMatch(/warning: rows marked \(extrapolated\)/);
  });
});

describe('pipesim profiles export', () => {
  it('JSON in the documented shape, and CSV that reads back to the same stages', async () => {
    const file = writeProfile();
    const json = JSON.parse((await pipesimInProcess(['profiles', 'export', file, '--json'])).stdout);
    expect(json.pipeline).toBe('two-stage');
    expect(json.sla).toBe(1.5);
    expect(json.stages[0].variants[1]).toMatchObject({ name: 'large', accuracy: 1, rawAccuracy: 60, cores: 2 });
    expect(json.stages[0].variants[1].batches[0]).toMatchObject({ size: 1, latency: 0.3, throughput: 4 });
    const csv = (await pipesimInProcess(['profiles', 'export', file])).stdout;
    const csvFile = join(tempDir(), 'p.csv');
    writeFileSync(csvFile, csv);
    expect(readProfileCsv(csvFile)).toEqual(loadPipelineProfile(file).stages);
    // And a profile YAML may keep its stages in that CSV.
    const withTable = join(tempDir(), 'with-table.yaml');
    writeFileSync(withTable, YAML.stringify({ pipeline: 'two-stage', sla: 1.5, table: csvFile }));
    expect(loadPipelineProfile(withTable).stages).toEqual(loadPipelineProfile(file).stages);
  });
});
