import { z } from 'zod';
import { duration } from '../config/units.js';
import { defineAdapter } from './adapter.js';

/** One decision's raw per-stage replica counts, kept for the scale-down window. */
interface Recommendation {
  time: number;
  replicas: number[];
}

/**
 * Threshold autoscaling in the manner of the Kubernetes Horizontal Pod Autoscaler: per stage,
 * the recommendation is ceil(replicas x utilisation / target), the current count while
 * utilisation / target is within the tolerance, clamped to [minReplicas, maxReplicas]. Scaling up
 * follows it at once; scaling down goes only to the highest recommendation of the last
 * `scaleDownWindow` seconds (the HPA's stabilisation window), so one quiet interval does not undo
 * the replicas a burst needed. Variants and batch sizes stay. It reads utilisation only, so it
 * works on stages without a profile.
 */
export const reactiveAdapter = defineAdapter({
  kind: 'reactive',
  description: 'HPA-like threshold autoscaling on replica utilisation (variants and batches unchanged)',
  options: z.strictObject({
    targetUtilization: z.number().gt(0).max(1).default(0.7).describe('utilisation each stage is scaled towards'),
    tolerance: z.number().min(0).lt(1).default(0.1).describe('no change while utilisation / target is within 1 ± this'),
    minReplicas: z.number().int().positive().default(1).describe('fewest replicas per stage'),
    maxReplicas: z.number().int().positive().default(100).describe('most replicas per stage'),
    scaleDownWindow: duration("how far back a scale-down looks: it goes no lower than the highest recommendation since (Kubernetes' default: 5m; 0 scales down at once)").prefault(300),
  }).refine((o) => o.minReplicas <= o.maxReplicas, { error: 'minReplicas must not exceed maxReplicas', path: ['minReplicas'] }),
  needsProfile: false,
  decide(input, o) {
    const now = input.observation.time;
    const recommended = input.current.map((setting, i) => {
      const utilization = input.observation.stages[i].utilization;
      if (!Number.isFinite(utilization)) return setting.replicas;
      const ratio = utilization / o.targetUtilization;
      if (Math.abs(ratio - 1) <= o.tolerance) return setting.replicas;
      return Math.min(o.maxReplicas, Math.max(o.minReplicas, Math.ceil(setting.replicas * ratio)));
    });
    // The window is (now - scaleDownWindow, now]; the nanosecond keeps float step times (0.1 + 0.2) from moving its edge.
    const recent = ((input.memory as Recommendation[] | undefined) ?? []).filter((r) => r.time > now - o.scaleDownWindow + 1e-9);
    const held: string[] = [];
    const configuration = input.current.map((setting, i) => {
      let replicas = recommended[i];
      if (replicas < setting.replicas) {
        for (const r of recent) if (r.replicas[i] > replicas) replicas = r.replicas[i];
        replicas = Math.min(setting.replicas, replicas);
        if (replicas > recommended[i]) held.push(`${input.observation.stages[i].name} at ${replicas} replicas (recommended ${recommended[i]})`);
      }
      return replicas === setting.replicas ? setting : { ...setting, replicas };
    });
    const memory: Recommendation[] = [...recent, { time: now, replicas: recommended }];
    return { configuration, note: held.length === 0 ? '' : `held: ${held.join(', ')} by the ${o.scaleDownWindow} s scale-down window`, memory };
  },
});
