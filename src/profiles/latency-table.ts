import { InputError } from '../errors.js';

/** One measured point: a batch of `batch` requests took `latency` seconds on a replica with `cores` cores. */
export interface LatencyPoint {
  batch: number;
  cores: number;
  latency: number;
}

/**
 * Latency of one batch as a function of batch size and cores, from a table of points.
 *
 * Within one core count, latency is linear between measured batch sizes and
 * extrapolated linearly from the two nearest points beyond them (batch
 * latency is close to affine in batch size for CPU inference). Between core
 * counts it is linear in 1/cores, the shape of ideally parallel compute;
 * outside the measured core range the nearest measured count is used.
 * Leaving the measured range is reported once per kind through `warnings`.
 */
export class LatencyTable {
  /** Core counts measured, ascending, each with its points sorted by batch size. */
  private readonly levels: { cores: number; batches: number[]; latencies: number[] }[];
  readonly warnings = new Set<string>();

  constructor(points: readonly LatencyPoint[], private readonly name = 'profile') {
    if (points.length === 0) throw new InputError(`${name}: a latency table needs at least one point`);
    const byCores = new Map<number, LatencyPoint[]>();
    for (const p of points) {
      if (!(p.batch >= 1) || !(p.cores > 0) || !(p.latency > 0)) {
        throw new InputError(`${name}: invalid point batch=${p.batch} cores=${p.cores} latency=${p.latency}`);
      }
      const list = byCores.get(p.cores) ?? [];
      if (list.some((q) => q.batch === p.batch)) {
        throw new InputError(`${name}: two points for batch ${p.batch} at ${p.cores} cores`);
      }
      list.push(p);
      byCores.set(p.cores, list);
    }
    this.levels = [...byCores.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([cores, list]) => {
        list.sort((a, b) => a.batch - b.batch);
        return { cores, batches: list.map((p) => p.batch), latencies: list.map((p) => p.latency) };
      });
  }

  latency(batch: number, cores: number): number {
    const levels = this.levels;
    if (cores <= levels[0].cores || levels.length === 1) {
      if (cores !== levels[0].cores) this.warn(`cores ${cores} outside the measured range; using ${levels[0].cores}`);
      return this.alongBatch(0, batch);
    }
    const last = levels.length - 1;
    if (cores >= levels[last].cores) {
      if (cores !== levels[last].cores) this.warn(`cores ${cores} outside the measured range; using ${levels[last].cores}`);
      return this.alongBatch(last, batch);
    }
    let hi = 1;
    while (levels[hi].cores < cores) hi++;
    const lo = hi - 1;
    const x0 = 1 / levels[lo].cores;
    const x1 = 1 / levels[hi].cores;
    const w = (1 / cores - x0) / (x1 - x0);
    return (1 - w) * this.alongBatch(lo, batch) + w * this.alongBatch(hi, batch);
  }

  private alongBatch(level: number, batch: number): number {
    const { batches, latencies } = this.levels[level];
    const n = batches.length;
    if (n === 1) {
      if (batch !== batches[0]) this.warn(`batch ${batch} outside the measured range at ${this.levels[level].cores} cores; only batch ${batches[0]} was measured`);
      return latencies[0];
    }
    let hi = 1;
    while (hi < n - 1 && batches[hi] < batch) hi++;
    const lo = hi - 1;
    if (batch < batches[0] || batch > batches[n - 1]) {
      this.warn(`batch ${batch} outside the measured range ${batches[0]}..${batches[n - 1]}; extrapolating`);
    }
    const slope = (latencies[hi] - latencies[lo]) / (batches[hi] - batches[lo]);
    return Math.max(Number.MIN_VALUE, latencies[lo] + slope * (batch - batches[lo]));
  }

  private warn(message: string): void {
    this.warnings.add(`${this.name}: ${message}`);
  }
}
