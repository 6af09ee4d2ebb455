import { basename, dirname, extname, relative, resolve } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { readTextFile } from '../io/read.js';
import { resolvePipelineProfile } from '../profiles/catalog.js';
import { AcceleratorScenarioSchema, type AcceleratorScenario } from './accelerator-schema.js';
import { ServerlessScenarioSchema, type ServerlessScenario } from './serverless-schema.js';
import { formatPath, getPath, parsePath, setPath } from './paths.js';
import { ScenarioSchema, type Scenario } from './schema.js';

/** One `--set path=value` override; the value is read as YAML (so 8 is a number, 10s a string, [1, 2] a list). */
export interface Override {
  path: string;
  value: unknown;
}

export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InputError(`--set expects path=value, got "${text}"`);
  const path = text.slice(0, eq).trim();
  parsePath(path);
  return { path, value: YAML.parse(text.slice(eq + 1)) };
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
 * rewritten relative to the working directory, so the resolved scenario
 * written into a run folder can be run again as it is.
 */
export function loadScenario(file: string, overrides: readonly Override[] = [], seed?: number): LoadedScenario {
  const root = readScenarioData(file, overrides, seed);
  for (const key of ['serverless', 'accelerator']) {
    if (key in root) throw new InputError(`${file}: a ${key} scenario (it has a ${key} key); this command takes pipeline scenarios`);
  }
  const scenario = validateScenario(root, file);
  scenario.name ??= basename(file, extname(file));
  const fromScenario = scenarioRelative(file);
  const pipeline = scenario.pipeline;
  // A profile is a shipped name (video) or a file; only files are relative to the scenario.
  if (pipeline.profile !== undefined && isProfilePath(pipeline.profile)) pipeline.profile = fromScenario(pipeline.profile);
  const profileStages = pipeline.profile === undefined ? undefined : resolvePipelineProfile(pipeline.profile).stages.map((s) => s.name);
  pipeline.stages.forEach((stage, i) => {
    stage.name ??= profileStages?.[i] ?? `stage${i + 1}`;
  });
  uniqueNames(pipeline.stages.map((s) => s.name as string), `${file}: pipeline.stages`, 'stage');
  const predictor = scenario.adaptation?.predictor;
  if (predictor?.kind === 'lstm' && predictor.model !== undefined) predictor.model = fromScenario(predictor.model);
  const arrivals = scenario.workload.arrivals;
  for (const a of arrivals.kind === 'mix' ? arrivals.tenants.map((t) => t.arrivals) : [arrivals]) {
    if (a.kind === 'trace') a.path = fromScenario(a.path);
  }
  for (const stage of scenario.pipeline.stages) {
    if (stage.service.profile?.path !== undefined) stage.service.profile.path = fromScenario(stage.service.profile.path);
  }
  return { scenario, file };
}

/** Read, override, validate and complete a serverless scenario file (one with a `serverless` key). */
export function loadServerlessScenario(file: string, overrides: readonly Override[] = [], seed?: number): { scenario: ServerlessScenario; file: string } {
  const root = readScenarioData(file, overrides, seed);
  if (!('serverless' in root)) throw new InputError(`${file}: not a serverless scenario (it has no serverless key)`);
  const result = ServerlessScenarioSchema.safeParse(root);
  if (!result.success) throw new InputError(formatIssues(file, result.error.issues, root));
  const scenario = result.data;
  scenario.name ??= basename(file, extname(file));
  const fromScenario = scenarioRelative(file);
  if (scenario.serverless.catalog !== undefined) scenario.serverless.catalog = fromScenario(scenario.serverless.catalog);
  scenario.serverless.apps.forEach((app, i) => {
    app.name ??= `app${i}`;
    if (app.arrivals.kind === 'trace') app.arrivals.path = fromScenario(app.arrivals.path);
  });
  uniqueNames(scenario.serverless.apps.map((a) => a.name as string), `${file}: serverless.apps`, 'application');
  return { scenario, file };
}

/** Read, override, validate and complete an accelerator scenario file (one with an `accelerator` key). */
export function loadAcceleratorScenario(file: string, overrides: readonly Override[] = [], seed?: number): { scenario: AcceleratorScenario; file: string } {
  const root = readScenarioData(file, overrides, seed);
  if (!('accelerator' in root)) throw new InputError(`${file}: not an accelerator scenario (it has no accelerator key)`);
  const result = AcceleratorScenarioSchema.safeParse(root);
  if (!result.success) throw new InputError(formatIssues(file, result.error.issues, root));
  const scenario = result.data;
  scenario.name ??= basename(file, extname(file));
  const fromScenario = scenarioRelative(file);
  if (scenario.accelerator.catalog !== undefined) scenario.accelerator.catalog = fromScenario(scenario.accelerator.catalog);
  for (const svc of scenario.accelerator.services) {
    svc.name ??= svc.model;
    if (svc.arrivals.kind === 'trace') svc.arrivals.path = fromScenario(svc.arrivals.path);
  }
  uniqueNames(scenario.accelerator.services.map((s) => s.name as string), `${file}: accelerator.services`, 'service');
  return { scenario, file };
}

export type AnyScenario =
  | { kind: 'pipeline'; scenario: Scenario }
  | { kind: 'serverless'; scenario: ServerlessScenario }
  | { kind: 'accelerator'; scenario: AcceleratorScenario };

/** A pipeline, serverless or accelerator scenario, by its `serverless` or `accelerator` key. */
export function loadAnyScenario(file: string, overrides: readonly Override[] = [], seed?: number): AnyScenario {
  const data = readYamlFile(file);
  const has = (key: string) => data !== null && typeof data === 'object' && key in data;
  if (has('serverless')) return { kind: 'serverless', scenario: loadServerlessScenario(file, overrides, seed).scenario };
  if (has('accelerator')) return { kind: 'accelerator', scenario: loadAcceleratorScenario(file, overrides, seed).scenario };
  return { kind: 'pipeline', scenario: loadScenario(file, overrides, seed).scenario };
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
  for (const o of overrides) setPath(root, parsePath(o.path), o.value);
  if (seed !== undefined) root.seed = seed;
  return root;
}

/** Relative file paths in a scenario are relative to its folder; rewritten relative to the working directory. */
function scenarioRelative(file: string): (p: string) => string {
  return (p: string) => relative(process.cwd(), resolve(dirname(file), p)) || '.';
}

function isProfilePath(profile: string): boolean {
  return profile.includes('/') || profile.includes('\\') || profile.endsWith('.yaml') || profile.endsWith('.yml');
}
