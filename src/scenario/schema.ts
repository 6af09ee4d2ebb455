import { z } from 'zod';
import { EXPAND_MODES } from '../workload/arrivals.js';
import { TRACE_PATTERNS, GENERATOR_DEFAULTS } from '../workload/generators.js';
import { SERVICE_DISTRIBUTIONS } from '../pipeline/service.js';
import { OVERFLOWS, ROUTINGS } from '../pipeline/stage.js';
import { DURATION_PATTERN, parseDuration } from './units.js';

/**
 * The scenario format: one zod schema that is at once the validator (with
 * path-precise errors), the defaults, the TypeScript types and, through
 * `z.toJSONSchema`, the JSON Schema and the reference docs. Every object is
 * strict: an unknown key is an error, because a typo must not be ignored.
 */

const DURATION_HINT = 'a duration such as 250ms, 10s, 2m or 1h, or a number of seconds';

function duration(what: string) {
  return z
    .union(
      [
        z.number({ error: `expected ${DURATION_HINT}` }).nonnegative({ error: 'expected a duration >= 0' }),
        z.string({ error: `expected ${DURATION_HINT}` }).regex(DURATION_PATTERN, { error: `expected ${DURATION_HINT}` }),
      ],
      { error: `expected ${DURATION_HINT}` },
    )
    .transform((v) => parseDuration(v))
    .describe(what);
}

function positiveDuration(what: string) {
  return duration(what).refine((s) => s > 0, { error: 'expected a duration greater than zero' });
}

function wholeSeconds(what: string) {
  return duration(what).refine((s) => Number.isInteger(s), { error: 'expected a whole number of seconds' });
}

const positiveInt = (what: string) =>
  z.number({ error: 'expected a positive integer' }).int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive integer' }).describe(what);

const positiveNumber = (what: string) =>
  z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }).describe(what);

const rate = () => positiveNumber('mean arrival rate, requests per second');

const oneOf = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` }).describe(what);

const expand = oneOf(
  EXPAND_MODES,
  'how a second\'s count becomes arrival times: poisson (exponential gaps of mean 1/n from the second\'s start, as IPA\'s load generator), uniform (independent uniform times), even (evenly spaced)',
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
    start: wholeSeconds('first second of the trace to replay (counts traces)').default(0),
    duration: wholeSeconds('seconds of the trace to replay from start (default: to its end)').optional(),
    damping: positiveNumber('IPA damping: each count becomes floor(count / damping); IPA uses 8').optional(),
    scale: z.number({ error: 'expected a number >= 0' }).nonnegative({ error: 'expected a number >= 0' }).describe('multiply every count (cumulative rounding keeps the total)').default(1),
    compress: positiveNumber('play the trace this many times faster (counts of compressed seconds are summed)').default(1),
  })
  .describe('Replay a trace file.');

const SyntheticArrivals = z
  .strictObject({
    kind: z.literal('synthetic'),
    pattern: oneOf(TRACE_PATTERNS, 'shape of the rate curve'),
    rate: rate(),
    length: wholeSeconds('length of the generated trace').default(3600),
    expand,
    burstFactor: positiveNumber('bursty: rate multiplier in a burst').default(GENERATOR_DEFAULTS.burstFactor),
    burstInterval: positiveDuration('bursty: mean time between bursts').default(GENERATOR_DEFAULTS.burstInterval),
    burstLength: positiveDuration('bursty: mean burst length').default(GENERATOR_DEFAULTS.burstLength),
    amplitude: z.number().min(0).max(1).describe('fluctuating: relative amplitude of the swings').default(GENERATOR_DEFAULTS.amplitude),
    period: positiveDuration('fluctuating/diurnal: period of the main cycle (default 300s fluctuating, 1d diurnal)').optional(),
    peakToTrough: z.number().min(1).describe('diurnal: peak rate over trough rate').default(GENERATOR_DEFAULTS.peakToTrough),
  })
  .describe('A per-second count trace generated from a seeded pattern, then expanded like a trace.');

const Arrivals = z.discriminatedUnion('kind', [PoissonArrivals, ConstantArrivals, TraceArrivals, SyntheticArrivals], {
  error: 'expected arrivals with kind one of poisson, constant, trace, synthetic',
});

const ProfilePoint = z.strictObject({
  batch: positiveInt('batch size'),
  cores: positiveNumber('cores of the replica that measured it').default(1),
  latency: positiveDuration('latency of the whole batch'),
});

const Profile = z
  .strictObject({
    points: z.array(ProfilePoint).min(1).optional().describe('measured points'),
    path: z.string().min(1).optional().describe('CSV with columns batch, cores, latency (seconds), relative to the scenario file'),
  })
  .refine((p) => (p.points === undefined) !== (p.path === undefined), { error: 'give exactly one of points or path' })
  .describe('latency(batch, cores) table: linear in batch between points, linear in 1/cores between core counts');

const Service = z
  .strictObject({
    dist: oneOf(SERVICE_DISTRIBUTIONS, 'distribution of a batch\'s service time around its mean').default('deterministic'),
    mean: positiveDuration('mean service time of a batch of one').optional(),
    perItem: duration('added to the mean for each request beyond the first in a batch').default(0),
    cv: z.number({ error: 'expected a number >= 0' }).nonnegative({ error: 'expected a number >= 0' }).optional().describe('coefficient of variation (std/mean), lognormal only'),
    profile: Profile.optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.mean === undefined) === (s.profile === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of mean or profile', path: [] });
    }
    if (s.dist === 'lognormal' && s.cv === undefined) ctx.addIssue({ code: 'custom', message: 'lognormal needs cv', path: ['cv'] });
    if (s.dist !== 'lognormal' && s.cv !== undefined) ctx.addIssue({ code: 'custom', message: `cv applies to lognormal only, not ${s.dist}`, path: ['cv'] });
  })
  .describe('service time of one batch on one replica');

const StageSchema = z.strictObject({
  name: z.string().min(1).optional().describe('stage name (default: stage1, stage2, ...)'),
  replicas: positiveInt('number of replicas').default(1),
  cores: positiveNumber('CPU cores per replica (used by profile lookups and cost)').default(1),
  variant: z.string().optional().describe('model variant label, reported in results'),
  batch: z
    .strictObject({
      max: positiveInt('largest batch').default(1),
      timeout: duration('longest the oldest queued request waits for a batch to fill').default(0),
    })
    .prefault({})
    .describe('batching: a batch leaves when it is full or its oldest request has waited timeout'),
  queue: z
    .strictObject({
      capacity: positiveInt('most requests waiting (null: unbounded)').nullable().default(null),
      overflow: oneOf(OVERFLOWS, 'which request is dropped when the queue is full').default('drop-newest'),
      dropExpired: z.boolean().default(false).describe('drop requests whose deadline has passed when a batch is formed'),
    })
    .prefault({}),
  routing: oneOf(ROUTINGS, 'which idle replica gets the next batch').default('round-robin'),
  service: Service,
});

export const ScenarioSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe('run name (default: the scenario file name)'),
    seed: z.number({ error: 'expected a non-negative integer' }).int({ error: 'expected a non-negative integer' }).nonnegative({ error: 'expected a non-negative integer' }).default(1).describe('run seed; every random stream derives from it'),
    duration: positiveDuration('simulated time; default: until the workload ends and the pipeline drains').optional(),
    slo: positiveDuration('end-to-end latency SLO of every request (a trace\'s per-request slo overrides it)').optional(),
    metrics: z
      .strictObject({
        warmup: duration('requests arriving before this are left out of the summary').default(0),
        interval: positiveDuration('length of one time-series row').default(1),
        sketchAccuracy: z.number().gt(0).lt(0.5).default(0.01).describe('relative accuracy of latency quantiles (DDSketch)'),
        requests: z.boolean().default(false).describe('also write every request to requests.csv'),
      })
      .prefault({}),
    workload: z.strictObject({
      arrivals: Arrivals,
      requests: positiveInt('stop arrivals after this many requests').optional(),
    }),
    pipeline: z.strictObject({
      stages: z.array(StageSchema).min(1, { error: 'expected at least one stage' }),
    }),
  })
  .superRefine((s, ctx) => {
    if (s.duration !== undefined && s.metrics.warmup >= s.duration) {
      ctx.addIssue({ code: 'custom', message: `the warm-up (${s.metrics.warmup} s) must be shorter than the duration (${s.duration} s)`, path: ['metrics', 'warmup'] });
    }
    const kind = s.workload.arrivals.kind;
    if ((kind === 'poisson' || kind === 'constant') && s.duration === undefined && s.workload.requests === undefined) {
      ctx.addIssue({ code: 'custom', message: `${kind} arrivals never end: set duration or workload.requests`, path: ['duration'] });
    }
    const seen = new Set<string>();
    s.pipeline.stages.forEach((stage, i) => {
      if (stage.name === undefined) return;
      if (seen.has(stage.name)) ctx.addIssue({ code: 'custom', message: `duplicate stage name "${stage.name}"`, path: ['pipeline', 'stages', i, 'name'] });
      seen.add(stage.name);
    });
  });

/** A scenario as written (durations may be strings). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A validated scenario: defaults filled, durations in seconds. */
export type Scenario = z.output<typeof ScenarioSchema>;
export type StageSpec = Scenario['pipeline']['stages'][number];
export type ArrivalsSpec = Scenario['workload']['arrivals'];
