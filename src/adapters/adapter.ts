import { optionsSchema, type OptionsOf, type OptionsSchema } from '../plugins/options.js';
import type { PluginDefinition } from '../plugins/registry.js';
import type { PipelineProfile } from '../profiles/pipeline-profile.js';

/** The setting of one stage that adapters choose: plain data. */
export interface StageSetting {
  /** Model variant (a name in the pipeline profile), or undefined for a stage without a profile. */
  variant: string | undefined;
  /** Largest batch. */
  batch: number;
  /** Replicas wanted (not counting those being removed). */
  replicas: number;
}

/** One setting per stage, in stage order. */
export type Configuration = StageSetting[];

/** What the monitor saw of one stage over the last adaptation interval. */
export interface StageObservation {
  name: string;
  /** Busy replica-seconds over serving replica-seconds; NaN when no replica served. */
  utilization: number;
  /** Requests waiting now. */
  queue: number;
  /** Replicas taking batches now (active or draining). */
  serving: number;
}

/** The monitor snapshot an adapter decides from. */
export interface Observation {
  /** Decision time, seconds. */
  time: number;
  /** Length of the interval just observed, seconds. */
  interval: number;
  /** Arrivals in each whole second so far, oldest first (what a predictor reads). */
  arrivals: ArrayLike<number>;
  /** Over the last interval: */
  arrived: number;
  dropped: number;
  late: number;
  /** p99 end-to-end latency of the requests that finished (NaN if none). */
  latencyP99: number;
  stages: StageObservation[];
}

export interface AdapterInput {
  observation: Observation;
  /** Predicted peak load of the coming period, requests per second (safety margin included). */
  forecast: number;
  current: Configuration;
  /** The pipeline's model-variant profiles, when the scenario names one. */
  profile: PipelineProfile | undefined;
  /** What this adapter returned as `memory` at its previous decision; undefined at the first. */
  memory: unknown;
}

export interface AdapterDecision {
  configuration: Configuration;
  /** Why the configuration was kept or what limited it (e.g. no feasible plan); empty when nothing to say. */
  note: string;
  /**
   * Anything the adapter wants handed back at its next decision (e.g. recent recommendations);
   * the loop keeps it and does not read it, so a decision stays a function of its input.
   */
  memory?: unknown;
}

/**
 * An adaptation policy: a pure function from what was observed, the forecast, the current
 * configuration and the profiles to a target configuration, with its options checked by its
 * own schema. The built-in ones are made with defineAdapter and listed in registry.ts; a
 * user's is made the same way, in a module a scenario names (`kind: module`) or given in code.
 */
export interface AdapterDefinition<Options extends OptionsSchema = OptionsSchema, Input = AdapterInput, Decision = AdapterDecision> extends PluginDefinition<'adapter'> {
  /** The adapter's options as they appear in a scenario (beside `kind`, or under `options` for a module). */
  readonly options: Options;
  /** Whether it needs `pipeline.profile` (variants, latencies, accuracies). */
  readonly needsProfile: boolean;
  decide(input: Input, options: OptionsOf<Options>): Decision;
}

/** Define an adapter; its options type is inferred from the schema (zod, any Standard Schema, or a JSON Schema). */
export function defineAdapter<Options extends OptionsSchema = OptionsSchema>(definition: {
  kind: string;
  description?: string;
  options?: Options;
  needsProfile?: boolean;
  decide(input: AdapterInput, options: OptionsOf<Options>): AdapterDecision;
}): AdapterDefinition<Options> {
  return {
    ...definition,
    family: 'adapter',
    description: definition.description ?? '',
    options: optionsSchema(definition.options, `adapter ${definition.kind}`) as Options,
    needsProfile: definition.needsProfile ?? false,
  };
}
