import { DDSketch } from '@datadog/sketches-js';

/** Statistics of a latency-like quantity, in seconds. Quantiles come from the sketch, the rest is exact. */
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

/**
 * A streaming distribution: exact count, mean, min and max, and quantiles from
 * a DDSketch whose answers are within `relativeAccuracy` of a true sample
 * quantile (relative error, e.g. 0.01 = 1%), in memory that grows only with
 * the logarithm of the value range, never with the number of values.
 */
export class Distribution {
  private readonly sketch: DDSketch;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(readonly relativeAccuracy: number) {
    this.sketch = new DDSketch({ relativeAccuracy });
  }

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sketch.accept(value);
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  quantile(q: number): number {
    if (this.count === 0) return NaN;
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
