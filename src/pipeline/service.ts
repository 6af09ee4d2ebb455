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

/**
 * Draws the time one replica takes to serve one batch: the mean from the
 * stage's latency model, the spread from the chosen distribution (the
 * lognormal is parameterised by its coefficient of variation, so its mean
 * stays the profiled mean). Means are memoised per (batch, cores).
 */
export class ServiceTime {
  /** cores -> mean latency indexed by batch size. */
  private readonly memo = new Map<number, number[]>();

  constructor(
    private readonly meanLatency: MeanLatency,
    private readonly distribution: ServiceDistribution,
    private readonly cv: number,
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

  sample(batch: number, cores: number): number {
    const m = this.mean(batch, cores);
    switch (this.distribution) {
      case 'deterministic':
        return m;
      case 'exponential':
        return this.rng.exponential(m);
      case 'lognormal':
        return this.rng.lognormal(m, this.cv);
    }
  }
}
