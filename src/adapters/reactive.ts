import { z } from 'zod';
import { defineAdapter } from './adapter.js';

/**
 * Threshold autoscaling in the manner of the Kubernetes Horizontal Pod Autoscaler: per stage,
 * desired = ceil(replicas x utilisation / target), left alone while utilisation / target is
 * within the tolerance, clamped to [minReplicas, maxReplicas]. Variants and batch sizes stay.
 * It reads utilisation only, so it works on stages without a profile. (The HPA's scale-down
 * stabilisation window is left out: it needs memory of past decisions, and adapters are pure.)
 */
export const reactiveAdapter = defineAdapter({
  kind: 'reactive',
  description: 'HPA-like threshold autoscaling on replica utilisation (variants and batches unchanged)',
  options: z.strictObject({
    targetUtilization: z.number().gt(0).max(1).default(0.7).describe('utilisation each stage is scaled towards'),
    tolerance: z.number().min(0).lt(1).default(0.1).describe('no change while |utilisation / target - 1| is within this'),
    minReplicas: z.number().int().positive().default(1).describe('fewest replicas per stage'),
    maxReplicas: z.number().int().positive().default(100).describe('most replicas per stage'),
  }).refine((o) => o.minReplicas <= o.maxReplicas, { error: 'minReplicas must not exceed maxReplicas', path: ['minReplicas'] }),
  needsProfile: false,
  decide(input, o) {
    const configuration = input.current.map((setting, i) => {
      const utilization = input.observation.stages[i].utilization;
      if (!Number.isFinite(utilization)) return setting;
      const ratio = utilization / o.targetUtilization;
      if (Math.abs(ratio - 1) <= o.tolerance) return setting;
      const replicas = Math.min(o.maxReplicas, Math.max(o.minReplicas, Math.ceil(setting.replicas * ratio)));
      return replicas === setting.replicas ? setting : { ...setting, replicas };
    });
    return { configuration, note: '' };
  },
});
