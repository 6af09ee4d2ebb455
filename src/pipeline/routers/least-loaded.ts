import { z } from 'zod';
import type { Replica } from '../replica.js';
import { defineRouter } from '../router.js';

/**
 * The idle replica least utilised since it started serving (busy time / age, compared
 * cross-multiplied), so a replica added later is not flooded until its lifetime busy time
 * catches up. Ties go to the earlier replica.
 */
export const leastLoadedRouter = defineRouter({
  kind: 'least-loaded',
  description: 'the idle replica with the lowest utilisation since it started serving',
  options: z.strictObject({}),
  create: () => ({
    pick(replicas, now) {
      let best: Replica | undefined;
      for (const r of replicas) {
        if (!r.serving || r.busy) continue;
        if (best === undefined || r.busyTime * (now - best.servingSince) < best.busyTime * (now - r.servingSince)) best = r;
      }
      if (best === undefined) throw new Error('least-loaded: no idle serving replica to pick');
      return best;
    },
  }),
});
