import { InputError } from '../errors.js';

/**
 * Paths into a scenario, as people write them: `pipeline.stages[0].replicas`,
 * `workload.arrivals.rate`. Used by `--set` and by sweep grids.
 */
export type PathKey = string | number;

export function parsePath(text: string): PathKey[] {
  const keys: PathKey[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    const between = text.slice(consumed, match.index);
    if (between !== '' && between !== '.') throw new InputError(`bad path "${text}" near "${between}"`);
    keys.push(match[2] !== undefined ? Number(match[2]) : match[1]);
    consumed = re.lastIndex;
  }
  if (keys.length === 0 || consumed !== text.length) throw new InputError(`bad path "${text}"`);
  return keys;
}

/** `pipeline.stages[1].batch.max` from ['pipeline', 'stages', 1, 'batch', 'max']. */
export function formatPath(keys: readonly PropertyKey[]): string {
  let out = '';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out === '' ? String(k) : `.${String(k)}`;
  }
  return out;
}

/**
 * Set `value` at `path` in a plain object tree, creating objects and arrays on the way. A list
 * index may name an entry or the one after the last (appending), never leave a gap.
 */
export function setPath(root: Record<string, unknown>, path: readonly PathKey[], value: unknown): void {
  let node: any = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (Array.isArray(node) && !(typeof key === 'number' && key <= node.length)) {
      if (typeof key !== 'number') throw new InputError(`${formatPath(path)}: ${formatPath(path.slice(0, i))} is a list: name an entry as [${/^\d+$/.test(key) ? key : 'index'}]`);
      throw new InputError(`${formatPath(path)}: ${formatPath(path.slice(0, i))} has ${node.length} entries, so there is no [${key}] to set`);
    }
    if (i === path.length - 1) break;
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') {
      node[key] = typeof path[i + 1] === 'number' ? [] : {};
    }
    node = node[key];
  }
  node[path[path.length - 1]] = value;
}

/** The value at `path`, or undefined. */
export function getPath(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: any = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = node[key as any];
  }
  return node;
}
