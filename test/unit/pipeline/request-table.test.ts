import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../src/engine/random.js';
import { Simulation } from '../../../src/engine/simulation.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { RequestTable } from '../../../src/pipeline/request.js';
import { affineLatency, ServiceTime } from '../../../src/pipeline/service.js';
import { stageConfig } from '../../helpers.js';

/**
 * Requests in reused slots must behave exactly as in fresh ones: the same batches at the same
 * times, the same completions and drops. The stage below keeps a backlog under EDF (taken out of
 * joining order, so its record of who joined first holds requests that have left, whose slots
 * and objects come back as new requests), drops by capacity and by age.
 */
function run(discipline: string, reuse: boolean): { log: string[]; slots: number } {
  const sim = new Simulation();
  const streams = new RandomStreams(7);
  const service = new ServiceTime(affineLatency(0.004, 0.002), 'exponential', 0, streams.stream('service'));
  const arrivals = streams.stream('arrivals');
  const log: string[] = [];
  const seen = new Set<number>();
  const requests = new RequestTable(16, reuse);
  const observer = {
    batchStarted: (_s: unknown, batch: ArrayLike<number>, size: number) => log.push(`${sim.now} batch ${Array.from(batch).slice(0, size).map((slot) => requests.id(slot)).join(' ')}`),
    batchFinished() {},
    dropped: (slot: number, reason: string) => log.push(`${sim.now} drop ${requests.id(slot)} ${reason}`),
    arrived() {},
    completed: (slot: number) => log.push(`${sim.now} done ${requests.id(slot)} ${requests.arrival(slot)} ${requests.deadline(slot)}`),
    replicasChanged() {},
  };
  const config = stageConfig({ discipline, batchTimeout: 0.005, capacity: 40 });
  const model = { variant: 'm', cores: 1, loadTime: 0, service };
  const pipeline = new Pipeline(sim, [{ config, initial: { model, replicas: 2, maxBatch: 4 } }], observer, requests);
  let id = 0;
  const arrive = () => {
    const now = sim.now;
    const deadline = now + 0.01 + arrivals.random() * 0.1;
    const slot = requests.take(id, now, deadline, now + 0.08, 0, 0, true);
    seen.add(slot);
    id++;
    pipeline.inject(slot);
    if (id < 20_000) sim.schedule(arrivals.exponential(1 / 700), arrive, undefined);
  };
  sim.scheduleAt(0, arrive, undefined);
  sim.run();
  return { log, slots: seen.size };
}

describe('the request table', () => {
  for (const discipline of ['edf', 'fcfs']) {
    it(`${discipline}: reused slots give the same batches, completions and drops as fresh ones`, () => {
      const fresh = run(discipline, false);
      const reused = run(discipline, true);
      expect(fresh.slots).toBe(20_000);
      expect(reused.slots).toBeLessThan(500); // the table did reuse slots
      expect(reused.log.filter((l) => l.includes(' drop ')).length).toBeGreaterThan(100); // drops, by capacity and age
      expect(reused.log).toEqual(fresh.log);
    });
  }

  it('grows without losing a row, and a request object reads its row', () => {
    const requests = new RequestTable(2);
    const slots = Array.from({ length: 100 }, (_, i) => requests.take(i, i / 10, i + 5, i + 9, i % 3, i % 2, i % 4 !== 0));
    requests.enter(slots[7], 2, 1.25);
    requests.joinQueue(slots[7], 11);
    for (let i = 0; i < 100; i++) {
      const r = requests.request(slots[i]);
      expect([r.id, r.arrival, r.deadline, r.expiresAt, r.tenant, r.priority, r.measured]).toEqual([i, i / 10, i + 5, i + 9, i % 3, i % 2, i % 4 !== 0]);
    }
    const r = requests.request(slots[7]);
    expect([r.stage, r.enqueuedAt, r.visit, r.waiting]).toEqual([2, 1.25, 11, true]);
    requests.leaveQueue(slots[7]);
    expect([r.waiting, r.measured]).toEqual([false, true]);
    expect(requests.request(slots[7])).toBe(r);
  });
});
