import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { equivalentTimeout, expectedBatch, HarmonyPlanner, type Application } from '../../src/adapters/harmonybatch/planner.js';
import { loadServerlessModel } from '../../src/profiles/serverless.js';
import { readScenarioOfKind } from '../../src/kinds/load.js';
import { runServerlessToFolder } from '../../src/kinds/serverless/run-folder.js';
import { pipesimInProcess, tempDir } from '../helpers.js';

// Expected values below are the worked numbers of ../shared/data/harmonybatch/MODEL.md (printed by
// HarmonyBatch's own code, or computed there by hand from its formulas).
const vgg = loadServerlessModel('VGG19');
const close = (actual: number, expected: number, relative = 1e-3) => expect(Math.abs(actual / expected - 1)).toBeLessThan(relative);

const WORKED: Application[] = [
  { name: 'app0', slo: 0.5, rate: 5 },
  { name: 'app1', slo: 0.6, rate: 5 },
  { name: 'app2', slo: 0.8, rate: 5 },
  { name: 'app3', slo: 1.0, rate: 15 },
];

describe('serverless function model', () => {
  it('GPU latency by batch and memory share matches the table for VGG19 at 2 GB and the whole device', () => {
    const table: [number, number, number][] = [
      [1, 0.0455, 0.0574],
      [2, 0.0657, 0.1122],
      [4, 0.106, 0.169],
      [8, 0.1866, 0.2299],
      [10, 0.2269, 0.2867],
      [16, 0.3479, 0.4572],
      [32, 0.6704, 0.8062],
    ];
    for (const [b, avg, tail] of table) {
      expect(vgg.gpuLatency(2, b, 'average')).toBeCloseTo(avg, 4);
      expect(vgg.gpuLatency(2, b, 'tail')).toBeCloseTo(tail, 4);
    }
    expect(vgg.gpuLatency(24, 1, 'average')).toBeCloseTo(0.0038, 4);
    // At 24 GB the tail has no time-slicing wait and no overhead factor: it is the average.
    expect(vgg.gpuLatency(24, 7, 'tail')).toBeCloseTo(vgg.gpuLatency(24, 7, 'average'), 12);
  });

  it('memory: the least vCPU memory allows, the memory of a CPU function, and the least GPU memory per batch', () => {
    expect(vgg.minCpuVcpu(1)).toBe(0.21875);
    expect(vgg.minCpuVcpu(2)).toBe(0.21875);
    expect(vgg.minCpuVcpu(3)).toBe(0.234375);
    expect(vgg.minCpuVcpu(4)).toBe(0.234375);
    expect(vgg.cpuFunction(1.6, 1)).toEqual({ kind: 'cpu', vcpu: 1.6, memGb: 1.625 });
    expect(vgg.cpuFunction(0.2, 1)).toBeUndefined(); // 896 MB need > 4 GB per vCPU x 0.2
    expect(vgg.gpuFunction(2)).toEqual({ kind: 'gpu', gpuMemGb: 2, vcpu: 2 / 3, memGb: 0.5 });
    const minMem = (model: string, batches: number[]) => batches.map((b) => loadServerlessModel(model).minGpuMemGb(b));
    expect(minMem('VGG19', [1, 16, 32])).toEqual([2, 2, 2]);
    expect(minMem('Bert', [1, 32])).toEqual([1, 1]);
    expect(minMem('GPT-2', [27, 28])).toEqual([1, 2]);
    expect(minMem('VideoMAE', [4, 5, 6, 7, 12, 13, 14, 15])).toEqual([2, 3, 3, 4, 4, 5, 5, 6]);
  });

  it('billing: per vCPU-, memory- and GPU-memory-second plus the invocation, GPU time in whole seconds', () => {
    const cpu = vgg.cpuFunction(1.6, 1)!;
    // 9e-7 + (1.6 x 9e-5 + 1.625 x 9e-6) x L_avg(1.6, 1): the worked example's CPU cost.
    close(vgg.costPerRequest(cpu, vgg.cpuLatency(1.6, 1, 'average'), 1), 4.3498e-5, 2e-4);
    expect(vgg.invocationCost(cpu, 0.5)).toBeCloseTo(9e-7 + (1.6 * 9e-5 + 1.625 * 9e-6) * 0.5, 15);
    const gpu = vgg.gpuFunction(2)!;
    const perSecond = (2 / 3) * 9e-5 + 0.5 * 9e-6 + 2 * 1.1e-4;
    expect(vgg.invocationCost(gpu, 0.2269)).toBeCloseTo(9e-7 + perSecond, 15);
    expect(vgg.invocationCost(gpu, 1.2)).toBeCloseTo(9e-7 + 2 * perSecond, 15);
    close(vgg.costPerRequest(gpu, 0.2269, 10), 2.854e-5, 1e-4);
  });
});

describe('HarmonyBatch planning', () => {
  it('folds timeouts as the reference code does and takes the expected batch from the fold', () => {
    const tail = vgg.gpuLatency(2, 10, 'tail');
    const timeouts = [0.8 - tail, 1.0 - tail];
    close(timeouts[0], 0.51331, 1e-5);
    const fold = equivalentTimeout(timeouts, [5, 15]);
    expect(fold.timeout).toBeCloseTo(0.525989, 5);
    expect(fold.rate).toBe(20);
    expect(1 + 20 * fold.timeout).toBeCloseTo(11.52, 2);
    expect(expectedBatch(10, timeouts, [5, 15])).toBe(10);
    expect(expectedBatch(32, timeouts, [5, 15])).toBe(11);
    // Three applications: fold the two smallest timeouts, then the result with the third.
    const two = equivalentTimeout([0.2, 0.3], [4, 6]);
    expect(equivalentTimeout([0.3, 0.5, 0.2], [6, 2, 4]).timeout).toBeCloseTo(equivalentTimeout([two.timeout, 0.5], [10, 2]).timeout, 15);
    expect(two.timeout).toBeCloseTo(0.2 + 0.6 * Math.exp(-4 * 0.3 - 0.2), 15);
  });

  it('gives every application the slack its SLO leaves after the tail latency, and never a batch the arrivals cannot fill', () => {
    const planner = new HarmonyPlanner(vgg);
    const apps: Application[] = [
      { name: 'a', slo: 0.7, rate: 12 },
      { name: 'b', slo: 0.9, rate: 20 },
    ];
    const config = planner.configureGroup(apps)!;
    expect(config.function.kind).toBe('gpu');
    const f = config.function;
    const tail = vgg.latency(f, config.batch, 'tail');
    config.timeouts.forEach((t, i) => expect(t).toBeCloseTo(apps[i].slo - tail, 12));
    const fold = equivalentTimeout(config.timeouts, [12, 20]);
    expect(1 + 32 * fold.timeout).toBeGreaterThan(config.batch);
    // The next larger batch at this memory either misses the SLO or could not be filled.
    const bigger = config.batch + 1;
    const biggerTail = vgg.latency(f, bigger, 'tail');
    const fillable = 1 + 32 * equivalentTimeout(apps.map((a) => a.slo - biggerTail), [12, 20]).timeout > bigger;
    expect(0.7 - biggerTail < 0 || !fillable).toBe(true);
  });

  it("rate thresholds from CPU to GPU match the reference's for VGG19", () => {
    const planner = new HarmonyPlanner(vgg);
    const expected: [number, number][] = [
      [0.3, 40],
      [0.4, 34.853],
      [0.5, 22.047],
      [0.6, 16.123],
      [0.8, 10.487],
      [1.0, 7.771],
      [1.5, 4.716],
    ];
    for (const [slo, threshold] of expected) expect(planner.threshold(slo)).toBeCloseTo(threshold, 3);
  });

  it("reproduces the worked example (HarmonyBatch's main.py) exactly", () => {
    const plan = new HarmonyPlanner(vgg).plan(WORKED);
    expect(plan.groups.map((g) => g.apps)).toEqual([[0], [1], [2, 3]]);
    const [g0, g1, g2] = plan.groups;
    for (const g of [g0, g1]) {
      expect(g.function).toEqual({ kind: 'cpu', vcpu: 1.6, memGb: 1.625 });
      expect(g.batch).toBe(1);
      expect(g.timeouts).toEqual([0]);
      close(g.costPerRequest, 4.3498e-5);
    }
    expect(g2.function).toEqual({ kind: 'gpu', gpuMemGb: 2, vcpu: 2 / 3, memGb: 0.5 });
    expect(g2.batch).toBe(10);
    close(g2.timeouts[0], 0.51331);
    close(g2.timeouts[1], 0.71331);
    close(g2.costPerRequest, 2.854e-5);
    close(plan.totalCostPerRequest, 3.35259e-5, 1e-5);
    // Initial grouping (app3 alone on GPU) then stage 2 merging app2 into app3's GPU group.
    close(plan.costHistory[0], 3.6019e-5, 1e-4);
    expect(plan.costHistory).toHaveLength(2);
  });

  it('groups small hand-made cases as its stages prescribe', () => {
    const planner = new HarmonyPlanner(vgg);
    // One application under its threshold stays alone on a CPU function; over it, on a GPU function.
    expect(planner.plan([{ name: 'a', slo: 1, rate: 5 }]).groups[0].function.kind).toBe('cpu');
    expect(planner.plan([{ name: 'a', slo: 1, rate: 9 }]).groups[0].function.kind).toBe('gpu');
    // Two GPU applications: stage 2 merges them, because one GPU function's whole-second bill is
    // shared by bigger batches; the merge is kept only if strictly cheaper.
    const two = planner.plan([
      { name: 'a', slo: 1, rate: 9 },
      { name: 'b', slo: 1, rate: 9 },
    ]);
    expect(two.groups.map((g) => g.apps)).toEqual([[0, 1]]);
    expect(two.costHistory[1]).toBeLessThan(two.costHistory[0]);
    // Two CPU applications whose rates add up past the first one's threshold: stage 1 tries one GPU group.
    const pair = planner.plan([
      { name: 'a', slo: 1, rate: 5 },
      { name: 'b', slo: 1, rate: 5 },
    ]);
    const separate = 2 * 0.5 * planner.configureGroup([{ name: 'a', slo: 1, rate: 5 }])!.costPerRequest;
    const together = planner.configureGroup([{ name: 'a', slo: 1, rate: 5 }, { name: 'b', slo: 1, rate: 5 }], false)!.costPerRequest;
    expect(pair.groups).toHaveLength(together < separate ? 1 : 2);
    // Applications are grouped in SLO order whatever the input order; indices refer to the input.
    const shuffled = planner.plan([WORKED[3], WORKED[1], WORKED[0], WORKED[2]]);
    expect(shuffled.groups.map((g) => g.apps)).toEqual([[2], [1], [3, 0]]);
    close(shuffled.totalCostPerRequest, 3.35259e-5, 1e-5);
  });

  it('BATCH: one CPU function per application, the cheapest on the whole grid by the average model', () => {
    const plan = new HarmonyPlanner(vgg, { algorithm: 'batch' }).plan(WORKED);
    expect(plan.groups).toHaveLength(4);
    expect(plan.groups.every((g) => g.function.kind === 'cpu')).toBe(true);
    // app0 at batch 1: 1.55 vCPU, 4.3485e-5 (HarmonyBatch's proxy chooses 1.60 at 4.3498e-5).
    expect(plan.groups[0].function.vcpu).toBe(1.55);
    close(plan.groups[0].costPerRequest, 4.3485e-5, 1e-4);
    // Exhaustive: no grid point is cheaper for app0's constraints.
    for (let c = 0.25; c <= 16; c += 0.05) {
      const vcpu = Math.round(c * 100) / 100;
      if (vgg.cpuLatency(vcpu, 1, 'average') > 0.5) continue;
      expect(plan.groups[0].costPerRequest).toBeLessThanOrEqual(vgg.costPerRequest(vgg.cpuFunction(vcpu, 1)!, vgg.cpuLatency(vcpu, 1, 'average'), 1) + 1e-18);
    }
    expect(plan.totalCostPerRequest).toBeGreaterThan(new HarmonyPlanner(vgg).plan(WORKED).totalCostPerRequest);
    // The exhaustive CPU search (a fix of the proxy) finds BATCH's cheaper vCPU for a singleton.
    const fixed = new HarmonyPlanner(vgg, { cpuSearch: 'exhaustive' }).plan([WORKED[0]]);
    expect(fixed.groups[0].function.vcpu).toBe(1.55);
  });
});

describe('serverless simulation', () => {
  const example = () => readScenarioOfKind('serverless', 'scenarios/harmonybatch/example.yaml');

  it('bills every invocation as the model says (checked request by request)', () => {
    const s = example();
    s.duration = 120;
    s.metrics.requests = true;
    const dir = tempDir();
    const summary = runServerlessToFolder(s, dir);
    const rows = readFileSync(join(dir, 'requests.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const cpu = vgg.cpuFunction(1.6, 1)!;
    const gpu = vgg.gpuFunction(2)!;
    let total = 0;
    for (const [app, , , latency, batch, cost] of rows) {
      if (app === 'app0' || app === 'app1') {
        // Batch 1 and no timeout: the invocation lasts the whole latency, billed to the microsecond.
        expect(Number(batch)).toBe(1);
        expect(Number(cost)).toBeCloseTo(vgg.invocationCost(cpu, Number(latency)), 9);
      } else {
        // GPU invocations of VGG19 last under a second: each is billed one whole second.
        expect(Number(cost)).toBeCloseTo(vgg.invocationCost(gpu, 0.5) / Number(batch), 9);
      }
      total += Number(cost);
    }
    // The run's total also bills the batches still running at the end; the completed ones add up exactly.
    expect(total).toBeCloseTo((summary.cost.perRequest as number) * summary.requests.completed, 9);
    expect(summary.cost.total).toBeGreaterThanOrEqual(total - 1e-9);
    expect(rows.length).toBe(summary.requests.completed);
  });

  it('on the worked example with Poisson arrivals, the simulated cost per request is within 5% of the plan, and each SLO is reported', () => {
    const summary = runServerlessToFolder(example(), tempDir());
    expect(summary.requests.arrived).toBeGreaterThan(100_000);
    const ratio = (summary.cost.perRequest as number) / (summary.cost.plannedPerRequest as number);
    expect(Math.abs(ratio - 1)).toBeLessThan(0.05);
    for (const app of summary.apps) {
      expect(app.violationRatio).not.toBeNull();
      expect(app.latency.p99).toBeGreaterThan(0);
    }
    close(summary.cost.plannedPerRequest as number, 3.35e-5, 0.01);
  });
});

describe('pipesim harmony plan', () => {

  it('prints the documented JSON plan for applications given on the command line', async () => {
    const r = await pipesimInProcess(['harmony', 'plan', '--model', 'VGG19', '--app', 'slo=0.5,rps=5', '--app', 'slo=600ms,rps=5', '--app', 'slo=0.8,rps=5,name=c', '--app', 'slo=1,rps=15', '--json']);
    expect(r.stderr).toBe('');
    const plan = JSON.parse(r.stdout);
    close(plan.totalCostPerRequest, 3.35259e-5, 1e-5);
    expect(plan.groups.map((g: { apps: string[] }) => g.apps)).toEqual([['app0'], ['app1'], ['c', 'app3']]);
    expect(plan.groups[0]).toMatchObject({ function: 'cpu', vcpu: 1.6, gpuMemGb: null, batch: 1, timeouts: [0] });
    expect(plan.groups[2]).toMatchObject({ function: 'gpu', gpuMemGb: 2, batch: 10 });
    expect(plan.groups[2].timeouts).toHaveLength(2);
    const batch = JSON.parse((await pipesimInProcess(['harmony', 'plan', 'scenarios/harmonybatch/example.yaml', '--algorithm', 'batch', '--json'])).stdout);
    expect(batch.groups).toHaveLength(4);
    expect(batch.totalCostPerRequest).toBeGreaterThan(plan.totalCostPerRequest);
  });

  it('rejects bad applications with a clear message and exit code 2', async () => {
    for (const [app, message] of [
      ['slo=0.5', 'give slo and rps'],
      ['slo=fast,rps=5', 'slo: expected seconds or a duration'],
      ['slo=0.5,rps=-1', 'rps must be a number > 0'],
      ['slo=0.5,rps=5,colour=red', 'unknown key "colour"'],
    ]) {
      const r = await pipesimInProcess(['harmony', 'plan', '--model', 'VGG19', '--app', app]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect((await pipesimInProcess(['harmony', 'plan', '--model', 'ResNet', '--app', 'slo=1,rps=1'])).stderr).toContain('unknown model "ResNet" (the catalog has VGG19, Bert, GPT-2, VideoMAE)');
    expect((await pipesimInProcess(['harmony', 'plan', '--model', 'VGG19', '--app', 'slo=0.003,rps=1'])).stderr).toContain("no function meets application app0's SLO of 0.003 s");
  });
});

describe('function instances', () => {
  const oneApp = (keepAlive: number) => {
    const dir = tempDir();
    const file = join(dir, 'one.yaml');
    writeFileSync(
      file,
      `duration: 60\nmetrics: {requests: true}\nserverless:\n  model: VGG19\n  coldStart: 2s\n  keepAlive: ${keepAlive}\n  apps:\n    - {name: a, slo: 1s, arrivals: {kind: constant, rate: 1}}\n`,
    );
    const summary = runServerlessToFolder(readScenarioOfKind('serverless', file), join(dir, 'out'));
    const rows = readFileSync(join(dir, 'out', 'requests.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    rows.sort((x, y) => Number(x[1]) - Number(y[1])); // by arrival (the file is in completion order)
    return { summary, rows };
  };

  it('a warm instance is reused within its keep-alive; a new one runs only after the cold start', () => {
    const warm = oneApp(600);
    // Requests at 0, 1 and 2 s each find every instance still starting (2 s) or busy, so each starts
    // one; from 3 s on, an instance that finished at about 2.3 s is warm and idle.
    expect(warm.summary.coldStarts).toBe(3);
    expect(warm.rows.slice(0, 3).every((r) => Number(r[3]) > 2)).toBe(true);
    expect(warm.rows.slice(3).every((r) => Number(r[3]) < 1)).toBe(true);
    const cold = oneApp(0);
    expect(cold.summary.coldStarts).toBe(cold.summary.invocations);
    expect(cold.rows.every((r) => Number(r[3]) > 2)).toBe(true);
  });
});

describe('serverless run boundaries', () => {
  it('plans only while the workload lasts and ends at the last completion', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), '300 240 360\n');
    const file = join(dir, 's.yaml');
    writeFileSync(file, 'serverless:\n  model: VGG19\n  apps:\n    - {name: a, slo: 1s, arrivals: {kind: trace, path: a.txt, bin: 1m}}\n');
    for (const seed of [1, 2, 3, 4]) {
      const scenario = readScenarioOfKind('serverless', file, { seed });
      const summary = runServerlessToFolder(scenario, join(dir, `out${seed}`));
      expect(summary.plans).toBe(3);
      expect(summary.requests.completed).toBe(900);
      const rows = readFileSync(join(dir, `out${seed}`, 'plans.csv'), 'utf8').trim().split('\n');
      expect(Number(rows[3].split(',')[2])).toBeCloseTo(summary.simulated.end, 8); // the last plan's end
      expect(summary.simulated.end).toBeGreaterThanOrEqual(180);
      expect(summary.simulated.end).toBeLessThan(182);
    }
  });
});
