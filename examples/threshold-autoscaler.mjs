// A researcher's own adaptation policy, as a pipesim plug-in: scale each stage's replicas up by
// one when its utilisation over the last interval passes `high`, down by one below `low`.
// Variants and batch sizes stay. Name it in a scenario with
//   adaptation: {adapter: {kind: module, path: threshold-autoscaler.mjs, options: {high: 0.8}}}
import { defineAdapter, z } from 'pipesim';

export default defineAdapter({
  kind: 'threshold-autoscaler',
  description: 'one replica more above `high` utilisation, one fewer below `low`',
  options: z
    .strictObject({
      high: z.number().gt(0).max(1).default(0.8).describe('scale up above this utilisation'),
      low: z.number().min(0).lt(1).default(0.3).describe('scale down below this utilisation'),
      maxReplicas: z.number().int().positive().default(20).describe('most replicas per stage'),
    })
    .refine((o) => o.low < o.high, { error: 'low must be below high', path: ['low'] }),
  decide({ observation, current }, { high, low, maxReplicas }) {
    const configuration = current.map((setting, i) => {
      const { utilization } = observation.stages[i];
      if (utilization > high && setting.replicas < maxReplicas) return { ...setting, replicas: setting.replicas + 1 };
      if (utilization < low && setting.replicas > 1) return { ...setting, replicas: setting.replicas - 1 };
      return setting;
    });
    return { configuration, note: '' };
  },
});
