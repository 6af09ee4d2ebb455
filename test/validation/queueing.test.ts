import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Request } from '../../src/pipeline/request.js';
import { simulate } from '../../src/kinds/pipeline/simulate.js';
import { erlangCWait, scenario, tempDir } from '../helpers.js';

/**
 * The engine and pipeline against queueing theory. Each run simulates 4e6
 * customers after a warm-up; at these loads the relative standard error of the
 * mean wait is about 0.4% or less (measured over 20 seeds), so a 2% tolerance
 * is a 5-sigma band: a failure means a real bias, not bad luck.
 */
const CUSTOMERS = 4_000_000;

function meanWait(arrivalRate: number, replicas: number, service: Record<string, unknown>, seed = 11): number {
  const result = simulate(
    scenario({
      seed,
      metrics: { warmup: '1000s' },
      workload: { arrivals: { kind: 'poisson', rate: arrivalRate }, requests: CUSTOMERS },
      pipeline: { stages: [{ replicas, service }] },
    }),
  );
  return result.summary.stages[0].wait.mean as number;
}

describe('single-stage queues against their formulas (mean waiting time within 2%)', () => {
  it('M/M/1: Wq = rho / (mu - lambda)', () => {
    const lambda = 0.5;
    const mu = 1;
    const expected = lambda / mu / (mu - lambda);
    expect(Math.abs(meanWait(lambda, 1, { dist: 'exponential', mean: 1 / mu }) / expected - 1)).toBeLessThan(0.02);
  });

  it('M/M/c (c = 4): Erlang C', () => {
    const expected = erlangCWait(2.8, 1, 4);
    expect(expected).toBeCloseTo(0.35721, 4);
    expect(Math.abs(meanWait(2.8, 4, { dist: 'exponential', mean: 1 }) / expected - 1)).toBeLessThan(0.02);
  });

  it('M/D/1: Wq = rho / (2 mu (1 - rho))', () => {
    const rho = 0.6;
    const expected = rho / (2 * 1 * (1 - rho));
    expect(Math.abs(meanWait(0.6, 1, { dist: 'deterministic', mean: 1 }) / expected - 1)).toBeLessThan(0.02);
  });

  it('M/G/1 with lognormal service (cv 1.2): Pollaczek-Khinchine Wq = lambda E[S^2] / (2 (1 - rho))', () => {
    const lambda = 0.5;
    const cv = 1.2;
    const es2 = 1 * (1 + cv * cv);
    const expected = (lambda * es2) / (2 * (1 - lambda));
    expect(Math.abs(meanWait(lambda, 1, { dist: 'lognormal', mean: 1, cv }) / expected - 1)).toBeLessThan(0.02);
  });
});

describe('laws that hold in every run', () => {
  it("Little's law: mean number in system = arrival rate x mean time in system (two-stage tandem)", () => {
    const { summary } = simulate(
      scenario({
        seed: 5,
        duration: '20000s',
        metrics: { warmup: '500s' },
        workload: { arrivals: { kind: 'poisson', rate: 10 } },
        pipeline: {
          stages: [
            { replicas: 2, service: { dist: 'exponential', mean: '150ms' } },
            { replicas: 1, batch: { max: 4, timeout: '20ms' }, service: { dist: 'lognormal', cv: 0.5, mean: '40ms', perItem: '15ms' } },
          ],
        },
      }),
    );
    const L = summary.inSystem.mean as number;
    const lambdaW = (summary.arrivalRate as number) * (summary.latency.mean as number);
    expect(Math.abs(L / lambdaW - 1)).toBeLessThan(0.01);
  });

  it('conservation: arrived = completed + dropped + in flight, with drops of both kinds and work left at the end', () => {
    const outcomes = new Map<number, string>();
    const { summary } = simulate(
      scenario({
        seed: 2,
        duration: '100s',
        slo: '300ms',
        workload: { arrivals: { kind: 'constant', rate: 50 } },
        pipeline: {
          stages: [
            { replicas: 1, queue: { capacity: 20 }, batch: { max: 2 }, service: { dist: 'exponential', mean: '45ms' } },
            { replicas: 1, queue: { dropExpired: true }, service: { dist: 'exponential', mean: '21ms' } },
          ],
        },
      }),
      { sink: { request: (r: Request, _end, outcome) => outcomes.set(r.id, outcome) } },
    );
    const r = summary.requests;
    expect(r.arrived).toBe(5000); // 50/s for 100 s, the first at t = 0, none at t = 100
    expect(r.droppedByReason.capacity).toBeGreaterThan(0);
    expect(r.droppedByReason.deadline).toBeGreaterThan(0);
    expect(r.inFlight).toBeGreaterThan(0);
    expect(r.arrived).toBe(r.completed + r.dropped + r.inFlight);
    // Cross-check against the per-request records the sink saw.
    const count = (o: string) => [...outcomes.values()].filter((x) => x === o).length;
    expect(count('completed')).toBe(r.completed);
    expect(count('capacity')).toBe(r.droppedByReason.capacity);
    expect(count('deadline')).toBe(r.droppedByReason.deadline);
    expect(r.arrived - outcomes.size).toBe(r.inFlight);
  });
});

describe('batching', () => {
  it('a deterministic batching stage follows the hand-computed schedule exactly', () => {
    // One replica, batches of up to 3, 0.5 s timeout, batch latency 1 s + 0.5 s per extra request.
    // t=0.0 r0 arrives alone: timer for 0.5. t=0.1 r1, t=0.2 r2: batch full -> [r0 r1 r2] runs 0.2..2.2.
    // t=0.3 r3 waits (replica busy; its timer at 0.8 finds no idle replica). t=2.0 r4, t=2.1 r5.
    // t=2.2 the replica frees: [r3 r4 r5] is full -> runs 2.2..4.2.
    // t=5.0 r6 alone: the timeout releases [r6] at 5.5, done at 6.5.
    const dir = tempDir();
    const trace = join(dir, 'arrivals.csv');
    writeFileSync(trace, 'time\n0\n0.1\n0.2\n0.3\n2.0\n2.1\n5.0\n');
    const ends = new Map<number, number>();
    const { summary } = simulate(
      scenario({
        workload: { arrivals: { kind: 'trace', path: trace } },
        pipeline: { stages: [{ replicas: 1, batch: { max: 3, timeout: '500ms' }, service: { mean: '1s', perItem: '500ms' } }] },
      }),
      { sink: { request: (r: Request, end) => ends.set(r.id, end) } },
    );
    const expectedEnds = [2.2, 2.2, 2.2, 4.2, 4.2, 4.2, 6.5];
    expect([...ends.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expectedEnds.forEach((end, id) => expect(ends.get(id)).toBeCloseTo(end, 12));
    const waits = [0.2, 0.1, 0, 1.9, 0.2, 0.1, 0.5];
    expect(summary.stages[0].wait.mean).toBeCloseTo(waits.reduce((a, b) => a + b) / 7, 12);
    expect(summary.stages[0].batches).toBe(3);
    expect(summary.stages[0].meanBatchSize).toBeCloseTo(7 / 3, 12);
    // Busy 2 + 2 + 1 = 5 s of the 6.5 s run.
    expect(summary.stages[0].utilization).toBeCloseTo(5 / 6.5, 12);
  });
});
