import { bisectPeak, type PeakOptions, type PeakResult } from '../../scenario/peak.js';
import { offeredRate, scaleArrivals } from '../../workload/rates.js';
import type { AcceleratorScenario } from './schema.js';
import { simulateAccelerator } from './simulate.js';

type ServiceArrivals = AcceleratorScenario['accelerator']['services'][number]['arrivals'];

/** The peak throughput of an accelerator scenario under a QoS target: every service's rate scaled together (see bisectPeak). */
export function findAcceleratorPeak(scenario: AcceleratorScenario, options: PeakOptions): PeakResult {
  const services = scenario.accelerator.services;
  const rates = services.map((s) => offeredRate(s.arrivals));
  const offered = rates.some((r) => r === undefined) ? undefined : (rates as number[]).reduce((a, b) => a + b, 0);
  return bisectPeak(
    (factor, k) => {
      const run = structuredClone(scenario);
      run.seed = scenario.seed + k;
      run.accelerator.services = services.map((s) => ({ ...s, arrivals: scaleArrivals(s.arrivals, factor) as ServiceArrivals }));
      const { summary } = simulateAccelerator(run);
      return {
        rate: summary.simulated.measured > 0 ? summary.requests.arrived / summary.simulated.measured : 0,
        tenantRatios: summary.byTenant.map((t) => t.violationRatio ?? 0),
        overall: summary.violationRatio ?? 0,
      };
    },
    offered,
    options,
  );
}
