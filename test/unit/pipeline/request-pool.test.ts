import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../src/engine/random.js';
import { Simulation } from '../../../src/engine/simulation.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { Request } from '../../../src/pipeline/request.js';
import { affineLatency, ServiceTime } from '../../../src/pipeline/service.js';
import { stageConfig } from '../../helpers.js';

/**
 * Requests reused from the pipeline's pool must behave exactly as fresh objects: the same
 * batches at the same times, the same completions and drops. The stage below keeps a backlog
 * under EDF (taken out of joining order, so its record of who joined first holds requests that
 * have left, whose objects come back as new requests), drops by capacity and by age.
 */
function run(discipline: string, pooled: boolean): { log: string[]; objects: number } {
  const sim = new Simulation();
  const streams = new RandomStreams(7);
  const service = new ServiceTime(affineLatency(0.004, 0.002), 'exponential', 0, streams.stream('service'));
  const arrivals = streams.stream('arrivals');
  const log: string[] = [];
  const seen = new Set<Request>();
  const observer = {
    batchStarted: (_s: unknown, batch: readonly Request[], size: number) => log.push(`${sim.now} batch ${batch.slice(0, size).map((r) => r.id).join(' ')}`),
    batchFinished() {},
    dropped: (r: Request, reason: string) => log.push(`${sim.now} drop ${r.id} ${reason}`),
    arrived() {},
    completed: (r: Request) => log.push(`${sim.now} done ${r.id} ${r.arrival} ${r.deadline}`),
    replicasChanged() {},
  };
  const config = stageConfig({ discipline, batchTimeout: 0.005, capacity: 40 });
  const model = { variant: 'm', cores: 1, loadTime: 0, service };
  const pipeline = new Pipeline(sim, [{ config, initial: { model, replicas: 2, maxBatch: 4 } }], observer);
  let id = 0;
  const arrive = () => {
    const now = sim.now;
    const deadline = now + 0.01 + arrivals.random() * 0.1;
    const r = pooled ? pipeline.requests.take(id, now, deadline, now + 0.08, 0, 0, true) : new Request(id, now, deadline, now + 0.08, 0, 0, true);
    seen.add(r);
    id++;
    pipeline.inject(r);
    if (id < 20_000) sim.schedule(arrivals.exponential(1 / 700), arrive, undefined);
  };
  sim.scheduleAt(0, arrive, undefined);
  sim.run();
  return { log, objects: seen.size };
}

describe('the request pool', () => {
  for (const discipline of ['edf', 'fcfs']) {
    it(`${discipline}: reused request objects give the same batches, completions and drops as fresh ones`, () => {
      const fresh = run(discipline, false);
      const pooled = run(discipline, true);
      expect(fresh.objects).toBe(20_000);
      expect(pooled.objects).toBeLessThan(500); // the pool did reuse objects
      expect(pooled.log.filter((l) => l.includes(' drop ')).length).toBeGreaterThan(100); // drops, by capacity and age
      expect(pooled.log).toEqual(fresh.log);
    });
  }
});
