import { z } from 'zod';
import { SERVERLESS_ADAPTERS } from '../../adapters/harmonybatch/adapters.js';
import { oneOf, positiveNumber } from '../../config/fields.js';
import { duration, positiveDuration } from '../../config/units.js';
import { ServerlessMetricsSchema } from '../../metrics/schema.js';
import { SingleArrivals, traceFormat } from '../../workload/schema.js';

/**
 * Serverless scenarios: applications, each with its SLO and its own arrivals, served by
 * serverless functions (HarmonyBatch's CPU and GPU functions) as a planner groups them.
 * A scenario is one of these when it has a `serverless` key.
 */

const AppSchema = z.strictObject({
  name: z.string().min(1).optional().describe('application name (default: app0, app1, ...)'),
  slo: positiveDuration('latency SLO of every request of this application'),
  rate: positiveNumber('rate to plan the first interval for (default: the arrivals\' expected rate over it)').optional(),
  arrivals: SingleArrivals,
});

const AdapterSchema = z.discriminatedUnion(
  'kind',
  SERVERLESS_ADAPTERS.map((a) => a.options.extend({ kind: z.literal(a.kind) }).describe(a.description)) as unknown as readonly [
    z.ZodObject<{ kind: z.ZodLiteral<string> }>,
    ...z.ZodObject<{ kind: z.ZodLiteral<string> }>[],
  ],
  { error: `expected an adapter with kind one of ${SERVERLESS_ADAPTERS.map((a) => a.kind).join(', ')}` },
);

export const ServerlessScenarioSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe('run name (default: the scenario file name)'),
    seed: z.number().int().nonnegative().default(1).describe('run seed; every random stream derives from it'),
    duration: positiveDuration('simulated time; default: until every application\'s workload ends and the functions finish').optional(),
    metrics: ServerlessMetricsSchema,
    serverless: z.strictObject({
      model: z.string().min(1).describe('model of the function catalog: VGG19, Bert, GPT-2 or VideoMAE in the shipped one'),
      catalog: z.string().min(1).optional().describe('a function catalog file in the format of profiles/serverless/harmonybatch.yaml, relative to the scenario (default: the shipped one)'),
      serviceTime: oneOf(
        ['normal', 'lognormal'],
        'how an invocation\'s duration is drawn from the average and tail latency of its batch: normal (mean the average, sd (tail - average) / 2.33, clipped at 0: HarmonyBatch\'s own simulator) or lognormal (that mean, the tail as its p99)',
      ).default('normal'),
      coldStart: duration('delay before a new function instance runs its first batch').prefault(0),
      keepAlive: duration('how long an idle instance stays warm').prefault(600),
      apps: z.array(AppSchema).min(1, { error: 'expected at least one application' }),
    }),
    adaptation: z
      .strictObject({
        interval: positiveDuration('time between plans').prefault(60),
        adapter: AdapterSchema.prefault({ kind: 'harmony' }),
        rates: oneOf(['oracle', 'observed'], 'the rates each plan is for: oracle, each application\'s expected rate over the coming interval (what HarmonyBatch\'s experiments do); observed, its rate over the interval just ended').default('oracle'),
      })
      .prefault({}),
  })
  .superRefine((s, ctx) => {
    if (s.duration !== undefined && s.metrics.warmup >= s.duration) {
      ctx.addIssue({ code: 'custom', message: `the warm-up (${s.metrics.warmup} s) must be shorter than the duration (${s.duration} s)`, path: ['metrics', 'warmup'] });
    }
    const seen = new Set<string>();
    s.serverless.apps.forEach((app, i) => {
      const kind = app.arrivals.kind;
      if ((kind === 'poisson' || kind === 'constant') && s.duration === undefined) {
        ctx.addIssue({ code: 'custom', message: `${kind} arrivals never end: set duration`, path: ['serverless', 'apps', i, 'arrivals'] });
      }
      const a = app.arrivals;
      if (a.kind === 'trace' && traceFormat(a) === 'timestamps' && s.adaptation.rates === 'oracle') {
        ctx.addIssue({ code: 'custom', message: 'a timestamp trace cannot tell the coming interval\'s rate: set adaptation.rates: observed', path: ['serverless', 'apps', i, 'arrivals'] });
      }
      if (app.name === undefined) return;
      if (seen.has(app.name)) ctx.addIssue({ code: 'custom', message: `duplicate application name "${app.name}"`, path: ['serverless', 'apps', i, 'name'] });
      seen.add(app.name);
    });
  });

export type ServerlessScenario = z.output<typeof ServerlessScenarioSchema>;
export type ServerlessAppSpec = ServerlessScenario['serverless']['apps'][number];
