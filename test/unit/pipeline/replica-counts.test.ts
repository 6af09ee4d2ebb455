import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../src/engine/random.js';
import { Simulation } from '../../../src/engine/simulation.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import type { Stage } from '../../../src/pipeline/stage.js';
import { affineLatency, ServiceTime } from '../../../src/pipeline/service.js';
import type { Router } from '../../../src/pipeline/router.js';
import { ROUTERS } from '../../../src/pipeline/routers/registry.js';
import { stageConfig } from '../../helpers.js';

/**
 * A stage keeps its number of serving replicas and of replicas it is heading for as counts
 * (recounting them at every change was quadratic in large clusters). Under load, through random
 * scale-ups, scale-downs (drains that end mid-batch) and model switches, the counts must equal a
 * recount of the replicas at every change the observer hears of, and the replicas must stay in
 * order of creation.
 */
describe('replica counts under reconfiguration', () => {
  // Every built-in router, and one with no `left` (a stage must still let leaving replicas go).
  const routers: [string, () => Router][] = [
    ...ROUTERS.kinds.map((kind): [string, () => Router] => [kind, () => ROUTERS.get(kind).create({})]),
    ['least-loaded without left', () => ({ pick: ROUTERS.get('least-loaded').create({}).pick })],
  ];
  it.each(routers)('equal a recount after every change, through scaling, drains mid-batch and model switches (%s)', (_name, router) => {
    const sim = new Simulation();
    const streams = new RandomStreams(5);
    const rng = streams.stream('test');
    const service = new ServiceTime(affineLatency(0.05, 0.01), 'exponential', 0, streams.stream('service'));
    const models = [0.5, 2].map((loadTime, i) => ({ variant: `m${i}`, cores: i + 1, loadTime, service }));
    let checks = 0;
    const check = (stage: Stage) => {
      const serving = stage.replicas.filter((r) => r.serving || r.busy).length;
      const heading = stage.replicas.filter((r) => r.state === 'starting' || r.state === 'active').length;
      expect([stage.servingReplicas, stage.target.replicas]).toEqual([serving, heading]);
      expect(stage.provisionedCores).toBe(stage.replicas.reduce((sum, r) => sum + r.model.cores, 0));
      const ids = stage.replicas.map((r) => r.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      checks++;
    };
    const observer = { batchStarted() {}, batchFinished() {}, dropped() {}, arrived() {}, completed() {}, replicasChanged: check };
    const config = { ...stageConfig({ batchTimeout: 0.01 }), router: router(), drain: 0.3 };
    const pipeline = new Pipeline(sim, [{ config, initial: { model: models[0], replicas: 20, maxBatch: 4 } }], observer);
    const stage = pipeline.stages[0];
    let id = 0;
    const arrive = () => {
      pipeline.inject(pipeline.requests.take(id++, sim.now, Infinity, Infinity, 0, 0, true));
      if (sim.now < 60) sim.schedule(rng.exponential(1 / 150), arrive, undefined);
    };
    const adapt = () => {
      const model = rng.random() < 0.15 ? models[1 - models.indexOf(stage.model as (typeof models)[number])] : stage.model;
      stage.reconfigure({ model, replicas: 1 + rng.integer(40), maxBatch: 1 + rng.integer(8) });
      if (sim.now < 60) sim.schedule(0.1 + rng.random(), adapt, undefined);
    };
    sim.scheduleAt(0, arrive, undefined);
    sim.scheduleAt(0.5, adapt, undefined);
    sim.run();
    expect(checks).toBeGreaterThan(1_000);
    expect(stage.replicas.length).toBe(stage.target.replicas);
  });
});
