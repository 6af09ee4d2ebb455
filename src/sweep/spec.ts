import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { parsePath } from '../config/paths.js';
import { formatIssues, readYamlFile } from '../config/yaml.js';
import { importScenarioModules, readScenario, rebasePaths } from '../kinds/load.js';
import type { AnyScenario } from '../kinds/registry.js';
import type { Override } from '../scenario/overrides.js';

/**
 * Sweep files: a base scenario, a `grid` (cartesian product) and a `zip` (parallel lists) over
 * scenario paths, seeds, and optional exclusions. Expanding one gives runs, each a resolved
 * scenario with a content-hash ID, so the same run always has the same ID.
 */

const Values = z.array(z.unknown()).min(1, { error: 'expected a non-empty list of values' });

const SweepSchema = z.strictObject({
  name: z.string().min(1).optional().describe('sweep name (default: the file name)'),
  scenario: z.string().min(1).describe('base scenario, relative to the sweep file'),
  grid: z.record(z.string(), Values).default({}).describe('scenario path -> values; every combination runs'),
  zip: z.record(z.string(), Values).default({}).describe('scenario path -> values; the lists run side by side (equal lengths)'),
  seeds: z
    .union([z.number().int().positive(), z.array(z.number().int().nonnegative()).min(1)], { error: 'expected a number of seeds (1..n) or a list of seeds' })
    .default(1)
    .describe('a count n (seeds 1..n) or a list'),
  exclude: z.array(z.record(z.string(), z.unknown())).default([]).describe('skip every combination matching all the values of one entry'),
  // Node's timers hold at most 2^31 - 1 ms (24.8 days).
  timeout: z.number().positive().max(2_000_000).default(600).describe('seconds a run may take before it is stopped and recorded as failed (at most 2,000,000)'),
});

export type SweepFile = z.output<typeof SweepSchema>;

/** One run of a sweep. */
export interface SweepRun {
  /** Content hash of the resolved scenario: the run's folder name. */
  id: string;
  /** Index in expansion order. */
  index: number;
  /** The swept values (scenario path -> value) and the seed. */
  params: Record<string, unknown>;
  seed: number;
  /** The resolved scenario, file paths relative to the sweep file's folder. */
  run: AnyScenario;
}

export interface SweepPlan {
  file: string;
  name: string;
  /** The folder the runs' file paths are relative to. */
  base: string;
  /** Hash of the sweep definition and its base scenario's text: results of two sweeps mix only if equal. */
  hash: string;
  /** The swept scenario paths, in column order. */
  columns: string[];
  timeout: number;
  runs: SweepRun[];
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * A run's ID: the first 16 hex digits of the SHA-256 of its resolved scenario, with every file it
 * reads (traces, profiles, catalogs, models) replaced by the digest of its contents. So the same
 * run has the same ID wherever the files sit, and editing a trace gives new IDs.
 */
export function runId(run: AnyScenario, base: string): string {
  const copy = structuredClone(run);
  rebasePaths(copy, (p) => `sha256:${contentDigest(resolve(base, p))}`);
  return sha256(canonicalJson(copy)).slice(0, 16);
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Digest of a file's bytes, or of a folder's names and contents (a saved model); a missing path digests its name. */
function contentDigest(path: string): string {
  let digest = digests.get(path);
  if (digest === undefined) {
    if (!existsSync(path)) digest = sha256(`missing:${path}`);
    else if (statSync(path).isDirectory()) digest = sha256(readdirSync(path).sort().map((name) => `${name}:${contentDigest(join(path, name))}`).join('\n'));
    else digest = sha256(readFileSync(path));
    digests.set(path, digest);
  }
  return digest;
}
/** Files read once per process: a sweep's runs mostly share their traces and profiles. */
const digests = new Map<string, string>();

/** Read a sweep file and expand it into runs; every run's scenario is validated before anything runs. */
export async function planSweep(file: string): Promise<SweepPlan> {
  const data = readYamlFile(file);
  if (data !== null && typeof data === 'object' && !('scenario' in data) && ('pipeline' in data || 'serverless' in data || 'accelerator' in data)) {
    throw new InputError(`${file}: a scenario, not a sweep file (a sweep file names its scenario with scenario:): run it with pipesim run`);
  }
  const parsed = SweepSchema.safeParse(data);
  if (!parsed.success) throw new InputError(formatIssues(file, parsed.error.issues, data, SweepSchema));
  const sweep = parsed.data;
  const base = dirname(resolve(file));
  const scenarioFile = resolve(base, sweep.scenario);
  for (const key of [...Object.keys(sweep.grid), ...Object.keys(sweep.zip)]) {
    try {
      parsePath(key);
    } catch (err) {
      throw new InputError(`${file}: ${key}: not a scenario path (${(err as Error).message})`);
    }
  }
  const zipKeys = Object.keys(sweep.zip);
  const zipLength = zipKeys.length === 0 ? 1 : sweep.zip[zipKeys[0]].length;
  for (const key of zipKeys) {
    if (sweep.zip[key].length !== zipLength) throw new InputError(`${file}: zip.${key}: expected ${zipLength} values like zip.${zipKeys[0]}, got ${sweep.zip[key].length}`);
  }
  const gridKeys = Object.keys(sweep.grid);
  for (const key of gridKeys) if (key in sweep.zip) throw new InputError(`${file}: ${key} is in both grid and zip: sweep it in one of them`);
  for (const key of ['seed']) if (key in sweep.grid || key in sweep.zip) throw new InputError(`${file}: ${key} is swept with seeds: (a count or a list), not in grid or zip`);
  sweep.exclude.forEach((e, i) => {
    for (const key of Object.keys(e)) if (!(key in sweep.grid) && !(key in sweep.zip)) throw new InputError(`${file}: exclude[${i}].${key}: not a swept path (swept: ${[...gridKeys, ...zipKeys].join(', ')})`);
  });
  if (Array.isArray(sweep.seeds) && new Set(sweep.seeds).size !== sweep.seeds.length) throw new InputError(`${file}: seeds: a seed is listed twice`);
  const seeds = typeof sweep.seeds === 'number' ? Array.from({ length: sweep.seeds }, (_, i) => i + 1) : sweep.seeds;

  // Cartesian product of the grid (the last key varies fastest), then each zip row, then seeds.
  let combos: Record<string, unknown>[] = [{}];
  for (const key of gridKeys) combos = combos.flatMap((c) => sweep.grid[key].map((v) => ({ ...c, [key]: v })));
  combos = combos.flatMap((c) => Array.from({ length: zipLength }, (_, i) => ({ ...c, ...Object.fromEntries(zipKeys.map((k) => [k, sweep.zip[k][i]])) })));
  const excluded = (c: Record<string, unknown>) => sweep.exclude.some((e) => Object.entries(e).every(([k, v]) => canonicalJson(c[k]) === canonicalJson(v)));
  combos = combos.filter((c) => !excluded(c));

  const runs: SweepRun[] = [];
  const seen = new Map<string, number>();
  for (const params of combos) {
    const overrides: Override[] = Object.entries(params).map(([path, value]) => ({ path, value, from: base }));
    for (const seed of seeds) {
      let run: AnyScenario;
      try {
        await importScenarioModules(scenarioFile, overrides);
        run = readScenario(scenarioFile, { set: overrides, seed, base });
      } catch (err) {
        const where = Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
        throw err instanceof InputError ? new InputError(`${file}: run with ${where || 'no swept values'}, seed ${seed}:\n${err.message}`) : err;
      }
      const id = runId(run, base);
      const twin = seen.get(id);
      if (twin !== undefined) throw new InputError(`${file}: runs ${twin} and ${runs.length} resolve to the same scenario and seed (a swept path changes nothing?)`);
      seen.set(id, runs.length);
      runs.push({ id, index: runs.length, params, seed, run });
    }
  }
  if (runs.length === 0) throw new InputError(`${file}: the sweep has no runs (everything excluded?)`);
  // The sweep's identity: its swept values and its runs (whose IDs hold the scenarios and the files
  // they read). Not where the files sit, and not the time limit, which may be raised for a retry.
  const hash = sha256(canonicalJson({ grid: sweep.grid, zip: sweep.zip, seeds: sweep.seeds, exclude: sweep.exclude, runs: runs.map((r) => r.id) })).slice(0, 16);
  return {
    file,
    name: sweep.name ?? file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, ''),
    base,
    hash,
    columns: [...gridKeys, ...zipKeys],
    timeout: sweep.timeout,
    runs,
  };
}
