import { InputError } from '../errors.js';
import { expectedArrivals } from '../workload/build.js';
import { offeredRate } from '../workload/rates.js';
import type { ArrivalsSpec } from '../workload/schema.js';

/** The size of a run, estimated before it starts. */
export interface RunEstimate {
  /** Requests it will simulate (random workloads: the expected number). */
  requests: number;
  /** Simulated seconds. */
  seconds: number;
  /** Bytes of the tables it will write. */
  outputBytes: number;
  /** The most requests in one bin of a count trace, and when in the run it starts: a bin's arrival times are all held in memory at once. */
  busiestBin?: { time: number; count: number };
}

/**
 * Limits on the size of one run (documented in README "Limits"). Above the `warn` sizes `pipesim
 * run` says how big the run is and goes on; above the `refuse` sizes it stops before starting
 * unless given --force, because such a run would take days, fill the disk or exhaust memory.
 */
export const RUN_LIMITS = {
  warnRequests: 1e8,
  refuseRequests: 1e10,
  warnBytes: 1e9,
  refuseBytes: 1e11,
  /** One bin's arrival times take 8 bytes each. */
  refuseBinRequests: 1e7,
  /** Requests per second of simulated work on one core, roughly (see `npm run bench`): for the time estimate only. */
  requestsPerSecond: 1e6,
} as const;

const count = (n: number) => (n >= 1e9 ? n.toExponential(2).replace('e+', 'e') : n >= 1e6 ? `${(n / 1e6).toPrecision(3)} million` : String(Math.round(n)));
const bytes = (n: number) => (n >= 1e9 ? `${(n / 1e9).toPrecision(3)} GB` : `${(n / 1e6).toPrecision(3)} MB`);
const time = (seconds: number) => (seconds < 120 ? `${Math.round(seconds)} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${count(seconds / 3600)} h`);

/**
 * Warnings about a run's size, or an InputError when it is past a refuse limit and `force` is
 * not given (what is too big, by how much, and what to change).
 */
export function checkRunSize(estimate: RunEstimate, force: boolean): string[] {
  const problems: string[] = [];
  const warnings: string[] = [];
  const { requests, outputBytes, busiestBin } = estimate;
  const eta = `about ${time(requests / RUN_LIMITS.requestsPerSecond)} to simulate`;
  if (!Number.isFinite(requests) || requests > RUN_LIMITS.refuseRequests) {
    problems.push(`it would simulate ${Number.isFinite(requests) ? `${count(requests)} requests (${eta})` : 'an endless stream of requests'}, more than the ${count(RUN_LIMITS.refuseRequests)} allowed: shorten duration or lower the arrival rate`);
  } else if (requests > RUN_LIMITS.warnRequests) warnings.push(`this run simulates ${count(requests)} requests: ${eta}`);
  if (outputBytes > RUN_LIMITS.refuseBytes) {
    problems.push(`it would write ${bytes(outputBytes)} of tables, more than the ${bytes(RUN_LIMITS.refuseBytes)} allowed: shorten duration, raise metrics.interval or turn off metrics.requests`);
  } else if (outputBytes > RUN_LIMITS.warnBytes) warnings.push(`this run writes about ${bytes(outputBytes)} of tables (raise metrics.interval or turn off metrics.requests for less)`);
  if (busiestBin !== undefined && busiestBin.count > RUN_LIMITS.refuseBinRequests) {
    problems.push(`the trace's bin at ${Number(busiestBin.time.toPrecision(6))} s into the run holds ${count(busiestBin.count)} requests, more than the ${count(RUN_LIMITS.refuseBinRequests)} one bin may hold (its arrival times are all held in memory): check the trace or its scale`);
  }
  if (problems.length > 0 && !force) throw new InputError(`refusing to run: ${problems.join('; ')} (--force runs it anyway)`);
  return force ? [...problems, ...warnings] : warnings;
}

/** Bytes of one requests.csv row, rounded up from the bundled scenarios' output. */
const REQUEST_ROW_BYTES = 70;

/**
 * The size of a run whose parties (a pipeline's workload, applications, services) each have their
 * own arrivals: their expected requests before `duration` (at most `cap` in all), the simulated
 * seconds (the duration, else the workloads' end, else how long the capped requests take to
 * arrive), and requests.csv if it is written. Kinds add the tables of their own.
 */
export function estimateArrivalsRun(arrivals: readonly ArrivalsSpec[], duration: number | undefined, cap: number | undefined, requestRows: boolean): RunEstimate {
  const parts = arrivals.map((a) => expectedArrivals(a, duration ?? Infinity));
  const requests = Math.min(parts.reduce((n, p) => n + p.requests, 0), cap ?? Infinity);
  const end = Math.max(...parts.map((p) => p.length ?? Infinity));
  const rate = arrivals.reduce((n, a) => n + (offeredRate(a) ?? NaN), 0);
  const busiest = parts.map((p) => p.busiestBin).filter((b) => b !== undefined);
  return {
    requests,
    seconds: duration ?? (Number.isFinite(end) ? end : requests / rate),
    outputBytes: requestRows ? requests * REQUEST_ROW_BYTES : 0,
    ...(busiest.length > 0 ? { busiestBin: busiest.reduce((a, b) => (b.count > a.count ? b : a)) } : {}),
  };
}
