import { traceFormat, type ArrivalsSpec } from './schema.js';

/** Multiply every arrival rate of a workload by `factor` (traces: their counts, or their time for timestamp traces). */
export function scaleArrivals(spec: ArrivalsSpec, factor: number): ArrivalsSpec {
  switch (spec.kind) {
    case 'poisson':
    case 'constant':
    case 'synthetic':
      return { ...spec, rate: spec.rate * factor };
    case 'trace': {
      const timestamps = traceFormat(spec) === 'timestamps';
      return timestamps ? { ...spec, compress: spec.compress * factor } : { ...spec, scale: spec.scale * factor };
    }
    case 'mix':
      return { ...spec, tenants: spec.tenants.map((t) => ({ ...t, arrivals: scaleArrivals(t.arrivals, factor) as typeof t.arrivals })) };
  }
}

/** The mean arrival rate a workload offers, when its spec says (traces: undefined). */
export function offeredRate(spec: ArrivalsSpec): number | undefined {
  switch (spec.kind) {
    case 'poisson':
    case 'constant':
    case 'synthetic':
      return spec.rate;
    case 'trace':
      return undefined;
    case 'mix': {
      const rates = spec.tenants.map((t) => offeredRate(t.arrivals));
      return rates.some((r) => r === undefined) ? undefined : (rates as number[]).reduce((a, b) => a + b, 0);
    }
  }
}
