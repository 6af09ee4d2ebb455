import { z } from 'zod';
import { duration, positiveDuration } from '../config/units.js';

/** What a run measures and writes, as a scenario's `metrics` says. */
const MetricsFields = z.strictObject({
  warmup: duration('requests arriving before this are left out of the summary').prefault(0),
  interval: positiveDuration('length of one time-series row').prefault(1),
  sketchAccuracy: z.number().gt(0).lt(0.5).default(0.001).describe('relative accuracy of latency quantiles (DDSketch) once a run has more than 100,000 values; below that they are exact'),
  requests: z.boolean().default(false).describe('also write every request to requests.csv'),
});

export const MetricsSchema = MetricsFields.prefault({});
/** Serverless runs report per plan interval, so they have no time-series interval of their own. */
export const ServerlessMetricsSchema = MetricsFields.omit({ interval: true }).prefault({});
