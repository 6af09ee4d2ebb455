import { closest, distance } from 'fastest-levenshtein';
import YAML from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { readTextFile } from '../io/read.js';
import { formatPath, getPath } from './paths.js';

/** Read a YAML file into plain data, with the file and line in any syntax error. */
export function readYamlFile(file: string): unknown {
  return parseYamlText(readTextFile(file, 'file'), file);
}

/**
 * YAML text into plain data. A syntax error is an InputError with `source` and the line; so is a
 * document whose aliases expand past yaml's limit (an "alias bomb": a few lines that would expand
 * to gigabytes), which yaml reports as a ReferenceError.
 */
export function parseYamlText(text: string, source: string): unknown {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0];
    throw new InputError(`${source}${line ? `:${line.line}:${line.col}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  try {
    return doc.toJS();
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      // The YAML library reports both an alias bomb and an alias to no anchor this way.
      throw new InputError(`${source}: invalid YAML: ${/excessive alias/i.test(err.message) ? `its aliases expand too far (${err.message})` : err.message}`);
    }
    throw err;
  }
}

/** A validation problem: where (keys from the document's root), and what. zod's issues and Standard Schema issues both fit. */
export interface Issue {
  code?: string;
  path?: readonly PropertyKey[] | readonly ({ key: PropertyKey } | PropertyKey)[];
  message: string;
  keys?: readonly string[];
}

/** Path keys of an issue, whether given as keys or as Standard Schema path segments ({key}). */
export function issuePath(issue: Issue): PropertyKey[] {
  return (issue.path ?? []).map((k) => (typeof k === 'object' && k !== null ? k.key : k));
}

/**
 * The keys an object at `path` of data valid for `schema` may have (through optional, default,
 * array and union wrappers); empty where the schema cannot tell. For "did you mean" hints.
 */
export function keysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      if (path.length === 0) return Object.keys(shape);
      const next = shape[String(path[0])];
      return next === undefined ? [] : keysAt(next, path.slice(1));
    }
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'catch':
      return keysAt(def.innerType as z.core.$ZodType, path);
    case 'pipe':
      return keysAt(def.in as z.core.$ZodType, path);
    case 'array':
      return path.length === 0 ? [] : keysAt(def.element as z.core.$ZodType, path.slice(1));
    case 'union':
      return [...new Set((def.options as z.core.$ZodType[]).flatMap((o) => keysAt(o, path)))];
    default:
      return [];
  }
}

/** ", did you mean X?" when a known key is within a few edits of `key`, else nothing. */
function suggestion(key: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const best = closest(key, [...known]);
  return distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(best.length / 3)) ? ` (did you mean ${best}?)` : '';
}

/**
 * Turn validation issues into one line each: `file: path.to.key: what was expected, got what`.
 * `source` names where the data came from: a file, or per path (a value an override set is named
 * as such, not blamed on the file).
 */
export function formatIssues(source: string | ((path: string) => string), issues: readonly (Issue | z.core.$ZodIssue)[], input: unknown, schema?: z.core.$ZodType): string {
  const from = typeof source === 'string' ? () => source : source;
  const lines = issues.map((raw) => {
    const issue = raw as Issue;
    const at = issuePath(issue);
    if (issue.code === 'unrecognized_keys' && issue.keys !== undefined) {
      const known = schema === undefined ? [] : keysAt(schema, at);
      return issue.keys.map((k) => `${from(formatPath([...at, k]))}: ${formatPath([...at, k])}: unknown key${suggestion(k, known)}`).join('\n');
    }
    const path = formatPath(at) || '(top level)';
    const origin = from(path);
    const value = getPath(input, at);
    const got = value === undefined ? 'nothing' : JSON.stringify(value);
    const message = issue.code === 'invalid_union' && value === undefined ? 'required' : issue.message;
    return `${origin}: ${path}: ${message}, got ${got}`;
  });
  return lines.join('\n');
}

/** Validate `data` with a zod schema; an InputError listing every problem, each with its path, if it does not fit. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown, source: string): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new InputError(formatIssues(source, result.error.issues, data, schema));
  return result.data;
}
