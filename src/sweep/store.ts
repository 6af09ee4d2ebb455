import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { makeFolders, writeFileAtomic } from '../io/atomic.js';
import type { SweepPlan } from './spec.js';

/**
 * A sweep's results folder:
 *   sweep.json           the sweep (hash, swept columns, every run's ID, parameters and seed)
 *   runs/<id>/           a finished run's folder (renamed into place complete)
 *   runs/.tmp-<id>-...   a run in progress (removed when found stale)
 *   failed/<id>.json     a run that threw or timed out, with its error
 *   timings/<id>.json    how long a run took (kept out of the tables, which must not change)
 */

export interface Manifest {
  name: string;
  hash: string;
  columns: string[];
  runs: { id: string; index: number; params: Record<string, unknown>; seed: number; kind: string }[];
}

export const STORE = { manifest: 'sweep.json', runs: 'runs', failed: 'failed', timings: 'timings' } as const;
/** The tables `pipesim sweep collect` writes into a sweep's folder. */
export const TABLES = { runs: 'runs.csv', parquet: 'runs.parquet', aggregate: 'aggregate.csv', timings: 'timings.csv' } as const;

export function manifestOf(plan: SweepPlan): Manifest {
  return {
    name: plan.name,
    hash: plan.hash,
    columns: plan.columns,
    runs: plan.runs.map((r) => ({ id: r.id, index: r.index, params: r.params, seed: r.seed, kind: r.run.kind })),
  };
}

export function readManifest(out: string): Manifest {
  const file = join(out, STORE.manifest);
  if (!existsSync(file)) throw new InputError(`${out}: not a sweep results folder (no ${STORE.manifest})`);
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (typeof manifest.hash !== 'string' || !Array.isArray(manifest.runs) || !Array.isArray(manifest.columns)) throw new Error('not a sweep manifest');
    return manifest;
  } catch (err) {
    throw new InputError(`${file}: unreadable (${(err as Error).message}); it is written once, when a sweep first runs into ${out}: remove the folder, or use another --out`);
  }
}

/**
 * Create the folder for `plan`, or check that it holds this sweep or one that `plan` extends: the
 * same swept paths, and every run it planned still among `plan`'s runs (more seeds or more values;
 * run IDs hash the scenarios and the files they read, so a run whose scenario, traces or profiles
 * changed has another ID). An extended sweep's manifest is rewritten; its finished runs are kept.
 */
export function openStore(out: string, plan: SweepPlan): void {
  for (const sub of [STORE.runs, STORE.failed, STORE.timings]) makeFolders(join(out, sub));
  const file = join(out, STORE.manifest);
  if (existsSync(file)) {
    const existing = readManifest(out);
    if (existing.hash === plan.hash) return;
    const planned = new Set(plan.runs.map((r) => r.id));
    const missing = existing.runs.filter((r) => !planned.has(r.id));
    if (existing.columns.join('\n') !== plan.columns.join('\n') || missing.length > 0) {
      const why =
        existing.columns.join('\n') !== plan.columns.join('\n')
          ? `it sweeps ${existing.columns.join(', ') || 'seeds only'}, this file ${plan.columns.join(', ') || 'seeds only'}`
          : `${missing.length} of its ${existing.runs.length} runs are not runs of this file (a changed scenario, trace or profile, or a value or seed taken out)`;
      throw new InputError(`${out} holds the results of another sweep: ${why}. A sweep can only be extended in place with more seeds or values: use another --out`);
    }
  }
  writeFileAtomic(file, JSON.stringify(manifestOf(plan), null, 2) + '\n');
}

/**
 * Remove the temporary folders of runs that were in flight when a sweep stopped, among the runs
 * `mine` accepts (other shards may be running into the same folder right now).
 */
export function removeStale(out: string, mine: (id: string) => boolean): void {
  const dir = join(out, STORE.runs);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const m = /^\.tmp-([0-9a-f]+)-/.exec(name);
    if (m && mine(m[1])) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/**
 * A run folder counts as finished only if its summary.json parses, is a pipesim summary for the
 * run's seed, and its scenario.yaml is there; anything else is removed so the run is done again.
 */
export function finishedSummary(out: string, id: string, seed: number): Record<string, unknown> | undefined {
  const dir = join(out, STORE.runs, id);
  if (!existsSync(dir)) return undefined;
  try {
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
    if (typeof summary.pipesim === 'string' && summary.seed === seed && existsSync(join(dir, 'scenario.yaml'))) return summary;
  } catch {
    // unreadable: treated as unfinished below
  }
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

export function failureOf(out: string, id: string): { error: string } | undefined {
  const file = join(out, STORE.failed, `${id}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { error: string };
  } catch {
    return { error: 'unreadable failure record' };
  }
}

/** Which of N shards a run belongs to: fixed by its ID alone. */
export function shardOf(id: string, count: number): number {
  return parseInt(id.slice(0, 8), 16) % count;
}
