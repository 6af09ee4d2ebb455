import { createRequire } from 'node:module';

type TQuantile = typeof import('@stdlib/stats-base-dists-t-quantile');

/**
 * Student's t quantile function, loaded on first use: @stdlib's package takes about 0.15 s to
 * load, and every command whose modules reach this one would pay it (plot, report, sweep, the
 * testbed, and all of them for --help), where only sweep tables and figures with intervals call it.
 */
let tQuantile: TQuantile | undefined;

/** Half-width of the 95% confidence interval of a mean from `n` samples with standard deviation `sd` (Student's t); NaN below 2 samples. */
export function ci95HalfWidth(sd: number, n: number): number {
  if (n <= 1) return NaN;
  tQuantile ??= createRequire(import.meta.url)('@stdlib/stats-base-dists-t-quantile') as TQuantile;
  return tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
}

/** Mean, sample standard deviation and 95% half-width of the finite values. */
export function meanInterval(values: readonly number[]): { n: number; mean: number; sd: number; ci95: number } {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  const mean = n > 0 ? xs.reduce((a, b) => a + b, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : NaN;
  return { n, mean, sd, ci95: ci95HalfWidth(sd, n) };
}
