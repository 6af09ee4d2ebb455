import { describe, expect, it } from 'vitest';
import type { Stage } from '../../../src/pipeline/stage.js';
import type { Router } from '../../../src/pipeline/router.js';
import { ROUTERS } from '../../../src/pipeline/routers/registry.js';
import { runChurningStage } from '../../helpers.js';

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
    const observer = () => ({ batchStarted() {}, batchFinished() {}, dropped() {}, arrived() {}, completed() {}, replicasChanged: check });
    const stage = runChurningStage({ seed: 5, replicas: 20, maxBatch: 8, rate: 150, until: 60, cores: [1, 2], router: router(), observer });
    expect(checks).toBeGreaterThan(1_000);
    expect(stage.replicas.length).toBe(stage.target.replicas);
  });
});
