import { DDSketch } from '@datadog/sketches-js';

/** Statistics of a latency-like quantity, in seconds: count, mean, min and max exact; quantiles exact up to EXACT_QUANTILES_UP_TO values, from the sketch beyond. */
export interface DistributionSummary {
  count: number;
  mean: number | null;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Values a Distribution keeps exactly (8 bytes each) before it answers from its sketch alone. */
export const EXACT_QUANTILES_UP_TO = 100_000;

/**
 * A streaming distribution: exact count, mean, min and max; exact (nearest-rank) quantiles while
 * it holds at most EXACT_QUANTILES_UP_TO values, then quantiles from a DDSketch whose answers are
 * within `relativeAccuracy` of a true sample quantile (relative error, e.g. 0.001 = 0.1%), in
 * memory that grows only with the logarithm of the value range. Exact where affordable because a
 * sketch answers with its bucket's value: two seeds' p99s in one bucket come out identical, and an
 * interval over seeds of exactly 0 is an artefact of the sketch, not of the system.
 */
export class Distribution {
  private readonly sketch: DDSketch;
  /** The values while they are kept (`keeping`); an empty array after (the field keeps one type: add() stays fast). */
  private exact: Float64Array = new Float64Array(64);
  private keeping = true;
  private sorted = false;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(readonly relativeAccuracy: number) {
    this.sketch = new DDSketch({ relativeAccuracy });
  }

  add(value: number): void {
    if (this.keeping) {
      if (this.count === this.exact.length) {
        if (this.count >= EXACT_QUANTILES_UP_TO) {
          this.keeping = false;
          this.exact = new Float64Array(0);
        } else this.exact = grow(this.exact);
      }
      if (this.keeping) this.exact[this.count] = value;
      this.sorted = false;
    }
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sketch.accept(value);
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /** Whether quantiles are exact (the values are all kept) rather than the sketch's. */
  get exactQuantiles(): boolean {
    return this.keeping;
  }

  quantile(q: number): number {
    if (this.count === 0) return NaN;
    if (this.keeping) {
      const values = this.exact.subarray(0, this.count);
      if (!this.sorted) {
        values.sort();
        this.sorted = true;
      }
      return values[Math.max(0, Math.ceil(q * this.count) - 1)];
    }
    // The sketch answers within its relative accuracy; clamping to the exact extremes keeps p0/p100 exact.
    return Math.min(this.max, Math.max(this.min, this.sketch.getValueAtQuantile(q)));
  }

  summary(): DistributionSummary {
    if (this.count === 0) return { count: 0, mean: null, min: null, p50: null, p90: null, p95: null, p99: null, max: null };
    return {
      count: this.count,
      mean: this.mean,
      min: this.min,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: this.max,
    };
  }
}

/** A buffer twice as long with the same values first (at most EXACT_QUANTILES_UP_TO long). */
function grow(values: Float64Array): Float64Array {
  const grown = new Float64Array(Math.min(values.length * 2, EXACT_QUANTILES_UP_TO));
  grown.set(values);
  return grown;
}

/**
 * The values of one short window (a time-series interval), kept exactly in a
 * reused buffer and sorted on demand: exact quantiles, memory bounded by the
 * most values one window ever holds, not by the run's length. Cheaper than a
 * fresh sketch per interval, which is what the per-second time series needs.
 */
export class WindowSample {
  private values = new Float64Array(64);
  count = 0;
  sum = 0;

  add(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
    this.sum += value;
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /**
   * Nearest-rank quantiles (the smallest value with at least q of the values at
   * or below it) written into `out`; NaN when empty.
   */
  quantiles(qs: readonly number[], out: number[]): void {
    if (this.count === 0) {
      out.fill(NaN);
      return;
    }
    const sorted = this.values.subarray(0, this.count).sort();
    for (let i = 0; i < qs.length; i++) out[i] = sorted[Math.max(0, Math.ceil(qs[i] * this.count) - 1)];
  }

  clear(): void {
    this.count = 0;
    this.sum = 0;
  }
}
