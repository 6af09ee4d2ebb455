import { basename, extname, resolve } from 'node:path';
import YAML from 'yaml';
import { formatIssues } from '../config/yaml.js';
import { InputError } from '../errors.js';
import { findModuleRefs, importPluginModule } from '../plugins/modules.js';
import type { PluginDefinition } from '../plugins/registry.js';
import { pathFrom, scenarioFileText as fileText } from '../scenario/files.js';
import type { RunOptions, RunResources } from '../scenario/kind.js';
import { folderOf, fromFolder, readScenarioData, type Override } from '../scenario/overrides.js';
import { kindByKey, kindOfData, type AnyScenario } from './registry.js';

/** How to read a scenario file. */
export interface ReadOptions {
  /** Overrides, applied in order before validation (`--set`, a sweep's values). */
  set?: readonly Override[];
  /** Replaces the file's seed. */
  seed?: number;
  /** Relative file paths come out relative to this folder (default: the working directory). */
  base?: string;
  /** Plug-ins defined in code (defineAdapter, ...), which the scenario can name by kind like built-ins. */
  plugins?: readonly PluginDefinition[];
}

/**
 * Read, override, validate and complete a scenario file of any kind: names are filled in, plug-in
 * options checked, and relative file paths resolved against the scenario's folder and rewritten
 * relative to `base`. Plug-in modules the scenario names must have been imported
 * (importScenarioModules; `loadScenario` does both).
 */
export function readScenario(file: string, options: ReadOptions = {}): AnyScenario {
  const overrides = options.set ?? [];
  const data = readScenarioData(file, overrides, options.seed);
  const kind = kindOfData(data);
  const plugins = options.plugins ?? [];
  const schema = kind.schema(plugins);
  const result = schema.safeParse(data);
  if (!result.success) {
    // A path at or under an overridden one got its value from the override.
    const sourceOf = (path: string) => {
      const o = [...overrides].reverse().find((x) => path === x.path || path.startsWith(`${x.path}.`) || path.startsWith(`${x.path}[`));
      return o === undefined ? file : `${file} with ${o.path} overridden`;
    };
    throw new InputError(formatIssues(sourceOf, result.error.issues, data, schema));
  }
  const scenario = result.data as { name?: string };
  scenario.name ??= basename(file, extname(file));
  kind.complete(scenario, { file, folderOf: folderOf(file, overrides), plugins });
  kind.paths(scenario, fromFolder(file, overrides, options.base ?? process.cwd()));
  return { kind: kind.key, scenario } as AnyScenario;
}

/** `readScenario` for commands that take one kind: the scenario, or an InputError naming the kind the file is. */
export function readScenarioOfKind<K extends AnyScenario['kind']>(key: K, file: string, options: ReadOptions = {}): ScenarioOf<K> {
  const any = readScenario(file, options);
  if (any.kind !== key) throw new InputError(`${file}: a ${any.kind} scenario (it has a ${any.kind} key); this command takes ${key} scenarios`);
  return any.scenario as ScenarioOf<K>;
}

/** The scenario type of a kind, by its key. */
export type ScenarioOf<K extends AnyScenario['kind']> = Extract<AnyScenario, { kind: K }>['scenario'];

/** Import the plug-in modules a scenario file names (with its overrides), so that it can be read. */
export async function importScenarioModules(file: string, overrides: readonly Override[] = []): Promise<void> {
  const data = readScenarioData(file, overrides, undefined);
  const folder = folderOf(file, overrides);
  for (const ref of findModuleRefs(data)) await importPluginModule(resolve(folder([...ref.at, 'path']), ref.path));
}

/** Read a scenario file after importing the plug-in modules it names. */
export async function loadScenario(file: string, options: ReadOptions = {}): Promise<AnyScenario> {
  await importScenarioModules(file, options.set);
  return readScenario(file, options);
}

/** Map every file path a scenario holds through `map`, in place. */
export function rebasePaths(any: AnyScenario, map: (path: string, field: (string | number)[]) => string): void {
  kindByKey(any.kind).paths(any.scenario, map);
}

/** A run folder's `scenario.yaml` text: file paths relative to `folder` (see scenario/files.ts). */
export function scenarioFileText(any: AnyScenario, folder: string): string {
  return fileText(any.scenario, folder, kindByKey(any.kind).paths);
}

/**
 * A run folder's `scenario.yaml` text after the folder moves from `from` to `to` (e.g. by `sweep
 * merge`): its relative file paths rewritten so that they name the same files.
 */
export function movedScenarioFileText(text: string, from: string, to: string): string {
  const data = YAML.parse(text) as Record<string, unknown>;
  kindOfData(data).paths(data, (p) => pathFrom(to, resolve(from, p)));
  return YAML.stringify(data);
}

/** Load what a run needs before it starts (plug-in modules, trained models). */
export async function prepareRun(any: AnyScenario, plugins: readonly PluginDefinition[] = []): Promise<RunResources> {
  return kindByKey(any.kind).prepare?.(any.scenario, plugins);
}

/** Simulate a scenario of any kind and write its run folder; returns what summary.json holds. */
export function runScenarioToFolder(any: AnyScenario, dir: string, options: RunOptions = {}): unknown {
  return kindByKey(any.kind).runToFolder(any.scenario, dir, options);
}
