import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IPA_PIPELINES, IPA_WORKLOADS, ipaCells, runIpaExperiment, type IpaRunResult } from '../../src/experiments/ipa.js';
import { parseCsvRecords } from '../../src/metrics/csv.js';
import { tempDir } from '../helpers.js';

const readCsv = (path: string) => parseCsvRecords(readFileSync(path, 'utf8'));

describe("IPA's experiments in simulation: the video pipeline", () => {
  let out: string;
  let results: IpaRunResult[];
  let steps: Record<string, string>[];
  const run = (workload: string, policy: string) => results.find((r) => r.cell.workload === workload && r.cell.policy === policy)!.summary;

  beforeAll(async () => {
    out = tempDir();
    results = await runIpaExperiment(ipaCells({ pipelines: ['video'], workloads: IPA_WORKLOADS, policies: ['ipa', 'fa2-low', 'fa2-high', 'rim'], predictors: ['lstm'] }), out);
    steps = readCsv(join(out, 'steps.csv'));
  }, 120_000);

  it("cost levels against IPA's Figure 8: FA2-high within 25% on steady loads; FA2-low and RIM at half, the light variants' 1 core (docs/results/ipa.md)", () => {
    const planned = (workload: string, policy: string) => steps.filter((s) => s.workload === workload && s.policy === policy).map((s) => Number(s.planned_cores));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    expect(median(planned('steady_low', 'fa2-high')) / 8).toBeGreaterThanOrEqual(0.75);
    expect(median(planned('steady_low', 'fa2-high')) / 8).toBeLessThanOrEqual(1.25);
    expect(median(planned('steady_high', 'fa2-high')) / 22).toBeGreaterThanOrEqual(0.75);
    expect(median(planned('steady_high', 'fa2-high')) / 22).toBeLessThanOrEqual(1.25);
    // Figure 8: FA2-low 4 cores on steady low, RIM 12 throughout; here the light variants are at 1 core.
    expect(median(planned('steady_low', 'fa2-low'))).toBe(2);
    expect(new Set(planned('bursty', 'rim'))).toEqual(new Set([6]));
  });

  it('IPA is more accurate than FA2-low on every workload, at a planned cost within 10% of it', () => {
    for (const w of IPA_WORKLOADS) {
      const ipa = run(w, 'ipa').adaptation!;
      const low = run(w, 'fa2-low').adaptation!;
      // On steady high load both sit on the light variants, so "more accurate" means "not less" there.
      if (w === 'steady_high') expect(ipa.meanAccuracy!.objective).toBeGreaterThanOrEqual(low.meanAccuracy!.objective);
      else expect(ipa.meanAccuracy!.objective).toBeGreaterThan(low.meanAccuracy!.objective);
      expect(ipa.meanPlannedCores / low.meanPlannedCores).toBeLessThan(1.1);
    }
  });

  it("RIM's planned cost is flat: the same at every step of every workload", () => {
    const rim = steps.filter((s) => s.policy === 'rim').map((s) => Number(s.planned_cores));
    expect(rim.length).toBeGreaterThan(4 * 120);
    expect(new Set(rim)).toEqual(new Set([6]));
  });

  it('on steady high load IPA falls back to the light variants', () => {
    const ipa = steps.filter((s) => s.policy === 'ipa' && s.workload === 'steady_high');
    const light = ipa.filter((s) => s.configuration.startsWith('yolov5n ') && s.configuration.includes('-> resnet18 '));
    expect(light.length / ipa.length).toBeGreaterThan(0.9);
  });

  it('the tidy tables hold one row per step and per run, and repeat byte for byte', async () => {
    const runs = readCsv(join(out, 'runs.csv'));
    expect(runs).toHaveLength(16);
    expect(runs[0]).toMatchObject({ pipeline: 'video', workload: 'bursty', policy: 'ipa', predictor: 'lstm', requests: '14437' });
    for (const r of results) {
      const own = steps.filter((s) => s.workload === r.cell.workload && s.policy === r.cell.policy);
      expect(own).toHaveLength(r.summary.adaptation!.steps);
      expect(own.reduce((n, s) => n + Number(s.arrived), 0)).toBe(r.summary.requests.arrived);
    }
    const again = tempDir();
    await runIpaExperiment(ipaCells({ pipelines: ['video'], workloads: ['bursty'], policies: ['ipa'], predictors: ['lstm'] }), again);
    const first = readFileSync(join(out, 'runs', 'video-bursty-ipa-lstm-seed1', 'adaptation.csv'), 'utf8');
    expect(readFileSync(join(again, 'runs', 'video-bursty-ipa-lstm-seed1', 'adaptation.csv'), 'utf8')).toBe(first);
    const firstRuns = readFileSync(join(out, 'runs.csv'), 'utf8').split('\n');
    expect(readFileSync(join(again, 'runs.csv'), 'utf8')).toBe(firstRuns.slice(0, 2).join('\n') + '\n');
  });

  it('with seeds, every cell runs once per seed: the scenario seed repeats the default run, another seed differs', async () => {
    const seeded = tempDir();
    const runs = await runIpaExperiment(ipaCells({ pipelines: ['video'], workloads: ['bursty'], policies: ['ipa'], predictors: ['lstm'] }), seeded, { seeds: [1, 7] });
    expect(runs.map((r) => r.summary.seed)).toEqual([1, 7]);
    const table = readCsv(join(seeded, 'runs.csv'));
    expect(table.map((r) => r.seed)).toEqual(['1', '7']);
    const seedSteps = readCsv(join(seeded, 'steps.csv'));
    expect(seedSteps.filter((s) => s.seed === '7')).toHaveLength(runs[1].summary.adaptation!.steps);
    const adaptation = (dir: string, id: string) => readFileSync(join(dir, 'runs', id, 'adaptation.csv'), 'utf8');
    expect(adaptation(seeded, 'video-bursty-ipa-lstm-seed1')).toBe(adaptation(out, 'video-bursty-ipa-lstm-seed1'));
    // The same per-second counts, other arrival instants and service times.
    expect(runs[1].summary.requests.arrived).toBe(runs[0].summary.requests.arrived);
    expect(adaptation(seeded, 'video-bursty-ipa-lstm-seed7')).not.toBe(adaptation(seeded, 'video-bursty-ipa-lstm-seed1'));
  });
});

describe("IPA's predictor ablation on the bursty workload", () => {
  // Figure 16's ordering from IPA's own reactive predictor (the last 10-second bin's peak), over 5
  // seeds: IPA reports fewer violations with the LSTM on all five pipelines; in simulation the LSTM
  // has fewer on video and sum-qa and the same (none) on the other three, whose plans keep
  // enough headroom under either forecast.
  it("over 5 seeds the LSTM never has more SLA violations than IPA's reactive predictor, and fewer on video and sum-qa", async () => {
    const seeds = [1, 2, 3, 4, 5];
    const results = await runIpaExperiment(ipaCells({ pipelines: IPA_PIPELINES, workloads: ['bursty'], policies: ['ipa'], predictors: ['lstm', 'reactive'] }), tempDir(), { seeds });
    const violations = (pipeline: string, predictor: string) =>
      results
        .filter((r) => r.cell.pipeline === pipeline && r.cell.predictor === predictor)
        .map((r) => {
          expect(r.summary.requests.arrived).toBe(14_437);
          return r.summary.requests.dropped + r.summary.requests.late;
        })
        .reduce((a, b) => a + b, 0);
    for (const pipeline of IPA_PIPELINES) expect(violations(pipeline, 'lstm'), pipeline).toBeLessThanOrEqual(violations(pipeline, 'reactive'));
    const fewer = IPA_PIPELINES.filter((p) => violations(p, 'lstm') < violations(p, 'reactive'));
    expect(fewer).toEqual(['video', 'sum-qa']);
  }, 120_000);
});
