import { z } from 'zod';
import { oneOf, positiveInt } from '../../config/fields.js';
import { positiveDuration } from '../../config/units.js';
import { ServerlessMetricsSchema } from '../../metrics/schema.js';
import { SingleArrivals } from '../../workload/schema.js';

/**
 * Accelerator scenarios: DNN services sharing one device (Abacus's setting). Each service
 * sends queries of one model and batch size with its own arrivals and QoS target; a policy
 * decides what runs next and what runs together. A scenario is one of these when it has an
 * `accelerator` key.
 */

export const ACCELERATOR_POLICIES = ['fcfs', 'sjf', 'edf', 'headroom'] as const;

const ServiceSchema = z.strictObject({
  name: z.string().min(1).optional().describe('service name (default: its model)'),
  model: z.string().min(1).describe('a model of the catalog (shipped: resnet50, resnet101, resnet152, inception_v3, vgg16, vgg19, bert)'),
  batch: positiveInt('samples per query').default(1),
  slo: positiveDuration('QoS target: a query is late when its latency exceeds this'),
  arrivals: SingleArrivals,
});

export const AcceleratorScenarioSchema = z
  .strictObject({
    name: z.string().min(1).optional().describe('run name (default: the scenario file name)'),
    seed: z.number().int().nonnegative().default(1).describe('run seed; every random stream derives from it'),
    duration: positiveDuration('simulated time (default: until the queries are served)').optional(),
    queries: positiveInt('stop arrivals after this many queries in all (Abacus: 1000)').optional(),
    metrics: ServerlessMetricsSchema,
    accelerator: z.strictObject({
      catalog: z.string().min(1).optional().describe('model catalog file, relative to the scenario (default: profiles/abacus/models.yaml)'),
      policy: oneOf(
        ACCELERATOR_POLICIES,
        'fcfs, sjf (shortest solo latency), edf (earliest deadline): launch the next query whenever fewer than maxConcurrent run, co-located with whatever runs; headroom: when the device is free, launch the query with the least headroom with the co-runners whose predicted group latency still fits every member\'s deadline (Abacus\'s controller)',
      ),
      abandon: z.boolean().default(false).describe('drop a query when it is taken from the queue if now + its solo latency is past its deadline'),
      maxConcurrent: positiveInt('most queries running at once (default: the number of services)').optional(),
      interference: z
        .strictObject({
          alpha: z.number().nonnegative().default(1).describe('default model: slowdown = 1 + alpha x the co-runners\' summed solo utilisation'),
          measured: z
            .array(z.strictObject({ models: z.array(z.string()).min(2), slowdown: z.array(z.number().min(1)).min(2) }))
            .default([])
            .describe('measured groups: each member\'s slowdown when exactly these models run together'),
        })
        .prefault({}),
      services: z.array(ServiceSchema).min(1, { error: 'expected at least one service' }),
    }),
  })
  .superRefine((s, ctx) => {
    if (s.duration === undefined && s.queries === undefined && s.accelerator.services.some((svc) => svc.arrivals.kind === 'poisson' || svc.arrivals.kind === 'constant')) {
      ctx.addIssue({ code: 'custom', message: 'poisson or constant arrivals never end: set duration or queries', path: ['queries'] });
    }
  });

export type AcceleratorScenario = z.output<typeof AcceleratorScenarioSchema>;
