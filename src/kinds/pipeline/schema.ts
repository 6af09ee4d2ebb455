import { z } from 'zod';
import { AllocationSettingSchema } from '../../profiles/allocation.js';
import { oneOf, positiveInt, positiveNumber } from '../../config/fields.js';
import { duration, positiveDuration } from '../../config/units.js';
import { MetricsSchema } from '../../metrics/schema.js';
import { SERVICE_DISTRIBUTIONS } from '../../pipeline/service.js';
import { OVERFLOWS } from '../../pipeline/stage.js';
import { isMergeable } from '../../plugins/options.js';
import { ModuleRefSchema, type ModuleRef } from '../../plugins/modules.js';
import { MODULE_KIND, type PluginDefinition, type Registry } from '../../plugins/registry.js';
import { Arrivals } from '../../workload/schema.js';
import { BUILTIN_PLUGINS, type PipelinePlugins } from './plugins.js';

/**
 * The scenario format: one zod schema that is at once the validator (with
 * path-precise errors), the defaults, the TypeScript types and, through
 * `z.toJSONSchema`, the JSON Schema and the reference docs. Every object is
 * strict: an unknown key is an error, because a typo must not be ignored.
 */

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

/** The models the serving testbed's package ships (src/testbed/onnx.ts has their files): PaddleOCR v4's text detection, direction and recognition. */
export const SHIPPED_TESTBED_MODELS = ['paddleocr-det', 'paddleocr-cls', 'paddleocr-rec'] as const;

/** Whether a stage's `testbed.model` names a file (else a model the testbed ships). */
export function isModelFile(model: string): boolean {
  return !(SHIPPED_TESTBED_MODELS as readonly string[]).includes(model);
}

const stageSchema = (plugins: PipelinePlugins) => z.strictObject({
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
      discipline: namedPlugin(plugins.disciplines, 'order in which waiting requests are served').default('fcfs'),
      abandon: z.boolean().default(false).describe('drop a request taken from the queue when now + its expected service is past its deadline'),
    })
    .prefault({}),
  routing: namedPlugin(plugins.routers, 'which idle replica gets the next batch').default('round-robin'),
  service: Service.prefault({}),
  serviceByTenant: z
    .record(z.string(), Service)
    .optional()
    .describe('service time of the named tenants\' requests where they differ from `service` (tenant names from workload.arrivals); a batch takes as long as its slowest tenant\'s model'),
  testbed: z
    .strictObject({
      model: z.string().min(1).describe(`an ONNX file relative to the scenario, or a model the testbed package ships: ${SHIPPED_TESTBED_MODELS.join(', ')}`),
      input: z.string().regex(/^[^=\s]+=\d+(x\d+)*$/, { error: 'expected name=shape of one item, such as x=3x640x640' }).optional().describe("the model's input and one item's shape, name=3x640x640 (a shipped model's by default)"),
    })
    .optional()
    .describe('the real model this stage serves under `pipesim testbed run` (each replica a thread running it on `cores` threads); the simulator ignores it'),
});

/** Seconds a new replica takes to serve when neither the profile nor the scenario says. */
export const DEFAULT_LOAD_TIME = 5;
/** Seconds a removed replica keeps serving (IPA's disruption time). */
export const DEFAULT_DRAIN = 30;

const pipelineSchema = (plugins: PipelinePlugins) => z.strictObject({
  profile: z.string().min(1).optional().describe('model-variant profiles: a shipped pipeline (video, audio-qa, audio-sent, sum-qa, nlp) or a profile YAML file relative to the scenario. Stages then take their latency, cores and load time from their variant'),
  latency: oneOf(
    ['mean-p99', 'p99', 'mean'],
    'with a profile, how long a replica takes for a batch: mean-p99, a lognormal with the profiled mean and p99 of that batch size; p99 or mean, that profiled latency with the stage\'s service distribution around it',
  ).default('mean-p99'),
  allocation: AllocationSettingSchema.optional().describe(
    'with a profile whose variants are profiled at several replica sizes, how each variant\'s size is chosen: {rule: base, threshold} (IPA\'s base allocation) or {rule: fixed, cores} (default: the profile\'s)',
  ),
  dropLimit: positiveDuration('drop a request whose age reaches this, checked before and after each stage (default: the profile\'s dropLimit; none without a profile)').optional(),
  maxWaiting: positiveInt('most requests that may wait in one stage\'s queue: past it the run stops with an error naming the stage (arrivals faster than it serves would otherwise fill memory; a queue.capacity drops instead)').default(1_000_000),
  drain: duration('how long a removed replica keeps taking batches before it goes (it never leaves mid-batch)').prefault(DEFAULT_DRAIN),
  host: z
    .strictObject({
      cores: positiveNumber('cores of the machine'),
      interference: z
        .number({ error: 'expected a number >= 0' })
        .min(0, { error: 'expected a number >= 0' })
        .optional()
        .describe('slow-down of a batch per core the other batches keep busy: it runs 1 + interference x those cores times slower (shared caches, memory bandwidth, hyper-threads). Measure it with pipesim profile --alongside. Default 0'),
    })
    .nullable()
    .optional()
    .describe("one machine whose cores every stage's replicas share (as on the serving testbed): a batch in service keeps its replica's `cores` threads busy, and while busy threads outnumber the host's cores each runs at cores/threads of a core, so batches take longer (processor sharing); `interference` slows batches that run beside others. Absent or null: every replica has cores of its own"),
  loadTime: duration(`how long a new replica takes before it serves (default: the variant's loadTime in the profile, else ${DEFAULT_LOAD_TIME}s)`).optional(),
  stages: z.array(stageSchema(plugins)).min(1, { error: 'expected at least one stage' }),
});

/**
 * A plug-in named by a string (a registered kind, with its default options) or by a module file:
 * queue disciplines and routing policies, whose built-ins have no options.
 */
function namedPlugin(registry: Registry<PluginDefinition>, what: string) {
  const kinds = registry.definitions.map((d) => `${d.kind} (${d.description})`).join(', ');
  return z
    .union([z.enum(registry.kinds as [string, ...string[]]), ModuleRefSchema], { error: `expected one of ${registry.kinds.join(', ')}, or {kind: ${MODULE_KIND}, path: ...}` })
    .describe(`${what}: ${kinds}; or a plug-in module`);
}

/**
 * A plug-in with its options beside `kind`: each registered definition whose options are a zod
 * object merges them (so they are checked and documented with the scenario); a user's plug-in
 * with another schema keeps its options loose here, checked by its own schema when the scenario
 * is completed. Or a module file, with its options under `options`.
 */
/** How a union of plug-ins is typed: a kind and loose options (each member checks its own). */
type Slot = z.ZodObject<{ kind: z.ZodLiteral<string> }, z.core.$loose>;

function kindUnion(registry: Registry<PluginDefinition>, member: (d: PluginDefinition) => z.ZodObject, module: z.ZodObject) {
  const members = [...registry.definitions.map(member), module];
  return z.discriminatedUnion('kind', members as unknown as [Slot, ...Slot[]], {
    error: `expected a${/^[aeiou]/.test(registry.family) ? 'n' : ''} ${registry.family} with kind one of ${[...registry.kinds, MODULE_KIND].join(', ')}`,
  });
}

const margin = z.number().min(0).default(0).describe('safety margin: the forecast is multiplied by 1 + margin/100 (IPA: 0, or 20 for the audio pipelines)');

const adaptationSchema = (plugins: PipelinePlugins) =>
  z.strictObject({
    interval: positiveDuration('time between decisions; the first is one interval into the run').prefault(10),
    adapter: kindUnion(
      plugins.adapters,
      (a) => (isMergeable(a.options) ? a.options.extend({ kind: z.literal(a.kind) }) : z.looseObject({ kind: z.literal(a.kind) })).describe(a.description),
      ModuleRefSchema,
    ),
    predictor: kindUnion(
      plugins.predictors,
      (p) => (isMergeable(p.options) ? z.strictObject({ kind: z.literal(p.kind), ...p.options.shape, margin }) : z.looseObject({ kind: z.literal(p.kind), margin })).describe(p.description),
      ModuleRefSchema.extend({ margin }).describe(ModuleRefSchema.description as string),
    )
      .default({ kind: 'last-value', margin: 0 })
      .describe('load forecaster the adapter plans for'),
  });

const buildScenarioSchema = (plugins: PipelinePlugins) =>
  z
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
    pipeline: pipelineSchema(plugins),
    adaptation: adaptationSchema(plugins).optional().describe('reconfigure the pipeline as the run goes'),
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
      const discipline = stage.queue.discipline;
      if (stage.queue.overflow === 'drop-oldest' && typeof discipline === 'string' && !plugins.disciplines.get(discipline).fifo) {
        ctx.addIssue({ code: 'custom', message: `drop-oldest needs a first-come-first-served discipline (got ${discipline}): the oldest request is not at hand in a priority heap`, path: [...at, 'queue', 'overflow'] });
      }
      if (profiled && stage.serviceByTenant !== undefined) ctx.addIssue({ code: 'custom', message: 'per-tenant service times need a stage without pipeline.profile', path: [...at, 'serviceByTenant'] });
      if (profiled && stage.variant === undefined) ctx.addIssue({ code: 'custom', message: 'name the variant this stage starts with (pipeline.profile is set)', path: [...at, 'variant'] });
    });
    const adapter = s.adaptation?.adapter.kind;
    if (adapter !== undefined && !profiled && plugins.adapters.find(adapter)?.needsProfile) {
      ctx.addIssue({ code: 'custom', message: `adapter ${adapter} chooses among model variants: set pipeline.profile`, path: ['adaptation', 'adapter', 'kind'] });
    }
    const seen = new Set<string>();
    s.pipeline.stages.forEach((stage, i) => {
      if (stage.name === undefined) return;
      if (seen.has(stage.name)) ctx.addIssue({ code: 'custom', message: `duplicate stage name "${stage.name}"`, path: ['pipeline', 'stages', i, 'name'] });
      seen.add(stage.name);
    });
  });

/** The pipeline scenario schema with the built-in plug-ins: the one documented, and the one scenario types come from. */
export const ScenarioSchema = buildScenarioSchema(BUILTIN_PLUGINS);

const withExtras = new WeakMap<PipelinePlugins, typeof ScenarioSchema>();
/** The schema for a set of plug-ins (built-ins and a library user's own, given in code). */
export function scenarioSchema(plugins: PipelinePlugins): typeof ScenarioSchema {
  if (plugins === BUILTIN_PLUGINS) return ScenarioSchema;
  let schema = withExtras.get(plugins);
  if (schema === undefined) {
    schema = buildScenarioSchema(plugins);
    withExtras.set(plugins, schema);
  }
  return schema;
}

/** A scenario as written (durations may be strings). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A validated scenario: defaults filled, durations in seconds. */
export type Scenario = z.output<typeof ScenarioSchema>;
export type StageSpec = Scenario['pipeline']['stages'][number];
export type PredictorSpec = NonNullable<Scenario['adaptation']>['predictor'];
export type AdapterSpec = NonNullable<Scenario['adaptation']>['adapter'];
/** A plug-in slot's value as validated: a kind (with options beside it, or none) or a module reference. */
export type PluginSpec = string | ModuleRef | { kind: string; [option: string]: unknown };
