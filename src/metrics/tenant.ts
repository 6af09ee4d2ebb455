import { Distribution, type DistributionSummary } from './distribution.js';

/** One tenant's (application's, service's) measured requests, as every run kind reports them. */
export interface TenantSummary {
  name: string;
  arrived: number;
  completed: number;
  dropped: number;
  late: number;
  /** (late + dropped) / arrived: the QoS-violation ratio (abandoned requests are dropped ones). */
  violationRatio: number | null;
  latency: DistributionSummary;
  throughput: number | null;
  /** On-time completions per second. */
  goodput: number | null;
}

/** Counters and the latency sketch of one tenant's measured requests. */
export class TenantStats {
  arrived = 0;
  completed = 0;
  late = 0;
  dropped = 0;
  readonly latency: Distribution;

  constructor(sketchAccuracy: number) {
    this.latency = new Distribution(sketchAccuracy);
  }

  /** A completion `latency` seconds after arrival, late or not. */
  complete(latency: number, late: boolean): void {
    this.completed++;
    this.latency.add(latency);
    if (late) this.late++;
  }

  summary(name: string, perSecond: (n: number) => number | null): TenantSummary {
    return summarizeTenant(name, this, this.latency, perSecond);
  }
}

/** A tenant's summary from its counts and latency sketch; `perSecond` turns a count into a rate over the measured window. */
export function summarizeTenant(
  name: string,
  c: { arrived: number; completed: number; dropped: number; late: number },
  latency: Distribution,
  perSecond: (n: number) => number | null,
): TenantSummary {
  return {
    name,
    arrived: c.arrived,
    completed: c.completed,
    dropped: c.dropped,
    late: c.late,
    violationRatio: c.arrived > 0 ? (c.late + c.dropped) / c.arrived : null,
    latency: latency.summary(),
    throughput: perSecond(c.completed),
    goodput: perSecond(c.completed - c.late),
  };
}
