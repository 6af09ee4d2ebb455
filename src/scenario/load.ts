import { basename, dirname, extname, relative, resolve, sep } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { readTextFile } from '../io/read.js';
import { resolvePipelineProfile } from '../profiles/catalog.js';
import { AcceleratorScenarioSchema, type AcceleratorScenario } from './accelerator-schema.js';
import { ServerlessScenarioSchema, type ServerlessScenario } from './serverless-schema.js';
import { formatPath, getPath, parsePath, setPath, type PathKey } from './paths.js';
import { ScenarioSchema, type Scenario } from './schema.js';

/** One `--set path=value` override; the value is read as YAML (so 8 is a number, 10s a string, [1, 2] a list). */
export interface Override {
  path: string;
  value: unknown;
  /**
   * The folder that relative file paths in `value` are relative to: the shell's for `--set`, the
   * sweep file's for a sweep. Without it, the scenario file's, like the file's own paths.
   */
  from?: string;
}

export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InputError(`--set expects path=value, got "${text}"`);
  const path = text.slice(0, eq).trim();
  parsePath(path);
  return { path, value: YAML.parse(text.slice(eq + 1)), from: process.cwd() };
}

/** Read a YAML file into plain data, with the file and line in any syntax error. */
export function readYamlFile(file: string): unknown {
  const text = readTextFile(file, 'file');
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0];
    throw new InputError(`${file}${line ? `:${line.line}:${line.col}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  return doc.toJS();
}

/** Turn zod's issues into one line each: `file: path.to.key: what was expected, got what`. */
export function formatIssues(source: string, issues: readonly z.core.$ZodIssue[], input: unknown): string {
  const lines = issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => `${source}: ${formatPath([...issue.path, k])}: unknown key`).join('\n');
    }
    const path = formatPath(issue.path) || '(top level)';
    const value = getPath(input, issue.path);
    const got = value === undefined ? 'nothing' : JSON.stringify(value);
    const message = issue.code === 'invalid_union' && value === undefined ? 'required' : issue.message;
    return `${source}: ${path}: ${message}, got ${got}`;
  });
  return lines.join('\n');
}

/** Validate plain scenario data; throws an InputError listing every problem. */
export function validateScenario(data: unknown, source: string): Scenario {
  const result = ScenarioSchema.safeParse(data);
  if (!result.success) throw new InputError(formatIssues(source, result.error.issues, data));
  return result.data;
}

export interface LoadedScenario {
  scenario: Scenario;
  file: string;
}

/**
 * Read, override, validate and complete a scenario file: names are filled in,
 * and relative file paths are resolved against the scenario's folder and
 * rewritten relative to `base` (the working directory unless said); a run
 * folder's copy (scenarioFileText) has them relative to that folder instead.
 */
export function loadScenario(file: string, overrides: readonly Override[] = [], seed?: number, base = process.cwd()): LoadedScenario {
  const root = readScenarioData(file, overrides, seed);
  for (const key of ['serverless', 'accelerator']) {
    if (key in root) throw new InputError(`${file}: a ${key} scenario (it has a ${key} key); this command takes pipeline scenarios`);
  }
  const scenario = validateScenario(root, file);
  scenario.name ??= basename(file, extname(file));
  const pipeline = scenario.pipeline;
  const profile = pipeline.profile === undefined ? undefined : isProfilePath(pipeline.profile) ? resolve(folderOf(file, overrides)(['pipeline', 'profile']), pipeline.profile) : pipeline.profile;
  let profileStages: string[] | undefined;
  try {
    profileStages = profile === undefined ? undefined : resolvePipelineProfile(profile).stages.map((s) => s.name);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${file}: pipeline.profile: ${err.message}`);
    throw err;
  }
  pipeline.stages.forEach((stage, i) => {
    stage.name ??= profileStages?.[i] ?? `stage${i + 1}`;
  });
  uniqueNames(pipeline.stages.map((s) => s.name as string), `${file}: pipeline.stages`, 'stage');
  rebasePaths({ kind: 'pipeline', scenario }, fromFolder(file, overrides, base));
  return { scenario, file };
}

/** Read, override, validate and complete a serverless scenario file (one with a `serverless` key). */
export function loadServerlessScenario(file: string, overrides: readonly Override[] = [], seed?: number, base = process.cwd()): { scenario: ServerlessScenario; file: string } {
  const root = readScenarioData(file, overrides, seed);
  if (!('serverless' in root)) throw new InputError(`${file}: not a serverless scenario (it has no serverless key)`);
  const result = ServerlessScenarioSchema.safeParse(root);
  if (!result.success) throw new InputError(formatIssues(file, result.error.issues, root));
  const scenario = result.data;
  scenario.name ??= basename(file, extname(file));
  scenario.serverless.apps.forEach((app, i) => {
    app.name ??= `app${i}`;
  });
  uniqueNames(scenario.serverless.apps.map((a) => a.name as string), `${file}: serverless.apps`, 'application');
  rebasePaths({ kind: 'serverless', scenario }, fromFolder(file, overrides, base));
  return { scenario, file };
}

/** Read, override, validate and complete an accelerator scenario file (one with an `accelerator` key). */
export function loadAcceleratorScenario(file: string, overrides: readonly Override[] = [], seed?: number, base = process.cwd()): { scenario: AcceleratorScenario; file: string } {
  const root = readScenarioData(file, overrides, seed);
  if (!('accelerator' in root)) throw new InputError(`${file}: not an accelerator scenario (it has no accelerator key)`);
  const result = AcceleratorScenarioSchema.safeParse(root);
  if (!result.success) throw new InputError(formatIssues(file, result.error.issues, root));
  const scenario = result.data;
  scenario.name ??= basename(file, extname(file));
  for (const svc of scenario.accelerator.services) svc.name ??= svc.model;
  uniqueNames(scenario.accelerator.services.map((s) => s.name as string), `${file}: accelerator.services`, 'service');
  rebasePaths({ kind: 'accelerator', scenario }, fromFolder(file, overrides, base));
  return { scenario, file };
}

export type AnyScenario =
  | { kind: 'pipeline'; scenario: Scenario }
  | { kind: 'serverless'; scenario: ServerlessScenario }
  | { kind: 'accelerator'; scenario: AcceleratorScenario };

/**
 * Map every file path a scenario holds (traces, profiles, catalogs, models) through `map`, in
 * place; `field` is where the path sits in the scenario.
 */
export function rebasePaths(any: AnyScenario, map: (path: string, field: PathKey[]) => string): void {
  const trace = (a: { kind: string; path?: string }, at: PathKey[]) => {
    if (a.kind === 'trace' && a.path !== undefined) a.path = map(a.path, [...at, 'path']);
  };
  switch (any.kind) {
    case 'pipeline': {
      const s = any.scenario;
      // A profile is a shipped name (video) or a file; only files are paths.
      if (s.pipeline.profile !== undefined && isProfilePath(s.pipeline.profile)) s.pipeline.profile = map(s.pipeline.profile, ['pipeline', 'profile']);
      const predictor = s.adaptation?.predictor;
      if (predictor?.kind === 'lstm' && predictor.model !== undefined) predictor.model = map(predictor.model, ['adaptation', 'predictor', 'model']);
      const arrivals = s.workload.arrivals;
      if (arrivals.kind === 'mix') arrivals.tenants.forEach((t, i) => trace(t.arrivals, ['workload', 'arrivals', 'tenants', i, 'arrivals']));
      else trace(arrivals, ['workload', 'arrivals']);
      s.pipeline.stages.forEach((stage, i) => {
        const at = ['pipeline', 'stages', i];
        if (stage.service.profile?.path !== undefined) stage.service.profile.path = map(stage.service.profile.path, [...at, 'service', 'profile', 'path']);
        for (const [tenant, service] of Object.entries(stage.serviceByTenant ?? {})) {
          if (service.profile?.path !== undefined) service.profile.path = map(service.profile.path, [...at, 'serviceByTenant', tenant, 'profile', 'path']);
        }
      });
      return;
    }
    case 'serverless':
      if (any.scenario.serverless.catalog !== undefined) any.scenario.serverless.catalog = map(any.scenario.serverless.catalog, ['serverless', 'catalog']);
      any.scenario.serverless.apps.forEach((app, i) => trace(app.arrivals, ['serverless', 'apps', i, 'arrivals']));
      return;
    case 'accelerator':
      if (any.scenario.accelerator.catalog !== undefined) any.scenario.accelerator.catalog = map(any.scenario.accelerator.catalog, ['accelerator', 'catalog']);
      any.scenario.accelerator.services.forEach((svc, i) => trace(svc.arrivals, ['accelerator', 'services', i, 'arrivals']));
      return;
  }
}

/**
 * The text of a run folder's `scenario.yaml`: the resolved scenario with its file paths relative
 * to that folder (paths in `any` are relative to the working directory or absolute), so that
 * `pipesim run FOLDER/scenario.yaml` runs it again from any working directory.
 */
export function scenarioFileText(any: AnyScenario, folder: string): string {
  const copy = structuredClone(any);
  rebasePaths(copy, (p) => pathFrom(folder, p));
  return YAML.stringify(copy.scenario);
}

/**
 * A run folder's `scenario.yaml` text after the folder moves from `from` to `to` (e.g. by `sweep
 * merge`): its relative file paths rewritten so that they name the same files.
 */
export function movedScenarioFileText(text: string, from: string, to: string): string {
  const data = YAML.parse(text) as Record<string, unknown>;
  const kind = 'serverless' in data ? 'serverless' : 'accelerator' in data ? 'accelerator' : 'pipeline';
  rebasePaths({ kind, scenario: data } as unknown as AnyScenario, (p) => pathFrom(to, resolve(from, p)));
  return YAML.stringify(data);
}

/** `file` (absolute, or relative to the working directory) as a path relative to `folder`, with forward slashes. */
function pathFrom(folder: string, file: string): string {
  return relative(resolve(folder), resolve(file)).split(sep).join('/') || '.';
}

/** Whether a scenario's `pipeline.profile` names a file (else a shipped profile, such as video). */
export function isProfilePath(profile: string): boolean {
  return profile.includes('/') || profile.includes('\\') || profile.endsWith('.yaml') || profile.endsWith('.yml');
}

/** A pipeline, serverless or accelerator scenario, by its `serverless` or `accelerator` key. */
export function loadAnyScenario(file: string, overrides: readonly Override[] = [], seed?: number, base = process.cwd()): AnyScenario {
  const data = readYamlFile(file);
  const has = (key: string) => data !== null && typeof data === 'object' && key in data;
  if (has('serverless')) return { kind: 'serverless', scenario: loadServerlessScenario(file, overrides, seed, base).scenario };
  if (has('accelerator')) return { kind: 'accelerator', scenario: loadAcceleratorScenario(file, overrides, seed, base).scenario };
  return { kind: 'pipeline', scenario: loadScenario(file, overrides, seed, base).scenario };
}

/** Defaulted names may collide with given ones (stage2 given, stage2 defaulted): refuse that. */
function uniqueNames(names: readonly string[], where: string, what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new InputError(`${where}: two ${what}s are named "${name}" (a default name collides with a given one: name them all)`);
    seen.add(name);
  }
}

function readScenarioData(file: string, overrides: readonly Override[], seed: number | undefined): Record<string, unknown> {
  const data = readYamlFile(file);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError(`${file}: expected a YAML mapping at the top level`);
  }
  const root = data as Record<string, unknown>;
  if ('scenario' in root && ('grid' in root || 'zip' in root || 'seeds' in root)) {
    throw new InputError(`${file}: a sweep file (it has scenario: and grid, zip or seeds): run it with pipesim sweep run`);
  }
  for (const o of overrides) setPath(root, parsePath(o.path), o.value);
  if (seed !== undefined) root.seed = seed;
  return root;
}

/**
 * The folder a relative file path at `field` is relative to: that of the last override that set
 * the field (or an object holding it) with a `from`, else the scenario file's.
 */
function folderOf(file: string, overrides: readonly Override[]): (field: readonly PathKey[]) => string {
  const parsed = overrides.map((o) => ({ keys: parsePath(o.path), from: o.from }));
  return (field) => {
    for (let i = parsed.length - 1; i >= 0; i--) {
      const { keys, from } = parsed[i];
      if (keys.length <= field.length && keys.every((k, j) => String(k) === String(field[j]))) return from ?? dirname(file);
    }
    return dirname(file);
  };
}

/** Relative file paths in a scenario (or its overrides) are rewritten relative to `base`. */
function fromFolder(file: string, overrides: readonly Override[], base: string): (p: string, field: PathKey[]) => string {
  const folder = folderOf(file, overrides);
  return (p, field) => relative(base, resolve(folder(field), p)) || '.';
}
