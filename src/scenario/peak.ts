import { InputError } from '../errors.js';

/** Peak throughput under a QoS target, by seeded bisection over a scale factor of every arrival rate: shared by the scenario kinds that have it. */

export interface PeakProbe {
  factor: number;
  /** Arrival rate offered, requests/s: the scaled rates of the spec, or for traces the rate measured (mean over seeds). */
  rate: number;
  /** The QoS-violation ratio judged (the worst tenant's, or the whole run's), mean over seeds. */
  violationRatio: number;
  ok: boolean;
}

export interface PeakResult {
  /** The highest rate found that meets the target, and the lowest that does not. */
  rate: number;
  bracket: [number, number];
  factor: number;
  probes: PeakProbe[];
}

export interface PeakOptions {
  /** Largest acceptable violation ratio (default 0.01). */
  threshold: number;
  /** Seeds per probe, from the scenario's seed on. */
  seeds: number;
  /** Stop when the bracket is narrower than this fraction of its upper end. */
  tolerance: number;
  /** Judge the worst tenant (default) or the whole run. */
  perTenant: boolean;
  onProbe?: (probe: PeakProbe) => void;
}

/** What one seeded run at one load says. */
export interface ProbeRun {
  /** Arrival rate measured, requests/s. */
  rate: number;
  /** QoS-violation ratio of each tenant, and of the whole run. */
  tenantRatios: number[];
  overall: number;
}

/**
 * The peak throughput under a QoS target: the highest load at which the violation ratio (late or
 * dropped over arrived) stays at or below `threshold`. `run(factor, k)` simulates the workload with
 * every arrival rate multiplied by `factor`, seeded k-th; `offered` is the unscaled offered rate
 * (undefined: use the measured one). Doubles until the target fails, then bisects; each probe
 * averages seeded runs, so the same inputs give the same answer.
 */
export function bisectPeak(run: (factor: number, seedOffset: number) => ProbeRun, offered: number | undefined, options: PeakOptions): PeakResult {
  const probes: PeakProbe[] = [];
  const probe = (factor: number): PeakProbe => {
    let rate = 0;
    let violations = 0;
    for (let k = 0; k < options.seeds; k++) {
      const r = run(factor, k);
      rate += r.rate;
      violations += options.perTenant ? Math.max(...r.tenantRatios) : r.overall;
    }
    const p = { factor, rate: offered === undefined ? rate / options.seeds : offered * factor, violationRatio: violations / options.seeds, ok: violations / options.seeds <= options.threshold };
    probes.push(p);
    options.onProbe?.(p);
    return p;
  };
  let lo: PeakProbe | undefined;
  let hi = probe(1);
  // Find a factor that fails (doubling) and one that meets the target (halving).
  for (let i = 0; hi.ok && i < 30; i++) {
    lo = hi;
    hi = probe(hi.factor * 2);
  }
  if (hi.ok) throw new InputError(`the target is met even at ${hi.factor}x the scenario's rates (${hi.rate.toFixed(2)} requests/s): the system never saturates`);
  for (let i = 0; lo === undefined && i < 30; i++) {
    const p = probe(hi.factor / 2);
    if (p.ok) lo = p;
    else hi = p;
  }
  if (lo === undefined) throw new InputError(`the target is missed even at ${hi.factor}x the scenario's rates`);
  while ((hi.factor - lo.factor) / hi.factor > options.tolerance) {
    const p = probe((lo.factor + hi.factor) / 2);
    if (p.ok) lo = p;
    else hi = p;
  }
  return { rate: lo.rate, bracket: [lo.rate, hi.rate], factor: lo.factor, probes };
}
