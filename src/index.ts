/**
 * pipesim as a library: load a scenario, simulate it or write its run folder, and bring your own
 * adaptation policy, load predictor, queue discipline or routing policy. Everything here is the
 * stable surface (docs/API.md); other modules are internal and may change.
 */
import { loadScenario as loadAny, prepareRun, runScenarioToFolder } from './kinds/load.js';
import type { SimulationResult, SimulateOptions } from './kinds/pipeline/simulate.js';
import { simulate as simulatePipeline, type PipelineResources } from './kinds/pipeline/simulate.js';
import type { AnyScenario } from './kinds/registry.js';
import type { PluginDefinition } from './plugins/registry.js';
import type { Override } from './scenario/overrides.js';

export { z } from 'zod';
export { InputError } from './errors.js';
export { defineAdapter } from './adapters/adapter.js';
export type { AdapterDefinition, AdapterInput, AdapterDecision, Configuration, StageSetting, Observation, StageObservation } from './adapters/adapter.js';
export { definePredictor } from './predictors/predictor.js';
export type { PredictorDefinition, PredictorContext, LoadPredictor } from './predictors/predictor.js';
export { defineDiscipline, KeyedQueue } from './pipeline/discipline.js';
export type { DisciplineDefinition, DisciplineContext, RequestQueue } from './pipeline/discipline.js';
export { defineRouter } from './pipeline/router.js';
export type { RouterDefinition, Router } from './pipeline/router.js';
export type { Request } from './pipeline/request.js';
export type { Replica, ReplicaModel } from './pipeline/replica.js';
export type { PipelineProfile } from './profiles/pipeline-profile.js';
export type { SimulationResult } from './kinds/pipeline/simulate.js';
export type { Scenario } from './kinds/pipeline/schema.js';
export type { SummaryFile } from './kinds/pipeline/run-folder.js';
export type { PluginDefinition } from './plugins/registry.js';

export interface LoadOptions {
  /** Values to override, by path: `{ 'pipeline.stages[0].replicas': 4 }`. File paths among them are relative to the working directory. */
  set?: Record<string, unknown>;
  /** Replaces the scenario's seed. */
  seed?: number;
  /** Your own plug-ins, made with defineAdapter, definePredictor, defineDiscipline or defineRouter; the scenario names them by `kind`. */
  plugins?: readonly PluginDefinition[];
}

/** A scenario read, validated and completed, with its kind ('pipeline', 'serverless', 'accelerator') and what it was loaded with. */
export interface LoadedScenario {
  readonly kind: AnyScenario['kind'];
  /** The validated scenario: defaults filled in, durations in seconds, file paths relative to the working directory. */
  readonly scenario: AnyScenario['scenario'];
  readonly file: string;
  readonly plugins: readonly PluginDefinition[];
}

/** Read a scenario file: validated (errors are InputErrors naming the file and key), plug-in modules it names imported. */
export async function loadScenario(file: string, options: LoadOptions = {}): Promise<LoadedScenario> {
  const set: Override[] = Object.entries(options.set ?? {}).map(([path, value]) => ({ path, value, from: process.cwd() }));
  const plugins = options.plugins ?? [];
  const any = await loadAny(file, { set, seed: options.seed, plugins });
  return { kind: any.kind, scenario: any.scenario, file, plugins };
}

/**
 * Simulate a pipeline scenario in memory and summarise it; nothing is written. Deterministic: the
 * same scenario and seed give the same result. (Serverless and accelerator scenarios: runToFolder.)
 */
export async function simulate(loaded: LoadedScenario, options: Omit<SimulateOptions, 'resources'> = {}): Promise<SimulationResult> {
  if (loaded.kind !== 'pipeline') throw new TypeError(`simulate takes pipeline scenarios; ${loaded.file} is a ${loaded.kind} scenario: use runToFolder`);
  const any = { kind: loaded.kind, scenario: loaded.scenario } as AnyScenario;
  const resources = (await prepareRun(any, loaded.plugins)) as PipelineResources;
  return simulatePipeline(any.scenario as Parameters<typeof simulatePipeline>[0], { ...options, resources });
}

/** Simulate a scenario of any kind and write its run folder (summary.json last); returns what summary.json holds. */
export async function runToFolder(loaded: LoadedScenario, dir: string, options: { onProgress?: (fraction: number) => void } = {}): Promise<unknown> {
  const any = { kind: loaded.kind, scenario: loaded.scenario } as AnyScenario;
  return runScenarioToFolder(any, dir, { ...options, resources: await prepareRun(any, loaded.plugins) });
}
