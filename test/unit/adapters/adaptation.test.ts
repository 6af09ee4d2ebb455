import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { AdapterInput, Configuration, Observation } from '../../../src/adapters/adapter.js';
import { planIpa } from '../../../src/adapters/ipa/optimizer.js';
import { ADAPTERS } from '../../../src/adapters/registry.js';
import { RandomStreams } from '../../../src/engine/random.js';
import { Simulation } from '../../../src/engine/simulation.js';
import { Monitor } from '../../../src/metrics/monitor.js';
import type { Request as PipelineRequest } from '../../../src/pipeline/request.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { affineLatency, ServiceTime } from '../../../src/pipeline/service.js';
import type { ReplicaModel } from '../../../src/pipeline/replica.js';
import type { Stage, StageConfig } from '../../../src/pipeline/stage.js';
import { fcfsDiscipline } from '../../../src/pipeline/disciplines/fcfs.js';
import { roundRobinRouter } from '../../../src/pipeline/routers/round-robin.js';

const adapterByKind = (kind: string) => ADAPTERS.get(kind);
import { resolvePipelineProfile } from '../../../src/profiles/catalog.js';
import { runToFolder } from '../../../src/kinds/pipeline/run-folder.js';
import { simulate } from '../../../src/kinds/pipeline/simulate.js';
import { batchReplicaFinder, scenario, tempDir } from '../../helpers.js';

/** One stage fed `n` requests at time 0, with a timeline of what its replicas cost and serve. */
function stageHarness(n: number, drain: number) {
  const sim = new Simulation();
  const service = new ServiceTime(affineLatency(1, 0), 'deterministic', 0, new RandomStreams(1).stream('s'));
  const modelA: ReplicaModel = { variant: 'a', cores: 1, loadTime: 2, service };
  const modelB: ReplicaModel = { variant: 'b', cores: 2, loadTime: 1, service };
  const monitor = new Monitor(sim, { warmup: 0, interval: 1, sketchAccuracy: 0.01 }, {}, () => false);
  const timeline: string[] = [];
  const starts: [number, number, number][] = [];
  const completions: number[] = [];
  const batchReplica = batchReplicaFinder(sim);
  const observer = {
    arrived: (r: number) => monitor.arrived(r),
    completed: (r: number) => {
      completions.push(sim.now);
      monitor.completed(r);
    },
    dropped: monitor.dropped.bind(monitor),
    batchFinished: monitor.batchFinished.bind(monitor),
    batchStarted: (stage: Stage, batch: ArrayLike<number>, size: number, t: number) => {
      starts.push([sim.now, batchReplica(stage).id, size]);
      monitor.batchStarted(stage, batch, size, t);
    },
    replicasChanged: (stage: Stage) => {
      timeline.push(`${sim.now}: cores ${stage.provisionedCores} serving ${stage.servingReplicas} [${stage.replicas.map((r) => `${r.id}${r.model.variant}:${r.state}`).join(' ')}]`);
      monitor.replicasChanged(stage);
    },
  };
  const config: StageConfig = { name: 's', batchTimeout: 0, capacity: Infinity, overflow: 'drop-newest', dropExpired: false, discipline: { definition: fcfsDiscipline, options: {} }, abandon: false, router: roundRobinRouter.create({}), drain };
  const pipeline = new Pipeline(sim, [{ config, initial: { model: modelA, replicas: 1, maxBatch: 1 } }], observer);
  monitor.attach(pipeline.stages, pipeline.requests);
  for (let id = 0; id < n; id++) sim.scheduleAt(0, () => pipeline.inject(pipeline.requests.take(id, 0, Infinity, Infinity, 0, 0, true)), undefined);
  return { sim, stage: pipeline.stages[0], modelA, modelB, monitor, timeline, starts, completions };
}

describe('reconfiguration mechanics', () => {
  it('a new replica serves from t + load time; a removed one serves through its drain and leaves after its batch', () => {
    const h = stageHarness(20, 3);
    h.sim.scheduleAt(0.5, () => h.stage.reconfigure({ model: h.modelA, replicas: 2, maxBatch: 1 }), undefined);
    h.sim.scheduleAt(4.2, () => h.stage.reconfigure({ model: h.modelA, replicas: 1, maxBatch: 1 }), undefined);
    h.sim.run();
    expect(h.timeline).toEqual([
      '0.5: cores 2 serving 1 [0a:active 1a:starting]',
      '2.5: cores 2 serving 2 [0a:active 1a:active]', // load time 2 s
      '4.2: cores 2 serving 2 [0a:active 1a:draining]', // the newest goes; it keeps serving
      '7.2: cores 2 serving 2 [0a:active 1a:retired]', // drain over at 4.2 + 3, but mid-batch (6.5 to 7.5): still counted
      '7.5: cores 1 serving 1 [0a:active]', // gone when its batch is done
    ]);
    // Replica 1's batches: its first at exactly 2.5, the last one starting during the drain.
    expect(h.starts.filter(([, replica]) => replica === 1).map(([t]) => t)).toEqual([2.5, 3.5, 4.5, 5.5, 6.5]);
    // Cost by hand: 1 core for 0.5 s, 2 cores to 7.5, then 1 core until the 15th batch of replica 0 ends at 15.
    expect(h.completions[h.completions.length - 1]).toBe(15);
    const summary = h.monitor.finish(15);
    expect(summary.cost.coreSeconds).toBeCloseTo(0.5 * 1 + 7 * 2 + 7.5 * 1, 12);
    // Replicas taking or finishing batches: 1 until 2.5, 2 until 7.5, then 1.
    expect(summary.stages[0].meanReplicas).toBeCloseTo((2.5 * 1 + 5 * 2 + 7.5 * 1) / 15, 12);
    expect(summary.stages[0].utilization).toBeLessThanOrEqual(1);
  });

  it('a variant switch starts the new replicas and drains every old one; a new batch size applies to the next batch', () => {
    const h = stageHarness(20, 3);
    h.sim.scheduleAt(1.5, () => h.stage.reconfigure({ model: h.modelB, replicas: 1, maxBatch: 4 }), undefined);
    h.sim.run();
    expect(h.timeline).toEqual([
      '1.5: cores 3 serving 1 [0a:draining 1b:starting]',
      '2.5: cores 3 serving 2 [0a:draining 1b:active]',
      '4.5: cores 3 serving 2 [0a:retired 1b:active]',
      '5: cores 2 serving 1 [1b:active]',
    ]);
    // Before 1.5 batches hold one request; the batch formed at 2 (the first after the change) holds 4.
    expect(h.starts.slice(0, 4)).toEqual([
      [0, 0, 1],
      [1, 0, 1],
      [2, 0, 4],
      [2.5, 1, 4],
    ]);
    expect(h.stage.target).toMatchObject({ model: h.modelB, replicas: 1, maxBatch: 4 });
  });

  it('asking for the current target changes nothing, and removing a starting replica stops its cost at once', () => {
    const h = stageHarness(3, 3);
    h.sim.scheduleAt(0.5, () => h.stage.reconfigure({ model: h.modelA, replicas: 1, maxBatch: 1 }), undefined);
    h.sim.scheduleAt(0.6, () => h.stage.reconfigure({ model: h.modelA, replicas: 3, maxBatch: 1 }), undefined);
    h.sim.scheduleAt(1.6, () => h.stage.reconfigure({ model: h.modelA, replicas: 1, maxBatch: 1 }), undefined);
    h.sim.run();
    expect(h.timeline).toEqual([
      '0.5: cores 1 serving 1 [0a:active]',
      '0.6: cores 3 serving 1 [0a:active 1a:starting 2a:starting]',
      '1.6: cores 1 serving 1 [0a:active]',
    ]);
    expect(h.monitor.finish(3).cost.coreSeconds).toBeCloseTo(0.6 + 3 * 1 + 1.4, 12);
  });
});

describe('drop limit', () => {
  function outcomes(limit: string, stages: number) {
    const dir = tempDir();
    const path = join(dir, 'trace.csv');
    writeFileSync(path, 'time\n0\n0\n0\n0\n0\n');
    const seen: [number, string, number][] = [];
    simulate(
      scenario({
        workload: { arrivals: { kind: 'trace', path } },
        pipeline: { dropLimit: limit, stages: Array.from({ length: stages }, () => ({ service: { mean: '1s' } })) },
      }),
      { sink: { request: (r: PipelineRequest, end, outcome) => seen.push([r.id, outcome, end]) } },
    );
    return seen.sort((a, b) => a[0] - b[0]);
  }

  it('drops exactly the requests whose age has reached the limit, before or after a stage', () => {
    // One replica, 1 s per request, all five arrive at 0. Limit 2.5 s: request 2 is 2 s old when
    // taken (kept) and 3 s old when done (dropped after the stage); 3 and 4 are 3 s old when taken.
    expect(outcomes('2.5s', 1)).toEqual([
      [0, 'completed', 1],
      [1, 'completed', 2],
      [2, 'age', 3],
      [3, 'age', 3],
      [4, 'age', 3],
    ]);
    // Limit 2 s: request 1 finishes at age exactly 2 (reached: dropped); 2 is exactly 2 s old when taken.
    expect(outcomes('2s', 1)).toEqual([
      [0, 'completed', 1],
      [1, 'age', 2],
      [2, 'age', 2],
      [3, 'age', 2],
      [4, 'age', 2],
    ]);
    // Two stages, limit 2.5 s: request 1 leaves stage 1 at 2, is taken by stage 2 at 2, done at 3: dropped after stage 2.
    expect(outcomes('2.5s', 2).slice(0, 2)).toEqual([
      [0, 'completed', 2],
      [1, 'age', 3],
    ]);
  });
});

const observation = (utilization: number[], time = 10): Observation => ({
  time,
  interval: 10,
  arrivals: [],
  arrived: 0,
  dropped: 0,
  late: 0,
  latencyP99: NaN,
  stages: utilization.map((u, i) => ({ name: `s${i}`, utilization: u, queue: 0, serving: 1 })),
});

describe('adapters', () => {
  const video = resolvePipelineProfile('video');
  const light: Configuration = [
    { variant: 'yolov5n', batch: 1, replicas: 1 },
    { variant: 'resnet18', batch: 1, replicas: 1 },
  ];
  const input = (forecast: number, current = light): AdapterInput => ({ observation: observation([0.5, 0.5]), forecast, current, profile: video, memory: undefined });
  const d = video.defaults!;

  it('are registered by name with their own option schemas', () => {
    expect(ADAPTERS.kinds).toEqual(['static', 'ipa', 'fa2', 'rim', 'reactive']);
    expect(() => adapterByKind('magic')).toThrow('unknown adapter "magic" (known: static, ipa, fa2, rim, reactive; or kind: module with a path)');
    expect((adapterByKind('reactive').options as z.ZodObject).safeParse({ targetUtilization: 2 }).success).toBe(false);
  });

  it('ipa, fa2 and rim return the optimizer plan of their mode for the forecast; they keep the configuration when none is feasible', () => {
    for (const [kind, mode] of [['ipa', 'ipa'], ['fa2', 'scale'], ['rim', 'switch']] as const) {
      for (const rate of [4, 12, 30]) {
        const plan = planIpa(video, { ...d, rate, sla: video.sla, mode, locked: light.map((s) => ({ variant: s.variant!, replicas: s.replicas })) });
        const decision = adapterByKind(kind).decide(input(rate), {});
        if (!plan.feasible) {
          expect(decision).toEqual({ configuration: light, note: `kept: ${plan.reason}` });
          continue;
        }
        expect(decision.configuration).toEqual(plan.stages.map((s) => ({ variant: s.variant, batch: s.batch, replicas: s.replicas })));
        if (kind === 'fa2') expect(decision.configuration.map((s) => s.variant)).toEqual(['yolov5n', 'resnet18']);
        if (kind === 'rim') expect(decision.configuration.map((s) => s.replicas)).toEqual([1, 1]);
      }
    }
    const kept = adapterByKind('rim').decide(input(500), {});
    expect(kept.configuration).toBe(light);
    expect(kept.note).toMatch(/^kept: at 500 requests\/s/);
    // Options override the profile's weights: with no weight on cores, IPA takes the most accurate variants.
    expect(adapterByKind('ipa').decide(input(4), { beta: 0 }).configuration.map((s) => s.variant)).toEqual(['yolov5x', 'resnet152']);
  });

  it('reactive follows the HPA rule: ceil(replicas x utilisation / target) outside the tolerance, clamped', () => {
    const reactive = adapterByKind('reactive');
    const o = (reactive.options as z.ZodObject).parse({}) as Record<string, unknown> & { scaleDownWindow: number };
    const current: Configuration = [4, 4, 4, 4, 4].map((replicas) => ({ variant: undefined, batch: 2, replicas }));
    const decide = (u: number[], options = o) => reactive.decide({ observation: observation(u), forecast: 0, current, profile: undefined, memory: undefined }, options).configuration.map((s) => s.replicas);
    // 4 x 0.9 / 0.7 = 5.14 -> 6; 0.75 / 0.7 = 1.07 is within 10%; 4 x 0.2 / 0.7 = 1.14 -> 2; no data: unchanged; 4 x 0.01 / 0.7 -> 1.
    expect(decide([0.9, 0.75, 0.2, NaN, 0.01])).toEqual([6, 4, 2, 4, 1]);
    expect(decide([1, 1, 1, 1, 0], { ...o, maxReplicas: 5, minReplicas: 3 })).toEqual([5, 5, 5, 5, 3]);
    expect(reactive.decide({ observation: observation([0.9]), forecast: 0, current: [current[0]], profile: undefined, memory: undefined }, o).configuration[0].batch).toBe(2);
  });

  it('reactive scales down no lower than the highest recommendation of its window, and up at once', () => {
    const reactive = adapterByKind('reactive');
    const o = (reactive.options as z.ZodObject).parse({}) as Record<string, unknown> & { scaleDownWindow: number };
    expect(o.scaleDownWindow).toBe(300);
    let current: Configuration = [{ variant: undefined, batch: 1, replicas: 4 }];
    let memory: unknown;
    const step = (time: number, utilization: number, options = o) => {
      const decision = reactive.decide({ observation: observation([utilization], time), forecast: 0, current, profile: undefined, memory }, options);
      current = decision.configuration;
      memory = decision.memory;
      return [current[0].replicas, decision.note];
    };
    expect(step(10, 0.9)).toEqual([6, '']); // 4 x 0.9 / 0.7 -> 6, up at once
    expect(step(20, 0.1)).toEqual([6, 'held: s0 at 6 replicas (recommended 1) by the 300 s scale-down window']); // 6 x 0.1 / 0.7 -> 1
    expect(step(300, 0.35)).toEqual([6, 'held: s0 at 6 replicas (recommended 3) by the 300 s scale-down window']); // 6 (at 10 s) is still in the window
    expect(step(315, 0.35)).toEqual([3, '']); // the window (15, 315] holds 1 and 3
    expect(step(325, 0.05, { ...o, scaleDownWindow: 0 })).toEqual([1, '']); // without a window: down at once
  });
});

describe('adaptation in a run', () => {
  const base = (adaptation: Record<string, unknown> | undefined) => {
    const dir = tempDir();
    const path = join(dir, 'trace.txt');
    writeFileSync(path, Array.from({ length: 120 }, (_, s) => 4 + ((s * 7) % 9)).join('\n') + '\n');
    return scenario({
      seed: 5,
      workload: { arrivals: { kind: 'trace', path } },
      pipeline: {
        stages: [
          { replicas: 2, service: { dist: 'exponential', mean: '150ms' } },
          { replicas: 2, service: { dist: 'lognormal', mean: '200ms', cv: 0.5 } },
        ],
      },
      metrics: { requests: true },
      ...(adaptation ? { adaptation } : {}),
    });
  };
  const files = (s: ReturnType<typeof base>) => {
    const dir = tempDir();
    runToFolder(s, dir);
    return Object.fromEntries(['timeseries.csv', 'stage_timeseries.csv', 'requests.csv', 'adaptation.csv'].map((f) => [f, readFileSafe(join(dir, f))]));
  };

  it('an adapter that returns the current configuration changes nothing: byte-identical to static', () => {
    const still = files(base({ interval: '10s', adapter: { kind: 'reactive', minReplicas: 2, maxReplicas: 2 } }));
    const fixed = files(base({ interval: '10s', adapter: { kind: 'static' } }));
    const none = files(base(undefined));
    expect(still).toEqual(fixed);
    expect(still['adaptation.csv']?.split('\n')).toHaveLength(15); // header, 12 steps over the trace, 1 while the pipeline drains, final newline
    for (const f of ['timeseries.csv', 'stage_timeseries.csv', 'requests.csv']) expect(fixed[f]).toBe(none[f]);
    // ... while a policy that acts does change the run.
    const acting = files(base({ interval: '10s', adapter: { kind: 'reactive', targetUtilization: 0.3 } }));
    expect(acting['requests.csv']).not.toBe(fixed['requests.csv']);
  });

  it("the loop hands an adapter's memory back: with a window as long as the run, replicas never go down", () => {
    const dir = tempDir();
    const path = join(dir, 'burst.txt');
    writeFileSync(path, [...Array(60).fill(20), ...Array(60).fill(2)].join('\n') + '\n'); // a minute busy, a minute quiet
    const replicas = (window: number) => {
      const counts: number[] = [];
      simulate(
        scenario({
          seed: 5,
          workload: { arrivals: { kind: 'trace', path } },
          pipeline: { stages: [{ replicas: 2, service: { dist: 'exponential', mean: '150ms' } }] },
          adaptation: { interval: '10s', adapter: { kind: 'reactive', targetUtilization: 0.5, scaleDownWindow: window } },
        }),
        { adaptationSink: (row) => counts.push(Number(/x(\d+)/.exec(row.configuration)![1])) },
      );
      return counts;
    };
    const falls = (counts: number[]) => counts.some((n, i) => i > 0 && n < counts[i - 1]);
    expect(falls(replicas(0))).toBe(true);
    const held = replicas(1000);
    expect(Math.max(...held)).toBeGreaterThan(2); // it did scale up for the burst
    expect(falls(held)).toBe(false);
  });

  it('an adapter that needs profiles is refused without one, with the path of the problem', () => {
    expect(() => base({ adapter: { kind: 'ipa' } })).toThrow('adaptation.adapter.kind: adapter ipa chooses among model variants: set pipeline.profile');
    expect(() => base({ adapter: { kind: 'reactive', bogus: 1 } })).toThrow('adaptation.adapter.bogus: unknown key');
  });
});

function readFileSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

describe('end of a run without a duration', () => {
  it('stops at the last completion: replicas still starting or draining then are not paid for afterwards', () => {
    const dir = tempDir();
    const path = join(dir, 'trace.csv');
    writeFileSync(path, 'time\n' + Array.from({ length: 10 }, (_, i) => i).join('\n') + '\n');
    const { summary, adaptation } = simulate(
      scenario({
        workload: { arrivals: { kind: 'trace', path } },
        pipeline: { drain: '100s', loadTime: '5s', stages: [{ service: { mean: '500ms' } }] },
        // Utilisation 0.5 against a target of 0.1: at 5 s, 5 replicas wanted; 4 start and are ready at 10 s.
        adaptation: { interval: '5s', adapter: { kind: 'reactive', targetUtilization: 0.1 } },
      }),
    );
    expect(summary.simulated.end).toBe(9.5);
    expect(summary.cost.coreSeconds).toBeCloseTo(5 * 1 + 4.5 * 5, 9);
    expect(summary.stages[0].meanReplicas).toBeCloseTo(1, 12);
    expect(adaptation?.steps).toBe(2);
  });

  it('predictors see every whole second before a decision, quiet ones included', () => {
    const dir = tempDir();
    const path = join(dir, 'counts.txt');
    // 1 request/s for 100 s, nothing for 1,900 s, then 50/s: the oracle at 1,990 s must see the 50s coming.
    writeFileSync(path, [...Array(100).fill(1), ...Array(1900).fill(0), ...Array(100).fill(50)].join('\n') + '\n');
    const forecasts: number[] = [];
    simulate(
      scenario({
        workload: { arrivals: { kind: 'trace', path, expand: 'even' } },
        pipeline: { stages: [{ service: { mean: '1ms' } }] },
        adaptation: { interval: '10s', adapter: { kind: 'static' }, predictor: { kind: 'oracle' } },
      }),
      { adaptationSink: (row) => forecasts.push(row.forecast) },
    );
    expect(forecasts[199]).toBe(50); // decided at 1,990 s: the peak of 1,990-2,010 s
    expect(forecasts[150]).toBe(0);
  });
});
