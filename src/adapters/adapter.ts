import type { z } from 'zod';
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
 * own schema. Adding a policy is one module exporting one of these plus a line in registry.ts.
 */
export interface AdapterDefinition<Options extends z.ZodObject = z.ZodObject, Input = AdapterInput, Decision = AdapterDecision> {
  kind: string;
  description: string;
  /** The adapter's options as they appear in a scenario under `adaptation.adapter` (besides `kind`). */
  options: Options;
  /** Whether it needs `pipeline.profile` (variants, latencies, accuracies). */
  needsProfile: boolean;
  decide(input: Input, options: z.output<Options>): Decision;
}

/** Define a pipeline adapter with its options type inferred from the schema. */
export function defineAdapter<Options extends z.ZodObject>(definition: AdapterDefinition<Options>): AdapterDefinition<Options> {
  return definition;
}
