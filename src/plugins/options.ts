import { z } from 'zod';
import { formatPath, type PathKey } from '../config/paths.js';
import { formatIssues } from '../config/yaml.js';
import { InputError } from '../errors.js';

/**
 * The schema of a plug-in's options: any Standard Schema (zod, valibot, ArkType, ...), so a
 * plug-in validates with the library its author knows. A plain JSON Schema object is accepted too
 * and converted to zod by `optionsSchema`.
 */
export interface OptionsSchema<Output = unknown> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    validate(value: unknown): StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined;
  };
}

/** What a Standard Schema's validate returns. */
type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly { readonly message: string; readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined }[] };

/** What an options schema gives after validation. */
export type OptionsOf<S> = S extends { readonly '~standard': { readonly types?: { readonly output: infer O } } } ? O : Record<string, unknown>;

const isStandard = (x: unknown): x is OptionsSchema => x !== null && typeof x === 'object' && '~standard' in x;

/** An options schema from what a plug-in author gave: a Standard Schema, a JSON Schema, or nothing (no options). */
export function optionsSchema(given: unknown, owner: string): OptionsSchema {
  if (given === undefined) return z.strictObject({});
  if (isStandard(given)) return given;
  if (given !== null && typeof given === 'object') {
    try {
      return z.fromJSONSchema(given as Parameters<typeof z.fromJSONSchema>[0]) as OptionsSchema;
    } catch (err) {
      throw new InputError(`${owner}: its options schema is neither a Standard Schema (e.g. zod) nor a JSON Schema zod can read: ${(err as Error).message}`);
    }
  }
  throw new InputError(`${owner}: options must be a schema (zod or JSON Schema), got ${typeof given}`);
}

/** Whether the options schema is a zod object of pipesim's own zod, so it can merge into the scenario schema (and its docs). */
export function isMergeable(schema: OptionsSchema): schema is z.ZodObject {
  return schema instanceof z.ZodObject;
}

/**
 * Validate a plug-in's options found at `at` in a document from `source`: the parsed value (defaults
 * filled), or an InputError naming each problem by its full path, as built-in options are named.
 */
export function validateOptions(schema: OptionsSchema, value: unknown, source: string, at: readonly PathKey[], owner: string): unknown {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) throw new InputError(`${source}: ${formatPath(at)}: the options schema of ${owner} validates asynchronously; plug-in options must validate synchronously`);
  if (result.issues === undefined) return result.value;
  const issues = result.issues.map((issue) => ({ message: issue.message, path: [...at, ...(issue.path ?? []).map((k) => (typeof k === 'object' ? k.key : k))] as PathKey[] }));
  // formatIssues reads the offending value from the document root: wrap the options at their place.
  const root: Record<PropertyKey, unknown> = {};
  let node = root;
  at.forEach((k, i) => {
    node[k] = i === at.length - 1 ? value : {};
    node = node[k] as Record<PropertyKey, unknown>;
  });
  throw new InputError(formatIssues(source, issues, at.length === 0 ? value : root));
}
