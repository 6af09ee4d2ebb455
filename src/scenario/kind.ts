import type { z } from 'zod';
import { InputError } from '../errors.js';
import type { PathKey } from '../config/paths.js';
import type { PluginDefinition } from '../plugins/registry.js';
import type { PeakOptions, PeakResult } from './peak.js';
import type { RunEstimate } from './size.js';

/** What every scenario has, whatever its kind. */
export interface ScenarioBase {
  name?: string;
  seed: number;
}

/** Where a scenario came from, for completing it: its file, and the folder each relative path at a field is relative to. */
export interface CompleteContext {
  file: string;
  folderOf(field: readonly PathKey[]): string;
  /** Plug-ins defined in code by a library user, beside the built-in ones. */
  plugins: readonly PluginDefinition[];
}

/** What a run needs loaded before its synchronous simulation: plug-in modules imported, trained models read. */
export type RunResources = unknown;

export interface RunOptions {
  /** From `prepare`. */
  resources?: RunResources;
  onProgress?: (fraction: number) => void;
  /** fsync each table before it is renamed into place (default). Sweeps turn it off: see src/sweep/worker.ts. */
  durable?: boolean;
}

/**
 * A kind of scenario: a pipeline of stages, serverless functions for applications, services
 * sharing one accelerator. A scenario file is of the kind whose `key` it has at its top level.
 * Everything a command does with a scenario goes through this interface, so a new kind is a
 * folder under src/kinds/ that exports one of these, and one line in src/kinds/registry.ts.
 */
export interface ScenarioKind<Key extends string = string, S extends ScenarioBase = ScenarioBase, Summary = unknown> {
  /** The top-level key that marks a scenario of this kind. */
  readonly key: Key;
  /** Its name in docs and messages ("pipeline scenario"). */
  readonly title: string;
  readonly description: string;
  /** The schema of its files; `plugins` are a library user's own definitions, for kinds that take plug-ins. */
  schema(plugins: readonly PluginDefinition[]): z.ZodType<S>;
  /** Fill in what the schema cannot (default names that depend on other values) and check what it cannot, before paths are rebased. */
  complete(scenario: S, context: CompleteContext): void;
  /** Map every file path the scenario holds (traces, profiles, catalogs, models, plug-in modules) through `map`, in place. */
  paths(scenario: S, map: (path: string, field: PathKey[]) => string): void;
  /** Asynchronous loading a run needs (paths relative to the working directory or absolute). */
  prepare?(scenario: S, plugins: readonly PluginDefinition[]): Promise<RunResources>;
  /** Simulate and write a run folder; returns what summary.json holds. */
  runToFolder(scenario: S, dir: string, options: RunOptions): Summary;
  /** The short report `pipesim run` prints. */
  reportText(summary: Summary, dir: string, wallSeconds: number): string;
  /** The run's size before it starts, so that absurd runs are refused before they fill memory or the disk (scenario/size.ts). */
  estimate?(scenario: S): RunEstimate;
  /** Warnings worth printing after a run (e.g. profile extrapolation). */
  warnings?(summary: Summary): readonly string[];
  /** A table with one row per application or service of a run, and its naming column, for per-entity figures. */
  readonly entityTable?: { file: string; key: string; title: string; metrics: readonly string[] };
  /** Highest arrival rate meeting a QoS target, where the kind has it. */
  peak?(scenario: S, options: PeakOptions): PeakResult;
}

/** Kinds of different scenario types in one list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKind = ScenarioKind<string, any, any>;

/** Defaulted names may collide with given ones (stage2 given, stage2 defaulted): refuse that. */
export function uniqueNames(names: readonly string[], where: string, what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new InputError(`${where}: two ${what}s are named "${name}" (a default name collides with a given one: name them all)`);
    seen.add(name);
  }
}
