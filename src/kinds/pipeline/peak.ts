import { InputError, OverloadError } from '../../errors.js';
import { bisectPeak, type PeakOptions, type PeakResult } from '../../scenario/peak.js';
import { offeredRate, scaleArrivals } from '../../workload/rates.js';
import { traceFormat, type ArrivalsSpec } from '../../workload/schema.js';
import type { Scenario } from './schema.js';
import { simulate, type SimulateOptions } from './simulate.js';

/**
 * The peak throughput of a pipeline scenario under a QoS target (see bisectPeak). A probe whose
 * queue grows past pipeline.maxWaiting is overloaded: every request would miss, so it counts as
 * violating in full.
 */
export function findPeak(scenario: Scenario, options: PeakOptions & { simulateOptions?: SimulateOptions }): PeakResult {
  if (!canViolate(scenario)) {
    throw new InputError(
      'peak needs a target to judge a load by: a latency SLO (slo, a tenant\'s slo) or a bound that drops requests (a stage\'s queue.capacity, pipeline.dropLimit); ' +
        'without one no request is ever late or dropped, and the search would only find where the queues overflow',
    );
  }
  return bisectPeak(
    (factor, k) => {
      const run = structuredClone(scenario);
      run.seed = scenario.seed + k;
      run.workload.arrivals = scaleArrivals(scenario.workload.arrivals, factor);
      try {
        const { summary } = simulate(run, options.simulateOptions);
        return { rate: summary.arrivalRate ?? 0, tenantRatios: summary.byTenant.map((t) => t.violationRatio ?? 0), overall: summary.sloViolationRatio ?? 0 };
      } catch (err) {
        if (!(err instanceof OverloadError)) throw err;
        return { rate: err.arrivalRate, tenantRatios: [1], overall: 1 };
      }
    },
    offeredRate(scenario.workload.arrivals),
    options,
  );
}

/**
 * Whether a request can count as a violation: late against an SLO (the scenario's, a tenant's, a
 * timestamp trace's slo column, a profile's) or dropped by a bound (a queue's capacity, the drop limit).
 */
function canViolate(scenario: Scenario): boolean {
  const p = scenario.pipeline;
  if (p.dropLimit !== undefined || p.profile !== undefined || p.stages.some((s) => s.queue.capacity !== null)) return true;
  const anyTarget = (spec: ArrivalsSpec): boolean => {
    if (spec.kind === 'mix') return spec.tenants.some((t) => t.slo !== undefined || anyTarget(t.arrivals));
    return spec.kind === 'trace' && traceFormat(spec) === 'timestamps';
  };
  return scenario.slo !== undefined || anyTarget(scenario.workload.arrivals);
}
