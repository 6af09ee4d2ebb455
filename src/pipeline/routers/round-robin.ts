import { z } from 'zod';
import type { Replica } from '../replica.js';
import { defineRouter, type Router } from '../router.js';

/**
 * Each batch to the next idle serving replica after the one that got the last batch, in the
 * stage's order of replicas. The stage asks `turn` directly with its idle flags (no replica
 * objects touched); `pick` is the same walk over Replica objects.
 */
export class RoundRobin implements Router {
  /** The position after the replica that got the last batch. */
  private next = 0;

  pick(replicas: readonly Replica[]): Replica {
    return replicas[this.turn(replicas.length, (i) => replicas[i].serving && !replicas[i].busy)];
  }

  /** The position of the next replica in turn, of `n`, that `takes` (at least one must); it becomes the last picked. */
  turn(n: number, takes: (position: number) => boolean): number {
    // Replicas leaving after the last pick may leave `next` at n: the walk then starts from the first.
    let i = this.next % n;
    for (let k = 0; k < n; k++) {
      if (takes(i)) {
        this.next = i + 1 === n ? 0 : i + 1;
        return i;
      }
      i = i + 1 === n ? 0 : i + 1;
    }
    throw new Error('round-robin: no idle serving replica to pick');
  }

  left(index: number): void {
    if (this.next > index) this.next--;
  }
}

export const roundRobinRouter = defineRouter({
  kind: 'round-robin',
  description: 'the next idle replica in turn',
  options: z.strictObject({}),
  create: () => new RoundRobin(),
});
