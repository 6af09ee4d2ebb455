import { z } from 'zod';
import { defineRouter } from '../router.js';

/** Each batch to the next idle serving replica after the one that got the last batch, in the stage's order of replicas. */
export const roundRobinRouter = defineRouter({
  kind: 'round-robin',
  description: 'the next idle replica in turn',
  options: z.strictObject({}),
  create: () => {
    let next = 0;
    return {
      pick(replicas) {
        const n = replicas.length;
        for (let k = 0; k < n; k++) {
          const i = (next + k) % n;
          const r = replicas[i];
          if (r.serving && !r.busy) {
            next = (i + 1) % n;
            return r;
          }
        }
        throw new Error('round-robin: no idle serving replica to pick');
      },
      left(index) {
        if (next > index) next--;
      },
    };
  },
});
