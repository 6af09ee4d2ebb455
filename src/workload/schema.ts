import { z } from 'zod';
import { oneOf, positiveNumber, wholeSeconds } from '../config/fields.js';
import { positiveDuration } from '../config/units.js';
import { EXPAND_MODES } from './arrivals.js';
import { GENERATOR_DEFAULTS, TRACE_PATTERNS } from './generators.js';
import { MAX_PRIORITY } from './timestamps.js';

/** The schema of a scenario's arrivals (`workload.arrivals`, and each application's or service's in the other kinds). */

const rate = () => positiveNumber('mean arrival rate, requests per second');

const expand = oneOf(
  EXPAND_MODES,
  'how a second\'s count becomes arrival times: poisson (a Poisson process: exponential gaps of mean 1/n from the second\'s start), ipa (IPA\'s load generator: n independent exponential offsets of mean 1/n from the second\'s start, so requests bunch at its start), uniform (independent uniform times), even (evenly spaced)',
).default('poisson');

const PoissonArrivals = z
  .strictObject({ kind: z.literal('poisson'), rate: rate() })
  .describe('A Poisson process: exponential inter-arrival times.');

const ConstantArrivals = z
  .strictObject({ kind: z.literal('constant'), rate: rate() })
  .describe('Evenly spaced arrivals, the first at time 0.');

const TraceArrivals = z
  .strictObject({
    kind: z.literal('trace'),
    path: z.string({ error: 'expected a file path' }).min(1).describe('trace file, relative to the scenario file'),
    format: oneOf(['counts', 'timestamps'], 'counts: per-second counts (Twitter/IPA style); timestamps: CSV with a time column (optionally tenant, slo). Default: timestamps for .csv files, counts otherwise').optional(),
    expand,
    bin: positiveDuration('counts traces: the time each count covers (per-second traces 1s, per-minute traces 1m)').prefault(1),
    start: wholeSeconds('first second of the trace to replay (counts traces: a whole number of bins)').prefault(0),
    duration: wholeSeconds('seconds of the trace to replay from start (default: to its end)').optional(),
    damping: positiveNumber('IPA damping: each count becomes floor(count / damping); IPA uses 8').optional(),
    scale: z.number({ error: 'expected a number >= 0' }).nonnegative({ error: 'expected a number >= 0' }).describe('multiply every count (cumulative rounding keeps the total)').default(1),
    rate: positiveNumber('scale the trace so that its mean rate is this, requests per second (after start, duration and damping; before scale)').optional(),
    compress: positiveNumber('play the trace this many times faster (counts of compressed seconds are summed)').default(1),
  })
  .describe('Replay a trace file.');

export const SyntheticArrivals = z
  .strictObject({
    kind: z.literal('synthetic'),
    pattern: oneOf(TRACE_PATTERNS, 'shape of the rate curve'),
    rate: rate(),
    length: wholeSeconds('length of the generated trace').prefault(3600),
    expand,
    burstFactor: positiveNumber('bursty: rate multiplier in a burst').default(GENERATOR_DEFAULTS.burstFactor),
    burstInterval: positiveDuration('bursty: mean time between bursts').prefault(GENERATOR_DEFAULTS.burstInterval),
    burstLength: positiveDuration('bursty: mean burst length').prefault(GENERATOR_DEFAULTS.burstLength),
    amplitude: z.number({ error: 'expected a number from 0 to 1' }).min(0, { error: 'expected a number from 0 to 1' }).max(1, { error: 'expected a number from 0 to 1' }).describe('fluctuating: relative amplitude of the swings').default(GENERATOR_DEFAULTS.amplitude),
    period: positiveDuration('fluctuating/diurnal: period of the main cycle (default 300s fluctuating, 1d diurnal)').optional(),
    peakToTrough: z.number({ error: 'expected a number >= 1' }).min(1, { error: 'expected a number >= 1' }).describe('diurnal: peak rate over trough rate').default(GENERATOR_DEFAULTS.peakToTrough),
  })
  .describe('A per-second count trace generated from a seeded pattern, then expanded like a trace.');

/** The arrivals of one application. */
export const SingleArrivals = z.discriminatedUnion('kind', [PoissonArrivals, ConstantArrivals, TraceArrivals, SyntheticArrivals], {
  error: 'expected arrivals with kind one of poisson, constant, trace, synthetic',
});

const MixArrivals = z
  .strictObject({
    kind: z.literal('mix'),
    tenants: z
      .array(
        z.strictObject({
          name: z.string().min(1).describe('tenant (application) name, as results report it'),
          slo: positiveDuration('latency SLO of this tenant\'s requests (default: the scenario\'s slo)').optional(),
          priority: z.number().int().nonnegative().max(MAX_PRIORITY).optional().describe('priority class of its requests, 0 first (default 0)'),
          arrivals: SingleArrivals,
        }),
      )
      .min(1, { error: 'expected at least one tenant' }),
  })
  .describe('Several tenants, each with its own arrivals, SLO and priority, merged in time order.');

export const Arrivals = z.discriminatedUnion('kind', [PoissonArrivals, ConstantArrivals, TraceArrivals, SyntheticArrivals, MixArrivals], {
  error: 'expected arrivals with kind one of poisson, constant, trace, synthetic, mix',
});

export type ArrivalsSpec = z.output<typeof Arrivals>;

/** A trace's format: as given, else timestamps for a .csv file and per-second counts for any other. */
export function traceFormat(spec: { format?: 'counts' | 'timestamps'; path: string }): 'counts' | 'timestamps' {
  return spec.format ?? (spec.path.toLowerCase().endsWith('.csv') ? 'timestamps' : 'counts');
}
export type SingleArrivalsSpec = z.output<typeof SingleArrivals>;
