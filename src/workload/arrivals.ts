import type { RandomStream } from '../engine/random.js';
import type { CountTrace } from './trace.js';
import type { TimestampTrace } from './timestamps.js';

/**
 * A source of request arrivals in time order, read as a cursor so the hot
 * path allocates nothing: after `next()` returns true, `time`, `tenant`,
 * `slo` and `priority` describe the new arrival.
 */
export interface ArrivalSource {
  next(): boolean;
  time: number;
  /** Tenant (application) index of the arrival. */
  tenant: number;
  /** The arrival's own SLO in seconds, or NaN when it has none (the scenario's SLO applies). */
  slo: number;
  /** The arrival's priority class (0 is served first under the priority discipline), or NaN for the default, 0. */
  priority: number;
}

/** A Poisson process of the given rate (requests/s): exponential inter-arrival gaps. */
export class PoissonArrivals implements ArrivalSource {
  time: number;
  tenant = 0;
  slo = NaN;
  priority = NaN;
  private readonly meanGap: number;

  constructor(rate: number, private readonly rng: RandomStream, start = 0) {
    this.meanGap = 1 / rate;
    this.time = start;
  }

  next(): boolean {
    this.time += this.rng.exponential(this.meanGap);
    return true;
  }
}

/** Evenly spaced arrivals at the given rate, the first at time 0 (a deterministic D/x/x arrival process). */
export class ConstantArrivals implements ArrivalSource {
  time = NaN;
  tenant = 0;
  slo = NaN;
  priority = NaN;
  private k = 0;

  constructor(private readonly rate: number) {}

  next(): boolean {
    this.time = this.k++ / this.rate;
    return true;
  }
}

/**
 * How a second's count n becomes n arrival times:
 * - `poisson`: a Poisson process of rate n started at the second: exponential gaps of mean 1/n,
 *   n of them, so the count is kept and the last few may fall just after the second ends;
 * - `ipa`: IPA's load generator (barazmoon, mode exponential): each of the n requests is sent at
 *   an independent Exp(mean 1/n) offset from the second's start. The offsets are not cumulated, so
 *   requests bunch near the start (half of them in the first 0.69/n s) and some may come a
 *   second or more later when n is small;
 * - `uniform`: n independent uniform times within the second, sorted;
 * - `even`: evenly spaced at s + k/n.
 */
export const EXPAND_MODES = ['poisson', 'ipa', 'uniform', 'even'] as const;
export type ExpandMode = (typeof EXPAND_MODES)[number];

/**
 * Arrivals from a count trace: count i is the number of requests in [start + i * bin, start + (i + 1) * bin),
 * one second per count unless `bin` says otherwise (per-minute traces: 60).
 */
export class CountTraceArrivals implements ArrivalSource {
  time = NaN;
  tenant = 0;
  slo = NaN;
  priority = NaN;
  /** Expanded times not yet returned, sorted; `poisson` and `ipa` can carry some past a second's end. */
  private pending: number[] = [];
  private head = 0;
  private nextSecond = 0;

  constructor(
    private readonly counts: CountTrace,
    private readonly mode: ExpandMode,
    private readonly rng: RandomStream,
    private readonly start = 0,
    private readonly bin = 1,
  ) {}

  next(): boolean {
    // A pending time is safe to return once every second that could produce an
    // earlier time has been expanded: all of second s's times are >= its start.
    while (this.nextSecond < this.counts.length && (this.head >= this.pending.length || this.pending[this.head] >= this.start + this.nextSecond * this.bin)) {
      this.expandSecond(this.nextSecond++);
    }
    if (this.head >= this.pending.length) return false;
    this.time = this.pending[this.head++];
    return true;
  }

  private expandSecond(second: number): void {
    const n = this.counts[second];
    if (n === 0) return;
    const bin = this.bin;
    const origin = this.start + second * bin;
    const fresh = new Array<number>(n);
    switch (this.mode) {
      case 'poisson': {
        let t = origin;
        for (let k = 0; k < n; k++) {
          t += this.rng.exponential(bin / n);
          fresh[k] = t;
        }
        break;
      }
      case 'ipa':
        for (let k = 0; k < n; k++) fresh[k] = origin + this.rng.exponential(bin / n);
        fresh.sort((a, b) => a - b);
        break;
      case 'uniform':
        for (let k = 0; k < n; k++) fresh[k] = origin + bin * this.rng.random();
        fresh.sort((a, b) => a - b);
        break;
      case 'even':
        for (let k = 0; k < n; k++) fresh[k] = origin + (k * bin) / n;
        break;
    }
    this.pending = mergeSorted(this.pending, this.head, fresh);
    this.head = 0;
  }
}

/** Merge the unread tail of `a` (from index `from`) with sorted `b`; equal times keep `a` first. */
function mergeSorted(a: number[], from: number, b: number[]): number[] {
  if (from >= a.length) return b;
  const out = new Array<number>(a.length - from + b.length);
  let i = from;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** Arrivals replayed from a timestamp trace, shifted by `start`. */
export class TimestampArrivals implements ArrivalSource {
  time = NaN;
  tenant = 0;
  slo = NaN;
  priority = NaN;
  private index = 0;

  constructor(private readonly trace: TimestampTrace, private readonly start = 0) {}

  next(): boolean {
    const i = this.index;
    if (i >= this.trace.times.length) return false;
    this.index = i + 1;
    this.time = this.start + this.trace.times[i];
    this.tenant = this.trace.tenants[i];
    this.slo = this.trace.slos ? this.trace.slos[i] : NaN;
    this.priority = this.trace.priorities ? this.trace.priorities[i] : NaN;
    return true;
  }
}

/** One tenant of a mix: its arrivals, and the SLO and priority its requests carry (NaN: the defaults). */
export interface MixPart {
  source: ArrivalSource;
  slo: number;
  priority: number;
}

/**
 * Several tenants' arrivals merged in time order; tenant i is part i. Ties go to the lower
 * tenant index. A linear scan per arrival: mixes have a handful of tenants.
 */
export class MixArrivals implements ArrivalSource {
  time = NaN;
  tenant = 0;
  slo = NaN;
  priority = NaN;
  private readonly ready: boolean[];

  constructor(private readonly parts: readonly MixPart[]) {
    this.ready = parts.map((p) => p.source.next());
  }

  next(): boolean {
    let best = -1;
    for (let i = 0; i < this.parts.length; i++) {
      if (this.ready[i] && (best < 0 || this.parts[i].source.time < this.parts[best].source.time)) best = i;
    }
    if (best < 0) return false;
    const part = this.parts[best];
    this.time = part.source.time;
    this.tenant = best;
    this.slo = part.slo;
    this.priority = part.priority;
    this.ready[best] = part.source.next();
    return true;
  }
}

/** Read a whole source into arrays (for `pipesim trace expand` and tests; simulations stream instead). */
export function collectArrivals(source: ArrivalSource, limit = Infinity): TimestampTrace {
  const times: number[] = [];
  const tenants: number[] = [];
  while (times.length < limit && source.next()) {
    times.push(source.time);
    tenants.push(source.tenant);
  }
  return { times: Float64Array.from(times), tenants: Uint16Array.from(tenants), tenantNames: ['default'] };
}
