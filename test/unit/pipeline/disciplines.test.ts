import { describe, expect, it } from 'vitest';
import type { RequestQueue } from '../../../src/pipeline/discipline.js';
import { RandomStreams } from '../../../src/engine/random.js';
import { Simulation } from '../../../src/engine/simulation.js';
import { DISCIPLINES } from '../../../src/pipeline/disciplines/registry.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { RequestTable, type Request } from '../../../src/pipeline/request.js';
import { affineLatency, ServiceTime } from '../../../src/pipeline/service.js';
import { stageConfig } from '../../helpers.js';

/**
 * One stage, one replica, batches of up to 10 with a 1 s timeout. Request A joins at 0 and is
 * last in the discipline's order (late deadline, low class, slow tenant); B joins at 0.5 and is
 * first. The batch timeout runs from the oldest waiting request, A: the batch must leave at 1 s,
 * not at 1.5 s (B's joining time + timeout, which is what the head of the heap would give).
 */
function firstBatch(discipline: string): { at: number; ids: number[] } {
  const sim = new Simulation();
  const rng = new RandomStreams(1).stream('s');
  const slow = new ServiceTime(affineLatency(0.5, 0), 'deterministic', 0, rng);
  const fast = new ServiceTime(affineLatency(0.1, 0), 'deterministic', 0, rng);
  const batches: { at: number; ids: number[] }[] = [];
  const observer = {
    batchStarted: (_s: unknown, batch: ArrayLike<number>, size: number) => batches.push({ at: sim.now, ids: Array.from(batch).slice(0, size).map((slot) => pipeline.requests.id(slot)) }),
    batchFinished() {},
    dropped() {},
    arrived() {},
    completed() {},
    replicasChanged() {},
  };
  const config = stageConfig({ discipline, batchTimeout: 1 });
  const model = { variant: 'm', cores: 1, loadTime: 0, service: slow, tenantServices: [slow, fast] };
  const pipeline = new Pipeline(sim, [{ config, initial: { model, replicas: 1, maxBatch: 10 } }], observer);
  // A: tenant 0 (slow), class 1, deadline 100 s; B: tenant 1 (fast), class 0, deadline 1.5 s.
  sim.scheduleAt(0, () => pipeline.inject(pipeline.requests.take(0, 0, 100, Infinity, 0, 1, true)), undefined);
  sim.scheduleAt(0.5, () => pipeline.inject(pipeline.requests.take(1, 0.5, 1.5, Infinity, 1, 0, true)), undefined);
  sim.run();
  return batches[0];
}

describe('batch timeout under every discipline', () => {
  for (const discipline of ['fcfs', 'sjf', 'edf', 'priority']) {
    it(`${discipline}: the batch leaves when the oldest waiting request has waited the timeout`, () => {
      const batch = firstBatch(discipline);
      expect(batch.at).toBe(1);
      // Both are in it, in the discipline's order: B first except under FCFS.
      expect(batch.ids).toEqual(discipline === 'fcfs' ? [0, 1] : [1, 0]);
    });
  }
});

/** A request outside any simulation, with a row in a table of its own. */
function standalone(id: number, arrival: number, deadline: number, expiresAt: number, tenant: number, priority: number, measured: boolean): Request {
  const table = new RequestTable(1, false);
  return table.request(table.take(id, arrival, deadline, expiresAt, tenant, priority, measured));
}

/** A queue of a built-in discipline; `expectedService` gives SJF its key. */
const createQueue = (kind: string, expectedService: (r: Request) => number): RequestQueue => DISCIPLINES.get(kind).create({}, { expectedService });

/** Requests as (id, deadline, tenant, priority), pushed in id order. */
const HAND: [number, number, number, number][] = [
  [0, 9, 1, 2],
  [1, 4, 0, 1],
  [2, 4, 1, 0],
  [3, 7, 0, 1],
  [4, 2, 1, 2],
  [5, 9, 0, 0],
];
const SIZE = [1, 3]; // expected service by tenant

function order(discipline: string): number[] {
  const queue = createQueue(discipline, (r) => SIZE[r.tenant]);
  for (const [id, deadline, tenant, priority] of HAND) queue.push(standalone(id, 0, deadline, Infinity, tenant, priority, true));
  const out: number[] = [];
  for (let r = queue.shift(); r !== undefined; r = queue.shift()) out.push(r.id);
  return out;
}

describe('queue disciplines', () => {
  it('order a hand-made set exactly as defined, ties by order of joining', () => {
    expect(order('fcfs')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(order('sjf')).toEqual([1, 3, 5, 0, 2, 4]); // tenant 0 (1 s) before tenant 1 (3 s)
    expect(order('edf')).toEqual([4, 1, 2, 3, 0, 5]); // deadlines 2, 4, 4, 7, 9, 9
    expect(order('priority')).toEqual([2, 5, 1, 3, 0, 4]); // classes 0, 0, 1, 1, 2, 2
  });

  it('the heap gives the same order as a stable sort on random keys, with pushes between shifts', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const queue = createQueue('edf', () => 0);
    const model: { id: number; key: number }[] = [];
    const out: number[] = [];
    const expected: number[] = [];
    for (let id = 0; id < 3000; id++) {
      const key = Math.floor(rand() * 50);
      queue.push(standalone(id, 0, key, Infinity, 0, 0, true));
      model.push({ id, key });
      if (rand() < 0.4) {
        out.push((queue.shift() as Request).id);
        model.sort((a, b) => a.key - b.key || a.id - b.id);
        expected.push((model.shift() as { id: number }).id);
      }
    }
    expect(out).toEqual(expected);
  });
});
