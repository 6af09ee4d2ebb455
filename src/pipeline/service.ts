import type { RandomStream } from '../engine/random.js';
import type { LatencyTable } from '../profiles/latency-table.js';

/** Shape of the service-time distribution around the mean batch latency. */
export const SERVICE_DISTRIBUTIONS = ['deterministic', 'exponential', 'lognormal'] as const;
export type ServiceDistribution = (typeof SERVICE_DISTRIBUTIONS)[number];

/** Mean latency of a batch of `batch` requests on a replica with `cores` cores. */
export type MeanLatency = (batch: number, cores: number) => number;

/** Affine batch latency: `mean` for a batch of one, plus `perItem` for each further request. */
export function affineLatency(mean: number, perItem: number): MeanLatency {
  return (batch) => mean + perItem * (batch - 1);
}

export function tableLatency(table: LatencyTable): MeanLatency {
  return (batch, cores) => table.latency(batch, cores);
}

/** Z-score of the 99th percentile of a standard normal. */
const Z99 = 2.3263478740408408;

/**
 * The coefficient of variation of the lognormal whose 99th percentile is `ratio` times its mean:
 * p99 / mean = exp(z * sigma - sigma^2 / 2), solved for the smaller sigma. Ratios above the
 * largest a lognormal can have (exp(z^2 / 2), about 15) get that largest one.
 */
export function lognormalCvForP99(ratio: number): number {
  if (!(ratio > 1)) return 0;
  const root = Z99 * Z99 - 2 * Math.log(ratio);
  const sigma = Z99 - Math.sqrt(Math.max(0, root));
  return Math.sqrt(Math.expm1(sigma * sigma));
}

/**
 * Draws the time one replica takes to serve one batch: the mean from the
 * stage's latency model, the spread from the chosen distribution (the
 * lognormal is parameterised by its coefficient of variation, so its mean
 * stays the profiled mean; the cv may depend on the batch size).
 * Means and cvs are memoised per (batch, cores).
 */
export class ServiceTime {
  /** cores -> mean latency indexed by batch size. */
  private readonly memo = new Map<number, number[]>();
  private readonly cvMemo = new Map<number, number[]>();

  constructor(
    private readonly meanLatency: MeanLatency,
    private readonly distribution: ServiceDistribution,
    private readonly cv: number | ((batch: number, cores: number) => number),
    private readonly rng: RandomStream,
  ) {}

  mean(batch: number, cores: number): number {
    let byBatch = this.memo.get(cores);
    if (byBatch === undefined) {
      byBatch = [];
      this.memo.set(cores, byBatch);
    }
    let m = byBatch[batch];
    if (m === undefined) {
      m = this.meanLatency(batch, cores);
      byBatch[batch] = m;
    }
    return m;
  }

  private cvOf(batch: number, cores: number): number {
    const cv = this.cv;
    if (typeof cv === 'number') return cv;
    let byBatch = this.cvMemo.get(cores);
    if (byBatch === undefined) {
      byBatch = [];
      this.cvMemo.set(cores, byBatch);
    }
    let c = byBatch[batch];
    if (c === undefined) {
      c = cv(batch, cores);
      byBatch[batch] = c;
    }
    return c;
  }

  sample(batch: number, cores: number): number {
    const m = this.mean(batch, cores);
    switch (this.distribution) {
      case 'deterministic':
        return m;
      case 'exponential':
        return this.rng.exponential(m);
      case 'lognormal':
        return this.rng.lognormal(m, this.cvOf(batch, cores));
    }
  }
}
