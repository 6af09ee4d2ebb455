import { bisectPeak, type PeakOptions, type PeakResult } from '../../scenario/peak.js';
import { offeredRate, scaleArrivals } from '../../workload/rates.js';
import type { Scenario } from './schema.js';
import { simulate, type SimulateOptions } from './simulate.js';

/** The peak throughput of a pipeline scenario under a QoS target (see bisectPeak). */
export function findPeak(scenario: Scenario, options: PeakOptions & { simulateOptions?: SimulateOptions }): PeakResult {
  return bisectPeak(
    (factor, k) => {
      const run = structuredClone(scenario);
      run.seed = scenario.seed + k;
      run.workload.arrivals = scaleArrivals(scenario.workload.arrivals, factor);
      const { summary } = simulate(run, options.simulateOptions);
      return { rate: summary.arrivalRate ?? 0, tenantRatios: summary.byTenant.map((t) => t.violationRatio ?? 0), overall: summary.sloViolationRatio ?? 0 };
    },
    offeredRate(scenario.workload.arrivals),
    options,
  );
}
