import { z } from 'zod';
import { InputError } from '../errors.js';

/**
 * The CPU size of one replica of each variant, chosen from the allocations the variant was
 * profiled at. IPA gives every variant one fixed size (its "base allocation", allocation_mode
 * base in IPA's configs); the optimizer then only chooses replicas, so the cost of a stage is
 * replicas x that size.
 */
export const AllocationSettingSchema = z
  .discriminatedUnion('rule', [
    z.strictObject({
      rule: z.literal('base'),
      threshold: z.number().positive().describe('requests/s a batch size must sustain to count (IPA\'s `threshold`: video 4, audio 1, sum-qa 5, nlp 4)'),
    }),
    z.strictObject({ rule: z.literal('fixed'), cores: z.number().positive().describe('every variant at this profiled allocation') }),
  ])
  .describe('how each variant\'s replica size is chosen from its profiled allocations: base (IPA\'s base-allocation rule, needs each stage\'s sla) or fixed');
export type AllocationSetting = z.infer<typeof AllocationSettingSchema>;

/** What the rule reads of one profiled allocation: per batch size, p99 latency and throughput. */
export interface ProfiledAllocation {
  cores: number;
  batches: readonly { latency: number; throughput: number }[];
}

/**
 * IPA's base-allocation rule (optimizer/models.py, Task.base_allocations), for the variants of one
 * stage. For each variant and allocation it counts the batch sizes whose profile sustains
 * `threshold` requests/s within the stage's SLA (p99 latency <= `taskSla`). Walking the variants by
 * ascending accuracy with one index into the allocations (ascending cores), shared by all:
 * - the least accurate variant takes the smallest allocation whose count is not 0;
 * - each later one first moves one size up if that size counts more batches than the current one,
 *   then keeps moving up while the count at the current size is 0 (rechecking the move-up rule).
 * So sizes never fall as accuracy grows, and a heavier variant gets more cores exactly when they
 * let more batch sizes meet the threshold and the SLA.
 *
 * Returns the chosen cores per variant, in the order given. Every variant must be profiled at the
 * same allocations. A variant with no allocation left is an InputError, as in IPA.
 */
export function baseAllocation(variants: readonly { name: string; accuracy: number; allocations: readonly ProfiledAllocation[] }[], threshold: number, taskSla: number): number[] {
  if (variants.length === 0) return [];
  const sizes = [...variants[0].allocations.map((a) => a.cores)].sort((a, b) => a - b);
  const counts = variants.map((v) => {
    const own = [...v.allocations.map((a) => a.cores)].sort((a, b) => a - b);
    if (own.join() !== sizes.join()) {
      throw new InputError(`base allocation: variant ${v.name} is profiled at ${own.join(', ')} cores, ${variants[0].name} at ${sizes.join(', ')}: every variant of a stage needs the same allocations`);
    }
    return sizes.map((c) => (v.allocations.find((a) => a.cores === c) as ProfiledAllocation).batches.filter((b) => b.throughput >= threshold && b.latency <= taskSla).length);
  });
  // Ascending accuracy; equal accuracies keep their order (IPA sorts by accuracy, stably).
  const order = variants.map((_, i) => i).sort((a, b) => variants[a].accuracy - variants[b].accuracy);
  const chosen = new Array<number>(variants.length);
  const last = sizes.length - 1;
  let at = 0;
  order.forEach((v, position) => {
    const count = counts[v];
    for (;;) {
      if (position > 0 && at < last && count[at + 1] > count[at]) at++;
      if (count[at] > 0) break;
      if (at === last) {
        throw new InputError(
          `base allocation: no allocation of ${variants[v].name} from ${sizes[Math.min(at, last)]} cores up has a batch size reaching ${threshold} requests/s within the stage SLA of ${taskSla} s`,
        );
      }
      at++;
    }
    chosen[v] = sizes[at];
  });
  return chosen;
}
