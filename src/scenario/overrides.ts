import { dirname, relative, resolve } from 'node:path';
import { parsePath, setPath, type PathKey } from '../config/paths.js';
import { parseYamlText, readYamlFile } from '../config/yaml.js';
import { InputError } from '../errors.js';

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
  return { path, value: parseYamlText(text.slice(eq + 1), `--set ${path}`), from: process.cwd() };
}

/** A scenario file's data with the overrides and seed applied (plain data, not yet validated). */
export function readScenarioData(file: string, overrides: readonly Override[], seed: number | undefined): Record<string, unknown> {
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
export function folderOf(file: string, overrides: readonly Override[]): (field: readonly PathKey[]) => string {
  const parsed = overrides.map((o) => ({ keys: parsePath(o.path), from: o.from }));
  return (field) => {
    for (let i = parsed.length - 1; i >= 0; i--) {
      const { keys, from } = parsed[i];
      if (keys.length <= field.length && keys.every((k, j) => String(k) === String(field[j]))) return from ?? dirname(file);
    }
    return dirname(file);
  };
}

/** Relative file paths in a scenario (or its overrides) rewritten relative to `base`. */
export function fromFolder(file: string, overrides: readonly Override[], base: string): (p: string, field: PathKey[]) => string {
  const folder = folderOf(file, overrides);
  return (p, field) => relative(base, resolve(folder(field), p)) || '.';
}
