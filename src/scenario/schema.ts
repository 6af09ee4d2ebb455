import { z } from 'zod';
import { ADAPTERS } from '../adapters/registry.js';
import { EXPAND_MODES } from '../workload/arrivals.js';
import { TRACE_PATTERNS, GENERATOR_DEFAULTS } from '../workload/generators.js';
import { SERVICE_DISTRIBUTIONS } from '../pipeline/service.js';
import { DISCIPLINES } from '../pipeline/discipline.js';
import { OVERFLOWS, ROUTINGS } from '../pipeline/stage.js';
import { duration, positiveDuration } from './units.js';

/**
 * The scenario format: one zod schema that is at once the validator (with
 * path-precise errors), the defaults, the TypeScript types and, through
 * `z.toJSONSchema`, the JSON Schema and the reference docs. Every object is
 * strict: an unknown key is an error, because a typo must not be ignored.
 */

function wholeSeconds(what: string) {
  return duration(what).refine((s) => Number.isInteger(s), { error: 'expected a whole number of seconds' });
}

export const positiveInt = (what: string) =>
  z.number({ error: 'expected a positive integer' }).int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive integer' }).describe(what);

export const positiveNumber = (what: string) =>
  z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }).describe(what);

const rate = () => positiveNumber('mean arrival rate, requests per second');

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
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
          priority: z.number().int().nonnegative().optional().describe('priority class of its requests, 0 first (default 0)'),
          arrivals: SingleArrivals,
        }),
      )
      .min(1, { error: 'expected at least one tenant' }),
  })
  .describe('Several tenants, each with its own arrivals, SLO and priority, merged in time order.');

export const Arrivals = z.discriminatedUnion('kind', [PoissonArrivals, ConstantArrivals, TraceArrivals, SyntheticArrivals, MixArrivals], {
  error: 'expected arrivals with kind one of poisson, constant, trace, synthetic, mix',
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
    perItem: duration('added to the mean for each request beyond the first in a batch').prefault(0),
    cv: z.number({ error: 'expected a number >= 0' }).nonnegative({ error: 'expected a number >= 0' }).optional().describe('coefficient of variation (std/mean), lognormal only'),
    profile: Profile.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.mean !== undefined && s.profile !== undefined) ctx.addIssue({ code: 'custom', message: 'give exactly one of mean or profile', path: [] });
    if (s.dist === 'lognormal' && s.cv === undefined) ctx.addIssue({ code: 'custom', message: 'lognormal needs cv', path: ['cv'] });
    if (s.dist !== 'lognormal' && s.cv !== undefined) ctx.addIssue({ code: 'custom', message: `cv applies to lognormal only, not ${s.dist}`, path: ['cv'] });
  })
  .describe('service time of one batch on one replica: a mean, a latency table (profile), or, under pipeline.profile, only the spread (dist, cv) around the profiled latency');

const StageSchema = z.strictObject({
  name: z.string().min(1).optional().describe('stage name (default: stage1, stage2, ...)'),
  replicas: positiveInt('number of replicas (at most 100,000)').max(100_000, { error: 'expected at most 100000 replicas' }).default(1),
  cores: positiveNumber('CPU cores per replica (used by latency tables and cost; under pipeline.profile, the variant\'s cores apply)').default(1),
  variant: z.string().optional().describe('model variant: under pipeline.profile, a variant of this stage in the profile (its latency, cores and load time apply); otherwise a label'),
  batch: z
    .strictObject({
      max: positiveInt('largest batch').default(1),
      timeout: duration('longest the oldest queued request waits for a batch to fill').prefault(0),
    })
    .prefault({})
    .describe('batching: a batch leaves when it is full or its oldest request has waited timeout'),
  queue: z
    .strictObject({
      capacity: positiveInt('most requests waiting (null: unbounded)').nullable().default(null),
      overflow: oneOf(OVERFLOWS, 'which request is dropped when the queue is full').default('drop-newest'),
      dropExpired: z.boolean().default(false).describe('drop requests whose deadline has passed when a batch is formed'),
      discipline: oneOf(DISCIPLINES, 'order in which waiting requests are served: fcfs (arrival), sjf (shortest expected service of the request\'s model), edf (earliest deadline), priority (class 0 first); ties by arrival').default('fcfs'),
      abandon: z.boolean().default(false).describe('drop a request taken from the queue when now + its expected service is past its deadline'),
    })
    .prefault({}),
  routing: oneOf(ROUTINGS, 'which idle replica gets the next batch').default('round-robin'),
  service: Service.prefault({}),
  serviceByTenant: z
    .record(z.string(), Service)
    .optional()
    .describe('service time of the named tenants\' requests where they differ from `service` (tenant names from workload.arrivals); a batch takes as long as its slowest tenant\'s model'),
});

const MetricsFields = z.strictObject({
  warmup: duration('requests arriving before this are left out of the summary').prefault(0),
  interval: positiveDuration('length of one time-series row').prefault(1),
  sketchAccuracy: z.number().gt(0).lt(0.5).default(0.01).describe('relative accuracy of latency quantiles (DDSketch)'),
  requests: z.boolean().default(false).describe('also write every request to requests.csv'),
});

export const MetricsSchema = MetricsFields.prefault({});
/** Serverless runs report per plan interval, so they have no time-series interval of their own. */
export const ServerlessMetricsSchema = MetricsFields.omit({ interval: true }).prefault({});

/** Seconds a new replica takes to serve when neither the profile nor the scenario says. */
export const DEFAULT_LOAD_TIME = 5;
/** Seconds a removed replica keeps serving (IPA's disruption time). */
export const DEFAULT_DRAIN = 30;

const PipelineSchema = z.strictObject({
  profile: z.string().min(1).optional().describe('model-variant profiles: a shipped pipeline (video, audio-qa, audio-sent, sum-qa, nlp) or a profile YAML file relative to the scenario. Stages then take their latency, cores and load time from their variant'),
  latency: oneOf(
    ['mean-p99', 'p99', 'mean'],
    'with a profile, how long a replica takes for a batch: mean-p99, a lognormal with the profiled mean and p99 of that batch size; p99 or mean, that profiled latency with the stage\'s service distribution around it',
  ).default('mean-p99'),
  dropLimit: positiveDuration('drop a request whose age reaches this, checked before and after each stage (default: the profile\'s dropLimit; none without a profile)').optional(),
  drain: duration('how long a removed replica keeps taking batches before it goes (it never leaves mid-batch)').prefault(DEFAULT_DRAIN),
  loadTime: duration(`how long a new replica takes before it serves (default: the variant's loadTime in the profile, else ${DEFAULT_LOAD_TIME}s)`).optional(),
  stages: z.array(StageSchema).min(1, { error: 'expected at least one stage' }),
});

const margin = z.number().min(0).default(0).describe('safety margin: the forecast is multiplied by 1 + margin/100 (IPA: 0, or 20 for the audio pipelines)');
const PredictorSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('lstm'),
      model: z.string().min(1).optional().describe('folder of a model saved by `pipesim predictor train`, relative to the scenario (default: the shipped models/ipa-lstm)'),
      margin,
    }).describe('IPA\'s LSTM: the peak rate of the next 20 s from the last 2 minutes'),
    z.strictObject({ kind: z.literal('last-value'), margin }).describe('the rate of the last second (IPA\'s "reactive" predictor)'),
    z.strictObject({ kind: z.literal('moving-max'), window: positiveDuration('window').prefault(20), margin }).describe('the peak rate of the last window'),
    z.strictObject({ kind: z.literal('ewma'), alpha: z.number().gt(0).max(1).default(0.1).describe('weight of the newest second'), margin }).describe('exponentially weighted moving average'),
    z.strictObject({ kind: z.literal('oracle'), horizon: positiveDuration('seconds ahead').prefault(20), margin }).describe('the true peak of the coming horizon, read from the trace (an upper bound for experiments; count traces only)'),
  ],
  { error: 'expected a predictor with kind one of lstm, last-value, moving-max, ewma, oracle' },
);

const AdapterSchema = z.discriminatedUnion(
  'kind',
  ADAPTERS.map((a) => a.options.extend({ kind: z.literal(a.kind) }).describe(a.description)) as unknown as readonly [z.ZodObject<{ kind: z.ZodLiteral<string> }>, ...z.ZodObject<{ kind: z.ZodLiteral<string> }>[]],
  { error: `expected an adapter with kind one of ${ADAPTERS.map((a) => a.kind).join(', ')}` },
);

const AdaptationSchema = z.strictObject({
  interval: positiveDuration('time between decisions; the first is one interval into the run').prefault(10),
  adapter: AdapterSchema,
  predictor: PredictorSchema.default({ kind: 'last-value', margin: 0 }).describe('load forecaster the adapter plans for'),
});

export const ScenarioSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe('run name (default: the scenario file name)'),
    seed: z.number({ error: 'expected a non-negative integer' }).int({ error: 'expected a non-negative integer' }).nonnegative({ error: 'expected a non-negative integer' }).default(1).describe('run seed; every random stream derives from it'),
    duration: positiveDuration('simulated time; default: until the workload ends and the pipeline drains').optional(),
    slo: positiveDuration('end-to-end latency SLO of every request (a trace\'s per-request slo overrides it)').optional(),
    metrics: MetricsSchema,
    workload: z.strictObject({
      arrivals: Arrivals,
      requests: positiveInt('stop arrivals after this many requests').optional(),
    }),
    pipeline: PipelineSchema,
    adaptation: AdaptationSchema.optional().describe('reconfigure the pipeline as the run goes'),
  })
  .superRefine((s, ctx) => {
    if (s.duration !== undefined && s.metrics.warmup >= s.duration) {
      ctx.addIssue({ code: 'custom', message: `the warm-up (${s.metrics.warmup} s) must be shorter than the duration (${s.duration} s)`, path: ['metrics', 'warmup'] });
    }
    const arrivals = s.workload.arrivals;
    const endless = (kind: string) => kind === 'poisson' || kind === 'constant';
    const kind = arrivals.kind === 'mix' ? arrivals.tenants.map((t) => t.arrivals.kind).find(endless) : arrivals.kind;
    if (kind !== undefined && endless(kind) && s.duration === undefined && s.workload.requests === undefined) {
      ctx.addIssue({ code: 'custom', message: `${kind} arrivals never end: set duration or workload.requests`, path: ['duration'] });
    }
    if (arrivals.kind === 'mix') {
      const names = arrivals.tenants.map((t) => t.name);
      names.forEach((name, i) => {
        if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', message: `duplicate tenant name "${name}"`, path: ['workload', 'arrivals', 'tenants', i, 'name'] });
      });
    }
    const profiled = s.pipeline.profile !== undefined;
    s.pipeline.stages.forEach((stage, i) => {
      const at = ['pipeline', 'stages', i];
      const given = stage.service.mean !== undefined || stage.service.profile !== undefined;
      if (profiled && given) ctx.addIssue({ code: 'custom', message: 'the latency comes from pipeline.profile: give only dist and cv here', path: [...at, 'service'] });
      if (profiled && s.pipeline.latency === 'mean-p99' && (stage.service.dist !== 'deterministic' || stage.service.cv !== undefined)) {
        ctx.addIssue({ code: 'custom', message: 'pipeline.latency mean-p99 draws from the profile\'s own spread: set pipeline.latency to mean or p99 to choose a distribution', path: [...at, 'service'] });
      }
      if (!profiled && !given) ctx.addIssue({ code: 'custom', message: 'give exactly one of mean or profile (or set pipeline.profile)', path: [...at, 'service'] });
      for (const [tenant, service] of Object.entries(stage.serviceByTenant ?? {})) {
        if (service.mean === undefined && service.profile === undefined) ctx.addIssue({ code: 'custom', message: 'give exactly one of mean or profile', path: [...at, 'serviceByTenant', tenant] });
      }
      if (stage.queue.overflow === 'drop-oldest' && stage.queue.discipline !== 'fcfs') {
        ctx.addIssue({ code: 'custom', message: `drop-oldest needs the fcfs discipline (got ${stage.queue.discipline}): the oldest request is not at hand in a priority heap`, path: [...at, 'queue', 'overflow'] });
      }
      if (profiled && stage.serviceByTenant !== undefined) ctx.addIssue({ code: 'custom', message: 'per-tenant service times need a stage without pipeline.profile', path: [...at, 'serviceByTenant'] });
      if (profiled && stage.variant === undefined) ctx.addIssue({ code: 'custom', message: 'name the variant this stage starts with (pipeline.profile is set)', path: [...at, 'variant'] });
    });
    const adapter = s.adaptation?.adapter.kind;
    if (adapter !== undefined && !profiled && ADAPTERS.find((a) => a.kind === adapter)?.needsProfile) {
      ctx.addIssue({ code: 'custom', message: `adapter ${adapter} chooses among model variants: set pipeline.profile`, path: ['adaptation', 'adapter', 'kind'] });
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
export type PredictorSpec = NonNullable<Scenario['adaptation']>['predictor'];
