import { InputError } from '../errors.js';
import type { RandomStreams } from '../engine/random.js';
import { traceFormat, type ArrivalsSpec } from './schema.js';
import { ConstantArrivals, CountTraceArrivals, MixArrivals, PoissonArrivals, TimestampArrivals, type ArrivalSource } from './arrivals.js';
import { generateTrace } from './generators.js';
import { readTimestampTrace, type TimestampTrace } from './timestamps.js';
import { readCountTrace, type CountTrace } from './trace.js';
import { compressTrace, dampTrace, scaleTrace, sliceTrace } from './transform.js';

export interface Workload {
  source: ArrivalSource;
  /** Names of the tenants that arrivals refer to by index. */
  tenantNames: string[];
  /** Seconds the workload lasts when it has a natural end (traces), else undefined. */
  length?: number;
  /** The counts the arrivals are expanded from (count traces and synthetic workloads), one per `bin` seconds. */
  counts?: CountTrace;
  bin?: number;
}

/**
 * The arrival source a scenario describes. Random draws come from the stream `name` (default
 * `arrivals`), and `workload` (or `<name>:workload`) for generated traces.
 */
export function buildWorkload(spec: ArrivalsSpec, streams: RandomStreams, name = 'arrivals'): Workload {
  const rng = streams.stream(name);
  switch (spec.kind) {
    case 'poisson':
      return { source: new PoissonArrivals(spec.rate, rng), tenantNames: ['default'] };
    case 'constant':
      return { source: new ConstantArrivals(spec.rate), tenantNames: ['default'] };
    case 'synthetic': {
      const counts = generateTrace({ ...spec, duration: spec.length }, streams.stream(name === 'arrivals' ? 'workload' : `${name}:workload`));
      return { source: new CountTraceArrivals(counts, spec.expand, rng), tenantNames: ['default'], length: counts.length, counts, bin: 1 };
    }
    case 'mix': {
      const parts = spec.tenants.map((t) => ({ t, w: buildWorkload(t.arrivals, streams, `${name}:${t.name}`) }));
      const lengths = parts.map((p) => p.w.length);
      return {
        source: new MixArrivals(parts.map(({ t, w }) => ({ source: w.source, slo: t.slo ?? NaN, priority: t.priority ?? NaN }))),
        tenantNames: spec.tenants.map((t) => t.name),
        length: lengths.some((l) => l === undefined) ? undefined : Math.max(...(lengths as number[])),
      };
    }
    case 'trace': {
      const format = traceFormat(spec);
      if (format === 'counts') {
        const counts = transformCounts(readCountTrace(spec.path), spec);
        return { source: new CountTraceArrivals(counts, spec.expand, rng, 0, spec.bin), tenantNames: ['default'], length: counts.length * spec.bin, counts, bin: spec.bin };
      }
      const trace = windowTimestamps(readTimestampTrace(spec.path), spec);
      return { source: new TimestampArrivals(trace), tenantNames: trace.tenantNames, length: trace.times[trace.times.length - 1] };
    }
  }
}

type TraceSpec = Extract<ArrivalsSpec, { kind: 'trace' }>;

function transformCounts(counts: CountTrace, spec: TraceSpec): CountTrace {
  const bins = (seconds: number, what: string) => {
    if (!Number.isInteger(seconds / spec.bin)) throw new InputError(`${spec.path}: ${what} (${seconds} s) must be a whole number of bins of ${spec.bin} s`);
    return seconds / spec.bin;
  };
  let out =
    spec.start > 0 || spec.duration !== undefined
      ? sliceTrace(counts, bins(spec.start, 'start'), spec.duration === undefined ? undefined : bins(spec.duration, 'duration'))
      : counts;
  if (spec.damping !== undefined) out = dampTrace(out, spec.damping);
  if (spec.rate !== undefined) {
    let total = 0;
    for (let i = 0; i < out.length; i++) total += out[i];
    if (total === 0) throw new InputError(`${spec.path}: the trace has no requests to scale to ${spec.rate}/s`);
    out = scaleTrace(out, (spec.rate * out.length * spec.bin) / total);
  }
  if (spec.scale !== 1) out = scaleTrace(out, spec.scale);
  if (spec.compress !== 1) out = compressTrace(out, spec.compress);
  return out;
}

function windowTimestamps(trace: TimestampTrace, spec: TraceSpec): TimestampTrace {
  if (spec.damping !== undefined || spec.scale !== 1 || spec.bin !== 1) {
    throw new InputError(`${spec.path}: damping, scale and bin apply to count traces, not to timestamp traces`);
  }
  const end = spec.duration === undefined ? Infinity : spec.start + spec.duration;
  const keep: number[] = [];
  for (let i = 0; i < trace.times.length; i++) if (trace.times[i] >= spec.start && trace.times[i] < end) keep.push(i);
  if (keep.length === 0) throw new InputError(`${spec.path}: no requests between ${spec.start}s and ${end}s`);
  // To a mean rate: squeeze or stretch time so that keep.length requests span keep.length / rate seconds.
  const span = trace.times[keep[keep.length - 1]] - spec.start;
  const toRate = spec.rate === undefined || span <= 0 ? 1 : (spec.rate * span) / keep.length;
  const speed = spec.compress * toRate;
  return {
    times: Float64Array.from(keep, (i) => (trace.times[i] - spec.start) / speed),
    tenants: Uint16Array.from(keep, (i) => trace.tenants[i]),
    tenantNames: trace.tenantNames,
    slos: trace.slos ? Float64Array.from(keep, (i) => trace.slos![i]) : undefined,
    priorities: trace.priorities ? Float64Array.from(keep, (i) => trace.priorities![i]) : undefined,
  };
}

/** What a workload will send, known before it runs: for sizing a run before it starts. */
export interface ArrivalsEstimate {
  /** Expected requests before `horizon` (random workloads: the mean). */
  requests: number;
  /** Seconds until the workload ends by itself (traces, synthetic workloads); undefined for endless ones. */
  length?: number;
  /** The most requests in one bin of a count trace, and when in the run it starts, seconds (expanding a bin holds all its times in memory). */
  busiestBin?: { time: number; count: number };
}

/** The requests a workload sends before `horizon` seconds, without drawing them (traces are read). */
export function expectedArrivals(spec: ArrivalsSpec, horizon: number): ArrivalsEstimate {
  switch (spec.kind) {
    case 'poisson':
    case 'constant':
      return { requests: spec.rate * horizon };
    case 'synthetic':
      return { requests: spec.rate * Math.min(horizon, spec.length), length: spec.length };
    case 'mix': {
      const parts = spec.tenants.map((t) => expectedArrivals(t.arrivals, horizon));
      const busiest = parts.map((p) => p.busiestBin).filter((b) => b !== undefined);
      const lengths = parts.map((p) => p.length);
      return {
        requests: parts.reduce((n, p) => n + p.requests, 0),
        ...(lengths.every((l) => l !== undefined) ? { length: Math.max(...lengths) } : {}),
        ...(busiest.length > 0 ? { busiestBin: busiest.reduce((a, b) => (b.count > a.count ? b : a)) } : {}),
      };
    }
    case 'trace': {
      const format = traceFormat(spec);
      if (format === 'timestamps') {
        const times = windowTimestamps(readTimestampTrace(spec.path), spec).times;
        let n = 0;
        while (n < times.length && times[n] < horizon) n++;
        return { requests: n, length: times.length > 0 ? times[times.length - 1] : 0 };
      }
      const counts = transformCounts(readCountTrace(spec.path), spec);
      let requests = 0;
      let busiest = { time: 0, count: 0 };
      for (let i = 0; i < counts.length && i * spec.bin < horizon; i++) {
        requests += counts[i];
        if (counts[i] > busiest.count) busiest = { time: i * spec.bin, count: counts[i] };
      }
      return { requests, busiestBin: busiest, length: counts.length * spec.bin };
    }
  }
}
