import { relative, resolve, sep } from 'node:path';
import YAML from 'yaml';
import type { PathKey } from '../config/paths.js';

/** Maps every file path a scenario holds, in place (a scenario kind's `paths`). */
export type PathMapper<S> = (scenario: S, map: (path: string, field: PathKey[]) => string) => void;

/** `file` (absolute, or relative to the working directory) as a path relative to `folder`, with forward slashes. */
export function pathFrom(folder: string, file: string): string {
  return relative(resolve(folder), resolve(file)).split(sep).join('/') || '.';
}

/**
 * The text of a run folder's `scenario.yaml`: the resolved scenario with its file paths relative
 * to that folder (paths in `scenario` are relative to the working directory or absolute), so that
 * `pipesim run FOLDER/scenario.yaml` runs it again from any working directory.
 */
export function scenarioFileText<S>(scenario: S, folder: string, paths: PathMapper<S>): string {
  const copy = structuredClone(scenario);
  paths(copy, (p) => pathFrom(folder, p));
  return YAML.stringify(copy);
}

/** A path into a trace-kind arrivals spec, mapped in place (every kind's workloads may name trace files). */
export function mapTracePath(arrivals: { kind: string; path?: string }, at: PathKey[], map: (path: string, field: PathKey[]) => string): void {
  if (arrivals.kind === 'trace' && arrivals.path !== undefined) arrivals.path = map(arrivals.path, [...at, 'path']);
}
