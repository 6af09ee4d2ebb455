import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IntervalRow } from '../../../src/metrics/monitor.js';
import { RandomStreams } from '../../../src/engine/random.js';
import { Simulation } from '../../../src/engine/simulation.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import type { Request as PipelineRequest, RequestTable } from '../../../src/pipeline/request.js';
import type { Replica } from '../../../src/pipeline/replica.js';
import type { Router } from '../../../src/pipeline/router.js';
import { ROUTERS } from '../../../src/pipeline/routers/registry.js';
import type { RoundRobin } from '../../../src/pipeline/routers/round-robin.js';
import { lognormalCvForP99, ServiceTime } from '../../../src/pipeline/service.js';
import type { Stage } from '../../../src/pipeline/stage.js';
import { LatencyTable } from '../../../src/profiles/latency-table.js';
import { simulate } from '../../../src/kinds/pipeline/simulate.js';
import { batchReplicaFinder, runChurningStage, scenario, stageConfig, tempDir } from '../../helpers.js';

/** Run a one-stage pipeline on a timestamp trace; return each request's outcome and end time. */
function runTimestamps(times: number[], stage: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const dir = tempDir();
  const path = join(dir, 'trace.csv');
  writeFileSync(path, 'time\n' + times.join('\n') + '\n');
  const outcomes: { id: number; outcome: string; end: number }[] = [];
  const result = simulate(scenario({ ...extra, workload: { arrivals: { kind: 'trace', path } }, pipeline: { stages: [stage] } }), {
    sink: { request: (r: PipelineRequest, end, outcome) => outcomes.push({ id: r.id, outcome, end }) },
  });
  return { outcomes, summary: result.summary, warnings: result.warnings };
}

describe('queue limits and drops', () => {
  // Four requests at t=0 (ids 0..3) on one replica with 1 s service and room for 2 waiting.
  const burst = [0, 0, 0, 0];

  it('drop-newest rejects arrivals to a full queue', () => {
    const { outcomes } = runTimestamps(burst, { queue: { capacity: 2, overflow: 'drop-newest' }, service: { mean: '1s' } });
    // id 0 goes straight into service; 1 and 2 wait; 3 finds the queue full.
    expect(outcomes).toEqual([
      { id: 3, outcome: 'capacity', end: 0 },
      { id: 0, outcome: 'completed', end: 1 },
      { id: 1, outcome: 'completed', end: 2 },
      { id: 2, outcome: 'completed', end: 3 },
    ]);
  });

  it('drop-oldest evicts the longest-waiting request instead', () => {
    const { outcomes } = runTimestamps(burst, { queue: { capacity: 2, overflow: 'drop-oldest' }, service: { mean: '1s' } });
    expect(outcomes.map((o) => [o.id, o.outcome])).toEqual([
      [1, 'capacity'],
      [0, 'completed'],
      [2, 'completed'],
      [3, 'completed'],
    ]);
  });

  it('dropExpired drops, when a batch is formed, exactly the requests whose deadline has passed', () => {
    // SLO 1.5 s: ids 0..3 arrive at 0; service 1 s each. id 2 would start at 2 > 1.5: dropped then; id 3 too.
    const { outcomes, summary } = runTimestamps(burst, { queue: { dropExpired: true }, service: { mean: '1s' } }, { slo: '1.5s' });
    expect(outcomes.map((o) => [o.id, o.outcome, o.end])).toEqual([
      [0, 'completed', 1],
      [1, 'completed', 2],
      [2, 'deadline', 2],
      [3, 'deadline', 2],
    ]);
    expect(summary.requests.late).toBe(1); // id 1 finished at 2 > 1.5
    expect(summary.sloViolationRatio).toBe(3 / 4);
  });
});

/** A service time that serves the n-th batch in the n-th planned length. */
class PlannedService extends ServiceTime {
  constructor(private readonly planned: number[]) {
    super(() => 1, 'deterministic', 0, new RandomStreams(1).stream('unused'));
  }
  override sample(): number {
    return this.planned.shift() as number;
  }
}

describe('routing', () => {
  /** Serve `arrivals` (time, service seconds) on one stage of three replicas; return each replica's busy time. */
  function busyTimes(routing: string, arrivals: [number, number][]): number[] {
    const sim = new Simulation();
    const service = new PlannedService(arrivals.map(([, s]) => s));
    const observer = { batchStarted() {}, batchFinished() {}, dropped() {}, arrived() {}, completed() {}, replicasChanged() {} };
    const config = stageConfig({ routing });
    const model = { variant: 'm', cores: 1, loadTime: 0, service };
    const pipeline = new Pipeline(sim, [{ config, initial: { model, replicas: 3, maxBatch: 1 } }], observer);
    arrivals.forEach(([t], id) => sim.scheduleAt(t, () => pipeline.inject(pipeline.requests.take(id, t, Infinity, Infinity, 0, 0, true)), undefined));
    sim.run();
    return pipeline.stages[0].replicas.map((r) => r.busyTime);
  }

  it('round-robin hands batches to replicas in turn, skipping busy ones', () => {
    // Sequential, non-overlapping requests: 0 -> r0, 1 -> r1, 2 -> r2, 3 -> r0.
    expect(busyTimes('round-robin', [[0, 1], [10, 2], [20, 4], [30, 8]])).toEqual([9, 2, 4]);
  });

  /** Round-robin written out over Replica objects, as it was before replicas became records: the reference for the stage's own walk. */
  function referenceRoundRobin(): Router {
    let next = 0;
    return {
      pick(replicas) {
        const n = replicas.length;
        for (let k = 0; k < n; k++) {
          const i = (next + k) % n;
          if (replicas[i].serving && !replicas[i].busy) {
            next = (i + 1) % n;
            return replicas[i];
          }
        }
        throw new Error('no idle serving replica');
      },
      left(index) {
        if (next > index) next--;
      },
    };
  }

  it('round-robin picks what the reference picks through 20,000 random picks, arrivals and departures (at, before and after its pointer)', () => {
    const rng = new RandomStreams(4).stream('test');
    const builtIn = ROUTERS.get('round-robin').create({}) as RoundRobin;
    const reference = referenceRoundRobin();
    let replicas: { id: number; serving: boolean; busy: boolean }[] = Array.from({ length: 5 }, (_, id) => ({ id, serving: true, busy: false }));
    let nextId = 5;
    let picks = 0;
    for (let step = 0; step < 20_000; step++) {
      const u = rng.random();
      if (u < 0.15 && replicas.length > 1) {
        const index = rng.integer(replicas.length);
        replicas = replicas.filter((_, i) => i !== index);
        builtIn.left(index);
        reference.left?.(index);
      } else if (u < 0.3 && replicas.length < 12) {
        replicas.push({ id: nextId++, serving: true, busy: false });
      } else {
        for (const r of replicas) r.busy = rng.random() < 0.6;
        if (replicas.every((r) => r.busy)) replicas[rng.integer(replicas.length)].busy = false;
        const views = replicas as unknown as Replica[];
        const expected = reference.pick(views, 0).id;
        // Both ways the stage may ask: over Replica objects, and by position with a test of its own.
        if (rng.random() < 0.5) expect(builtIn.pick(views).id).toBe(expected);
        else expect(replicas[builtIn.turn(replicas.length, (i) => !replicas[i].busy)].id).toBe(expected);
        picks++;
      }
    }
    expect(picks).toBeGreaterThan(12_000);
  });

  it('round-robin as the stage runs it (over idle flags) picks what the reference over Replica objects picks, through scaling past the tables\' first room, drains and model switches', () => {
    /** Each batch as `time replica-id: request-ids` and each completion, under the built-in round-robin or the reference. */
    function batches(reference: boolean): string[] {
      const log: string[] = [];
      const observer = (sim: Simulation, requests: RequestTable) => {
        const batchReplica = batchReplicaFinder(sim);
        return {
          batchStarted: (stage: Stage, batch: ArrayLike<number>, size: number) => {
            log.push(`${sim.now} ${batchReplica(stage).id}: ${Array.from(batch).slice(0, size).map((slot) => requests.id(slot)).join(' ')}`);
          },
          batchFinished() {},
          dropped() {},
          arrived() {},
          completed: (slot: number) => log.push(`${sim.now} done ${requests.id(slot)}`),
          replicasChanged() {},
        };
      };
      const router = reference ? referenceRoundRobin() : ROUTERS.get('round-robin').create({});
      // Up to 40 replicas: the replica table outgrows its first room (16) with batches in flight.
      runChurningStage({ seed: 11, replicas: 12, maxBatch: 6, rate: 120, until: 30, cores: [1, 1], router, observer });
      return log;
    }
    const expected = batches(true);
    expect(expected.length).toBeGreaterThan(3_000);
    expect(new Set(expected.filter((line) => line.includes('done')).map((line) => line.split(' ')[2])).size).toBe(expected.filter((line) => line.includes('done')).length);
    expect(batches(false)).toEqual(expected);
  });

  it('a router that picks a busy replica, one that has left, or something not among the replicas, is named in the error', () => {
    // A view kept from the first pick: replica 0, which leaves after its batch (at 1) once the stage has switched model at 0.5 (drain 0);
    // replica 4, started at 1.5, takes its record.
    let kept: Replica | undefined;
    const keeper = (replicas: readonly Replica[]) => (kept ??= replicas[0]);
    for (const [pick, message] of [
      [(replicas: readonly Replica[]) => replicas[0], 'stage s: the router picked replica 0, which is not an idle serving replica of this stage'],
      [keeper, 'stage s: the router picked replica 0, which is not an idle serving replica of this stage'],
      [() => ({ id: 0 }) as Replica, 'stage s: the router picked something that is not one of the replicas it was given'],
    ] as const) {
      const sim = new Simulation();
      const observer = { batchStarted() {}, batchFinished() {}, dropped() {}, arrived() {}, completed() {}, replicasChanged() {} };
      const service = new ServiceTime(() => 1, 'deterministic', 0, new RandomStreams(1).stream('s'));
      const config = { ...stageConfig(), router: { pick } };
      const pipeline = new Pipeline(sim, [{ config: { ...config, drain: 0 }, initial: { model: { variant: 'm', cores: 1, loadTime: 0, service }, replicas: 2, maxBatch: 1 } }], observer);
      const stage = pipeline.stages[0];
      if (pick === keeper) {
        const other = { variant: 'n', cores: 1, loadTime: 0, service };
        sim.scheduleAt(0, () => pipeline.inject(pipeline.requests.take(0, 0, Infinity, Infinity, 0, 0, true)), undefined);
        sim.scheduleAt(0.5, () => stage.reconfigure({ model: other, replicas: 2, maxBatch: 1 }), undefined);
        sim.scheduleAt(1.5, () => stage.reconfigure({ model: other, replicas: 4, maxBatch: 1 }), undefined);
        sim.scheduleAt(1.9, () => expect([stage.replicas.map((r) => r.id), stage.replicas[2].record, kept?.record]).toEqual([[2, 3, 4, 5], 0, 0]), undefined);
        sim.scheduleAt(2, () => pipeline.inject(pipeline.requests.take(1, 2, Infinity, Infinity, 0, 0, true)), undefined);
      } else for (let id = 0; id < 2; id++) sim.scheduleAt(0, () => pipeline.inject(pipeline.requests.take(id, 0, Infinity, Infinity, 0, 0, true)), undefined);
      expect(() => sim.run()).toThrow(message);
    }
  });

  it('least-loaded hands each batch to the least utilised idle replica (all serving since 0: least busy time; ties: lowest index)', () => {
    // 0 -> r0 (all 0), 1 -> r1 (r0 has 5), 2 -> r2, 3 -> r2 again (busy 1 is the least), 4 -> r1 (2 < 5, 2).
    expect(busyTimes('least-loaded', [[0, 5], [10, 2], [20, 1], [30, 1], [40, 1]])).toEqual([5, 3, 2]);
  });
});

describe('batches in replica records', () => {
  it('a stage made with a batch limit of 2^32 builds and serves a 200-request batch', () => {
    const sim = new Simulation();
    const sizes: number[] = [];
    const observer = { batchStarted: (_s: unknown, _b: unknown, size: number) => sizes.push(size), batchFinished() {}, dropped() {}, arrived() {}, completed() {}, replicasChanged() {} };
    const service = new ServiceTime(() => 1, 'deterministic', 0, new RandomStreams(1).stream('s'));
    const pipeline = new Pipeline(sim, [{ config: stageConfig({ batchTimeout: 10 }), initial: { model: { variant: 'm', cores: 1, loadTime: 0, service }, replicas: 2, maxBatch: 2 ** 32 } }], observer);
    for (let id = 0; id < 200; id++) sim.scheduleAt(0, () => pipeline.inject(pipeline.requests.take(id, 0, Infinity, Infinity, 0, 0, true)), undefined);
    sim.run();
    expect(sizes).toEqual([200]);
  });

  it('every request of a batch leaves with it: batches of 1 to 500 (above the 64 a record keeps), limits raised mid-batch, records reused', () => {
    const sim = new Simulation();
    const rng = new RandomStreams(3).stream('test');
    const startedAt = new Map<number, number>();
    const left = new Map<number, number>();
    let pipeline: Pipeline | undefined = undefined;
    const requests = () => (pipeline as Pipeline).requests;
    const observer = {
      batchStarted: (_s: unknown, batch: ArrayLike<number>, size: number) => {
        for (let i = 0; i < size; i++) startedAt.set(requests().id(batch[i]), sim.now);
      },
      batchFinished() {},
      dropped() {},
      arrived() {},
      completed: (slot: number) => {
        const id = requests().id(slot);
        expect(left.has(id)).toBe(false);
        left.set(id, sim.now);
      },
      replicasChanged() {},
    };
    const service = new ServiceTime(() => 1, 'deterministic', 0, new RandomStreams(1).stream('s'));
    const model = { variant: 'm', cores: 1, loadTime: 0, service };
    pipeline = new Pipeline(sim, [{ config: stageConfig({ batchTimeout: 0.3 }), initial: { model, replicas: 3, maxBatch: 1 } }], observer);
    const stage = pipeline.stages[0];
    let id = 0;
    // Bursts of up to 700 requests; the limit goes up (the records' room grows with batches in service) and down.
    for (let t = 0; t < 40; t += 0.25) {
      const burst = rng.integer(rng.random() < 0.1 ? 700 : 12);
      for (let k = 0; k < burst; k++) sim.scheduleAt(t, () => stage.accept(requests().take(id++, sim.now, Infinity, Infinity, 0, 0, true)), undefined);
    }
    // Replicas come and go too (a drain of 0: a removed one leaves after its batch), so records are reused.
    for (const [t, maxBatch, replicas] of [[5.1, 4, 5], [10.1, 40, 2], [15.1, 2 ** 32, 4], [20.1, 8, 1], [25.1, 500, 6], [30.1, 64, 3], [35.1, 65, 4]]) {
      sim.scheduleAt(t, () => stage.reconfigure({ model, replicas, maxBatch }), undefined);
    }
    sim.run();
    expect(left.size).toBe(id);
    for (const [request, at] of left) expect(at).toBe((startedAt.get(request) as number) + 1);
    expect(Math.max(...startedAt.values())).toBeGreaterThan(39);
  });
});

describe('LatencyTable', () => {
  const table = new LatencyTable([
    { batch: 1, cores: 1, latency: 0.1 },
    { batch: 4, cores: 1, latency: 0.25 },
    { batch: 8, cores: 1, latency: 0.45 },
    { batch: 1, cores: 4, latency: 0.04 },
    { batch: 8, cores: 4, latency: 0.15 },
  ]);

  it('returns measured points exactly and interpolates linearly in batch', () => {
    expect(table.latency(4, 1)).toBe(0.25);
    expect(table.latency(2, 1)).toBeCloseTo(0.15, 12);
    expect(table.latency(6, 1)).toBeCloseTo(0.35, 12);
    expect(table.warnings.size).toBe(0);
  });

  it('interpolates linearly in 1/cores between measured core counts', () => {
    // At 2 cores, 1/2 lies 2/3 of the way from 1/1 to 1/4.
    expect(table.latency(1, 2)).toBeCloseTo(0.1 + (2 / 3) * (0.04 - 0.1), 12);
    expect(table.latency(8, 2)).toBeCloseTo(0.45 + (2 / 3) * (0.15 - 0.45), 12);
  });

  it('extrapolates beyond the measured batches with a warning, and clamps cores', () => {
    expect(table.latency(16, 1)).toBeCloseTo(0.45 + 8 * 0.05, 12);
    expect(table.latency(1, 8)).toBe(0.04);
    expect([...table.warnings].join('\n')).toMatch(/batch 16 outside the measured range 1\.\.8; extrapolating[\s\S]*cores 8 outside/);
  });

  it('rejects duplicate or invalid points', () => {
    expect(() => new LatencyTable([{ batch: 1, cores: 1, latency: 0.1 }, { batch: 1, cores: 1, latency: 0.2 }])).toThrow(/two points for batch 1/);
    expect(() => new LatencyTable([{ batch: 1, cores: 1, latency: -1 }])).toThrow(/invalid point/);
  });

  it('drives a stage from a profile CSV', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'p.csv'), 'batch,cores,latency\n1,2,0.5\n2,2,0.8\n');
    const trace = join(dir, 't.csv');
    writeFileSync(trace, 'time\n0\n0\n');
    const ends: number[] = [];
    simulate(
      scenario({
        workload: { arrivals: { kind: 'trace', path: trace } },
        pipeline: { stages: [{ cores: 2, batch: { max: 2, timeout: '1s' }, service: { profile: { path: join(dir, 'p.csv') } } }] },
      }),
      { sink: { request: (_r: PipelineRequest, end) => ends.push(end) } },
    );
    expect(ends).toEqual([0.8, 0.8]);
  });
});

describe('metrics', () => {
  it('warm-up requests are served but left out of the summary', () => {
    const { summary } = runTimestamps([0, 1, 2, 3, 4], { service: { mean: '500ms' } }, { metrics: { warmup: '2s' } });
    expect(summary.requests.arrived).toBe(3);
    expect(summary.requests.completed).toBe(3);
    expect(summary.simulated).toEqual({ end: 4.5, warmup: 2, measured: 2.5 });
    expect(summary.stages[0].utilization).toBeCloseTo(1.5 / 2.5, 12);
  });

  it('a warm-up as long as the run is warned of: nothing was measured', () => {
    const long = runTimestamps([0, 1, 2], { service: { mean: '500ms' } }, { metrics: { warmup: '10s' } });
    expect(long.summary.requests.arrived).toBe(0);
    expect(long.warnings).toEqual([expect.stringMatching(/^metrics\.warmup \(10 s\) is at least as long as the run \(2\.500 s of simulated time\): no request was measured/)]);
    expect(runTimestamps([0, 1, 2], { service: { mean: '500ms' } }, { metrics: { warmup: '1s' } }).warnings).toEqual([]);
  });

  it('latency quantiles are within the sketch accuracy of the exact sample quantiles', () => {
    const latencies: number[] = [];
    const { summary } = simulate(
      scenario({
        seed: 3,
        workload: { arrivals: { kind: 'poisson', rate: 50 }, requests: 50_000 },
        pipeline: { stages: [{ replicas: 2, service: { dist: 'lognormal', mean: '30ms', cv: 1 } }] },
      }),
      { sink: { request: (r: PipelineRequest, end) => latencies.push(end - r.arrival) } },
    );
    latencies.sort((a, b) => a - b);
    const exact = (q: number) => latencies[Math.ceil(q * latencies.length) - 1];
    for (const [key, q] of [['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p99', 0.99]] as const) {
      expect(Math.abs((summary.latency[key] as number) / exact(q) - 1)).toBeLessThan(0.0101);
    }
    expect(summary.latency.max).toBe(latencies[latencies.length - 1]);
    expect(summary.latency.mean).toBeCloseTo(latencies.reduce((a, b) => a + b) / latencies.length, 12);
  });

  it('the per-interval rows add up to the run and give exact window quantiles', () => {
    const rows: IntervalRow[] = [];
    const latencies: number[] = [];
    const { summary } = simulate(
      scenario({
        seed: 4,
        duration: '30s',
        metrics: { interval: '2s' },
        workload: { arrivals: { kind: 'poisson', rate: 100 } },
        pipeline: { stages: [{ replicas: 2, service: { dist: 'exponential', mean: '15ms' } }] },
      }),
      {
        sink: {
          interval: (row) => rows.push({ ...row }),
          request: (r: PipelineRequest, end) => {
            if (end >= 10 && end < 12) latencies.push(end - r.arrival);
          },
        },
      },
    );
    expect(rows.map((r) => r.time)).toEqual(Array.from({ length: 15 }, (_, i) => 2 * i));
    expect(rows.reduce((s, r) => s + r.arrived, 0)).toBe(summary.requests.arrived);
    expect(rows.reduce((s, r) => s + r.completed, 0)).toBe(summary.requests.completed);
    latencies.sort((a, b) => a - b);
    expect(rows[5].latencyP99).toBe(latencies[Math.ceil(0.99 * latencies.length) - 1]);
    expect(rows[5].latencyP50).toBe(latencies[Math.ceil(0.5 * latencies.length) - 1]);
    // Time-average number in system over the rows equals the summary's.
    expect(rows.reduce((s, r) => s + r.inSystem * (r.end - r.time), 0) / 30).toBeCloseTo(summary.inSystem.mean as number, 9);
  });

  it('a count trace lasts its whole length, trailing empty seconds included, and no row passes the end', () => {
    const dir = tempDir();
    const path = join(dir, 'counts.txt');
    writeFileSync(path, '2\n0\n1\n0\n0\n');
    const rows: IntervalRow[] = [];
    const { summary } = simulate(
      scenario({
        metrics: { interval: '1s' },
        workload: { arrivals: { kind: 'trace', path, expand: 'even' } },
        pipeline: { stages: [{ service: { mean: '100ms' } }] },
      }),
      { sink: { interval: (row) => rows.push({ ...row }) } },
    );
    expect(summary.simulated.end).toBe(5);
    expect(rows.map((r) => [r.time, r.end, r.arrived])).toEqual([
      [0, 1, 2],
      [1, 2, 0],
      [2, 3, 1],
      [3, 4, 0],
      [4, 5, 0],
    ]);
  });

  it('a run that drains past the trace ends at its last completion', () => {
    const { summary } = runTimestamps([0, 0, 0], { service: { mean: '2s' } });
    expect(summary.simulated.end).toBe(6);
  });
});

describe('service time with a profiled mean and p99', () => {
  it('the lognormal of lognormalCvForP99(ratio) has that p99 / mean ratio', () => {
    const rng = new RandomStreams(9).stream('s');
    for (const ratio of [1.2, 1.8, 2.5]) {
      const service = new ServiceTime(() => 0.2, 'lognormal', () => lognormalCvForP99(ratio), rng);
      const xs = Array.from({ length: 400_000 }, () => service.sample(1, 1)).sort((a, b) => a - b);
      const mean = xs.reduce((a, b) => a + b) / xs.length;
      expect(mean / 0.2).toBeCloseTo(1, 2);
      expect(Math.abs(xs[Math.ceil(0.99 * xs.length) - 1] / mean / ratio - 1)).toBeLessThan(0.02);
    }
    expect(lognormalCvForP99(1)).toBe(0);
  });
});
