import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { PathKey } from '../config/paths.js';
import { InputError } from '../errors.js';
import { MODULE_KIND, type PluginDefinition, type PluginFamily } from './registry.js';

/**
 * Plug-ins from files: a scenario names a JavaScript module with
 * `{kind: module, path: ./my-policy.mjs, export: name, options: {...}}`. Modules are imported
 * once per process (each sweep worker thread imports its own) before the synchronous
 * simulation starts; the simulation then finds them here.
 */

/** The schema of a module reference in a scenario. */
export const ModuleRefSchema = z
  .strictObject({
    kind: z.literal(MODULE_KIND),
    path: z.string({ error: 'expected a file path' }).min(1).describe('JavaScript module file (.mjs or .js), relative to the scenario file'),
    export: z.string().min(1).optional().describe('the export that holds the definition (default: the default export)'),
    options: z.record(z.string(), z.unknown()).default({}).describe('options, checked by the plug-in\'s own schema'),
  })
  .describe('a plug-in from a module file, made with pipesim\'s defineAdapter, definePredictor, defineDiscipline or defineRouter');
export type ModuleRef = z.output<typeof ModuleRefSchema>;

const imported = new Map<string, Record<string, unknown>>();
const importing = new Map<string, Promise<void>>();

/** The library entry point of the running pipesim (dist/index.js beside this file's folder). */
const LIBRARY = new URL('../index.js', import.meta.url);
let resolverRegistered = false;

/**
 * Let plug-ins `import ... from 'pipesim'` wherever their file sits: the name resolves to the
 * running pipesim, so a plug-in written beside a scenario needs no install of its own, and its
 * definitions come from the same modules as the simulator's.
 */
function resolvePipesimForPlugins(): void {
  if (resolverRegistered || !existsSync(fileURLToPath(LIBRARY))) return;
  resolverRegistered = true;
  const hooks = `export async function resolve(specifier, context, next) {
    return specifier === 'pipesim' ? { url: ${JSON.stringify(LIBRARY.href)}, shortCircuit: true } : next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

/** Import the module at `file` (absolute, or relative to the working directory), once per process. */
export function importPluginModule(file: string): Promise<void> {
  const path = resolve(file);
  let loading = importing.get(path);
  if (loading === undefined) {
    if (!existsSync(path)) return Promise.reject(new InputError(`${file}: plug-in module not found`));
    resolvePipesimForPlugins();
    loading = import(pathToFileURL(path).href).then(
      (ns: Record<string, unknown>) => {
        imported.set(path, ns);
      },
      (err: unknown) => {
        importing.delete(path);
        // A syntax error or a failing import in a user's file is theirs to fix: one line, not a stack.
        throw new InputError(`${file}: the plug-in module failed to load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      },
    );
    importing.set(path, loading);
  }
  return loading;
}

/** The definition a module reference names, from a module imported before (see importPluginModule). */
export function pluginFromModule<F extends PluginFamily>(ref: Pick<ModuleRef, 'path' | 'export'>, family: F): PluginDefinition<F> {
  const path = resolve(ref.path);
  const ns = imported.get(path);
  if (ns === undefined) throw new Error(`plug-in module ${ref.path} was not imported before the run (prepare the run first)`);
  const name = ref.export ?? 'default';
  const aFamily = `${family === 'adapter' ? 'an' : 'a'} ${family}`;
  const value = ns[name] as Partial<PluginDefinition> | undefined;
  const exports = Object.keys(ns).join(', ') || 'none';
  if (value === undefined || value === null || typeof value !== 'object') throw new InputError(`${ref.path}: no export "${name}" holding ${aFamily} (its exports: ${exports})`);
  if (value.family !== family) {
    const made = value.family === undefined ? 'not made with a define* function' : `a ${value.family}`;
    throw new InputError(`${ref.path}: export "${name}" is ${made}; expected ${aFamily} (make it with define${family[0].toUpperCase()}${family.slice(1)} from pipesim)`);
  }
  return value as PluginDefinition<F>;
}

/** Where module references sit in raw scenario data: every object with kind "module" and a string path. */
export function findModuleRefs(data: unknown, at: PathKey[] = []): { at: PathKey[]; path: string }[] {
  if (data === null || typeof data !== 'object') return [];
  const node = data as Record<string, unknown>;
  if (node.kind === MODULE_KIND && typeof node.path === 'string') return [{ at, path: node.path }];
  const entries: [PathKey, unknown][] = Array.isArray(data) ? data.map((v, i) => [i, v]) : Object.entries(node);
  return entries.flatMap(([k, v]) => findModuleRefs(v, [...at, k]));
}
