import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPeak } from '../../src/kinds/pipeline/peak.js';
import { scaleArrivals } from '../../src/workload/rates.js';
import { simulate } from '../../src/kinds/pipeline/simulate.js';
import { scenario, tempDir } from '../helpers.js';

/** Mean wait in queue of each class of an M/G/1 queue with non-preemptive priorities (class 0 first). */
function priorityWaits(classes: { rate: number; mean: number; second: number }[]): number[] {
  const w0 = classes.reduce((s, c) => s + (c.rate * c.second) / 2, 0);
  let sigma = 0;
  return classes.map((c) => {
    const before = sigma;
    sigma += c.rate * c.mean;
    return w0 / ((1 - before) * (1 - sigma));
  });
}

const tenant = (name: string, rate: number, priority: number, slo?: string) => ({ name, priority, ...(slo ? { slo } : {}), arrivals: { kind: 'poisson', rate } });

describe('priority scheduling against queueing theory', () => {
  it('M/G/1 with two priority classes: each class waits as the non-preemptive priority formula says (3%)', () => {
    const { summary } = simulate(
      scenario({
        seed: 11,
        metrics: { warmup: '1000s' },
        workload: { arrivals: { kind: 'mix', tenants: [tenant('high', 0.3, 0), tenant('low', 0.4, 1)] }, requests: 1_500_000 },
        pipeline: { stages: [{ queue: { discipline: 'priority' }, service: { dist: 'exponential', mean: '1s' } }] },
      }),
    );
    const [w1, w2] = priorityWaits([
      { rate: 0.3, mean: 1, second: 2 },
      { rate: 0.4, mean: 1, second: 2 },
    ]);
    const wait = (i: number) => (summary.byTenant[i].latency.mean as number) - 1;
    expect(summary.byTenant.map((t) => t.name)).toEqual(['high', 'low']);
    expect(Math.abs(wait(0) / w1 - 1)).toBeLessThan(0.03);
    expect(Math.abs(wait(1) / w2 - 1)).toBeLessThan(0.03);
  });

  it('SJF with two deterministic job sizes is the priority formula with the short jobs first (3%)', () => {
    const { summary } = simulate(
      scenario({
        seed: 12,
        metrics: { warmup: '1000s' },
        workload: { arrivals: { kind: 'mix', tenants: [tenant('short', 0.6, 0), tenant('long', 0.2, 0)] }, requests: 1_500_000 },
        pipeline: {
          stages: [
            {
              queue: { discipline: 'sjf' },
              service: { mean: '500ms' },
              serviceByTenant: { long: { mean: '2s' } },
            },
          ],
        },
      }),
    );
    const [short, long] = priorityWaits([
      { rate: 0.6, mean: 0.5, second: 0.25 },
      { rate: 0.2, mean: 2, second: 4 },
    ]);
    expect(Math.abs((summary.byTenant[0].latency.mean as number) - 0.5 - short) / short).toBeLessThan(0.03);
    expect(Math.abs((summary.byTenant[1].latency.mean as number) - 2 - long) / long).toBeLessThan(0.03);
  });
});

describe('abandonment and per-tenant accounting', () => {
  it('abandons exactly the requests that could no longer make their deadline; conservation holds per tenant', () => {
    const records: { tenant: number; arrival: number; end: number; outcome: string }[] = [];
    const slo = { a: 0.5, b: 2 };
    const service = { a: 0.2, b: 0.4 };
    const { summary } = simulate(
      scenario({
        seed: 5,
        duration: '2000s',
        workload: { arrivals: { kind: 'mix', tenants: [tenant('a', 2, 0, '500ms'), tenant('b', 1.5, 0, '2s')] } },
        pipeline: { stages: [{ queue: { discipline: 'edf', abandon: true }, service: { mean: '200ms' }, serviceByTenant: { b: { mean: '400ms' } } }] },
      }),
      { sink: { request: (r, end, outcome) => records.push({ tenant: r.tenant, arrival: r.arrival, end, outcome }) } },
    );
    const names = ['a', 'b'] as const;
    const abandoned = records.filter((r) => r.outcome === 'abandoned');
    expect(abandoned.length).toBeGreaterThan(100);
    // Dropped when taken from the queue at `end`: its service could not finish by the deadline.
    for (const r of abandoned) expect(r.end + service[names[r.tenant]]).toBeGreaterThan(r.arrival + slo[names[r.tenant]]);
    // Every request let through finishes by its deadline (deterministic service, one at a time).
    for (const r of records.filter((x) => x.outcome === 'completed')) expect(r.end).toBeLessThanOrEqual(r.arrival + slo[names[r.tenant]] + 1e-9);
    expect(summary.requests.late).toBe(0);
    for (const [i, t] of summary.byTenant.entries()) {
      const mine = records.filter((r) => r.tenant === i);
      expect(t.completed).toBe(mine.filter((r) => r.outcome === 'completed').length);
      expect(t.dropped).toBe(mine.filter((r) => r.outcome !== 'completed').length);
      expect(t.arrived).toBeGreaterThanOrEqual(t.completed + t.dropped);
      expect(t.violationRatio).toBeCloseTo((t.late + t.dropped) / t.arrived, 12);
    }
    expect(summary.byTenant.reduce((s, t) => s + t.arrived, 0)).toBe(summary.requests.arrived);
    expect(summary.byTenant.reduce((s, t) => s + t.dropped, 0)).toBe(summary.requests.dropped);
  });

  it('a timestamp trace sets tenants, SLOs and priorities per request', () => {
    const dir = tempDir();
    const path = join(dir, 't.csv');
    writeFileSync(path, 'time,tenant,slo,priority\n0,x,,1\n0,y,0.1,0\n0,x,,1\n');
    const order: string[] = [];
    const { summary } = simulate(
      scenario({ slo: '10s', workload: { arrivals: { kind: 'trace', path } }, pipeline: { stages: [{ queue: { discipline: 'priority' }, service: { mean: '1s' } }] } }),
      { sink: { request: (r, end) => order.push(`${r.id}@${end}`) } },
    );
    // Request 0 starts at once (the server is idle); then class 0 (request 1) before request 2.
    expect(order).toEqual(['0@1', '1@2', '2@3']);
    expect(summary.byTenant.map((t) => [t.name, t.late])).toEqual([
      ['x', 0],
      ['y', 1],
    ]);
  });
});

describe('peak throughput under a QoS target', () => {
  /** M/M/1 with service rate 10/s and a 1 s SLO: 1% of requests are late at mu - ln(100) / slo. */
  const mm1 = (rate: number, pipeline: Record<string, unknown> = {}) =>
    scenario({
      seed: 3,
      slo: '1s',
      metrics: { warmup: '200s' },
      workload: { arrivals: { kind: 'poisson', rate }, requests: 200_000 },
      pipeline: { ...pipeline, stages: [{ service: { dist: 'exponential', mean: '100ms' } }] },
    });
  const THEORY = 10 - Math.log(100) / 1;
  const SEARCH = { threshold: 0.01, seeds: 2, tolerance: 0.01, perTenant: true };

  it('finds the M/M/1 rate at which 1% of requests exceed the SLO: mu - ln(100) / slo (3%)', () => {
    const base = mm1(4);
    const peak = findPeak(base, SEARCH);
    expect(Math.abs(peak.rate / THEORY - 1)).toBeLessThan(0.03);
    expect(peak.bracket[0]).toBeLessThan(peak.bracket[1]);
    const last = peak.probes.filter((p) => p.ok).at(-1) as { violationRatio: number };
    expect(last.violationRatio).toBeLessThanOrEqual(0.01);
    // Deterministic: the same scenario gives the same probes.
    expect(findPeak(base, SEARCH).probes).toEqual(peak.probes);
  });

  it('an overloaded probe (a queue past pipeline.maxWaiting) counts as violating in full; no SLO is refused', () => {
    // Doubling from 5.3 requests/s offers 10.6 to a server of 10: its queue passes 1,000.
    const base = mm1(5.3, { maxWaiting: 1000 });
    const peak = findPeak(base, SEARCH);
    expect(peak.probes[1]).toMatchObject({ factor: 2, violationRatio: 1, ok: false });
    expect(Math.abs(peak.rate / THEORY - 1)).toBeLessThan(0.03);
    const { slo: _, ...noSlo } = base;
    expect(() => findPeak(noSlo, { ...SEARCH, seeds: 1 })).toThrow(/peak needs a target to judge a load by/);
  });

  it('scales every tenant of a mix and every kind of arrivals', () => {
    const mix = scaleArrivals(
      { kind: 'mix', tenants: [{ name: 'a', arrivals: { kind: 'poisson', rate: 2 } }, { name: 'b', arrivals: { kind: 'trace', path: 'x.csv', expand: 'poisson', start: 0, scale: 1, compress: 1, bin: 1 } }] },
      3,
    );
    expect(mix).toMatchObject({ tenants: [{ arrivals: { rate: 6 } }, { arrivals: { compress: 3, scale: 1 } }] });
  });
});
