import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from '../../src/metrics/csv.js';
import { runToFolder } from '../../src/kinds/pipeline/run-folder.js';
import { simulate } from '../../src/kinds/pipeline/simulate.js';
import { erlangCWait, scenario, tempDir } from '../helpers.js';

/** `pipeline.host`: replicas of every stage sharing one machine's cores by processor sharing. */
describe('a shared host', () => {
  it('stretches batches while busy threads outnumber its cores: a hand-computed timeline', () => {
    // Three 1-thread replicas on 2 cores, 1 s of work each; arrivals at 0, 0 and 0.5. Until 0.5 two
    // run at full speed (0.5 s left each); then three share two cores at 2/3: the first two end at
    // 0.5 + 0.5 / (2/3) = 1.25, when the third has done 0.5 and runs alone: it ends at 1.75.
    const dir = tempDir();
    const trace = join(dir, 'arrivals.csv');
    writeFileSync(trace, 'time\n0\n0\n0.5\n');
    const run = join(dir, 'run');
    const summary = runToFolder(
      scenario({
        metrics: { requests: true },
        workload: { arrivals: { kind: 'trace', path: trace } },
        pipeline: { host: { cores: 2 }, stages: [{ replicas: 3, service: { dist: 'deterministic', mean: 1 } }] },
      }),
      run,
    );
    const rows = parseCsvRecords(readFileSync(join(run, 'requests.csv'), 'utf8'));
    expect(rows.map((r) => [Number(r.arrival), Number(r.end)])).toEqual([
      [0, 1.25],
      [0, 1.25],
      [0.5, 1.75],
    ]);
    // Service as the monitor reports it: how long each batch took, not its work alone.
    expect(summary.stages[0].service.mean).toBeCloseTo(1.25, 12);
    expect(summary.stages[0].utilization).toBeCloseTo((1.25 * 3) / (3 * 1.75), 12);
    // Without the host each replica has its own core.
    const alone = simulate(scenario({ workload: { arrivals: { kind: 'trace', path: trace } }, pipeline: { stages: [{ replicas: 3, service: { dist: 'deterministic', mean: 1 } }] } }));
    expect(alone.summary.latency.max).toBe(1);
  });

  it('interference slows a batch per core the others keep busy: a hand-computed timeline', () => {
    // Two 1-thread replicas on 2 cores, interference 0.25, 1 s of work each; arrivals at 0 and 0.5.
    // Until 0.5 the first runs alone (0.5 s left); then both run at 1 / 1.25 = 0.8: the first ends at
    // 0.5 + 0.5 / 0.8 = 1.125, when the second has 1 - 0.625 x 0.8 = 0.5 left, alone: it ends at 1.625.
    // Three on 2 cores share them (2/3 each) and meet one other busy core at most: 2/3 / 1.25 each.
    const dir = tempDir();
    const trace = join(dir, 'arrivals.csv');
    const timeline = (arrivals: string, replicas: number) => {
      writeFileSync(trace, `time\n${arrivals}\n`);
      const run = join(dir, `run-${replicas}`);
      runToFolder(
        scenario({
          metrics: { requests: true },
          workload: { arrivals: { kind: 'trace', path: trace } },
          pipeline: { host: { cores: 2, interference: 0.25 }, stages: [{ replicas, service: { dist: 'deterministic', mean: 1 } }] },
        }),
        run,
      );
      return parseCsvRecords(readFileSync(join(run, 'requests.csv'), 'utf8')).map((r) => Number(r.end));
    };
    const [first, second] = timeline('0\n0.5', 2);
    expect(first).toBeCloseTo(1.125, 12);
    expect(second).toBeCloseTo(1.625, 12);
    expect(timeline('0\n0\n0', 3)).toEqual([1.875, 1.875, 1.875].map((x) => expect.closeTo(x, 12)));
  });

  it('a two-thread batch counts twice; one that fits leaves others at full speed', () => {
    // Stage 1: one 2-thread replica; stage 2: one 1-thread replica; 1 s of work each; host: 2 cores.
    // Request 0 has stage 1 alone over [0, 1] (2 threads, 2 cores: full speed). At 1 it moves to
    // stage 2 as request 1 arrives and takes stage 1: 3 threads on 2 cores, both at 2/3, both end
    // at 1 + 1 / (2/3) = 2.5. Request 1 then has stage 2 alone until 3.5. Latencies: 2.5 and 2.5.
    const dir = tempDir();
    const trace = join(dir, 'arrivals.csv');
    writeFileSync(trace, 'time\n0\n1\n');
    const result = simulate(
      scenario({
        metrics: { requests: true },
        workload: { arrivals: { kind: 'trace', path: trace } },
        pipeline: {
          host: { cores: 2 },
          stages: [
            { replicas: 1, cores: 2, service: { dist: 'deterministic', profile: { points: [{ batch: 1, cores: 2, latency: 1 }] } } },
            { replicas: 1, cores: 1, service: { dist: 'deterministic', mean: 1 } },
          ],
        },
      }),
    );
    expect(result.summary.latency.min).toBeCloseTo(2.5, 12);
    expect(result.summary.latency.max).toBeCloseTo(2.5, 12);
  });

  it('many 1-thread replicas on c cores with exponential service are M/M/c in the mean: Erlang C (2%)', () => {
    // Death rate min(n, c) mu while n <= replicas: the number in system is M/M/c's, so the mean
    // response time is W = 1/mu + Wq(Erlang C), under processor sharing as under FCFS.
    const lambda = 16;
    const mu = 10;
    const cores = 2;
    const expected = 1 / mu + erlangCWait(lambda, mu, cores);
    expect(expected).toBeCloseTo(0.27778, 4);
    const result = simulate(
      scenario({
        seed: 5,
        metrics: { warmup: '200s' },
        workload: { arrivals: { kind: 'poisson', rate: lambda }, requests: 1_500_000 },
        pipeline: { host: { cores }, stages: [{ replicas: 60, service: { dist: 'exponential', mean: 1 / mu } }] },
      }),
    );
    expect(Math.abs((result.summary.latency.mean as number) / expected - 1)).toBeLessThan(0.02);
  });
});
