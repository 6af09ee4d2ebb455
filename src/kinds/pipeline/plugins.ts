import { resolve } from 'node:path';
import { formatPath, type PathKey } from '../../config/paths.js';
import { InputError } from '../../errors.js';
import { ADAPTERS } from '../../adapters/registry.js';
import type { AdapterDefinition } from '../../adapters/adapter.js';
import type { DisciplineDefinition } from '../../pipeline/discipline.js';
import { DISCIPLINES } from '../../pipeline/disciplines/registry.js';
import type { RouterDefinition } from '../../pipeline/router.js';
import { ROUTERS } from '../../pipeline/routers/registry.js';
import { isMergeable, validateOptions } from '../../plugins/options.js';
import { pluginFromModule } from '../../plugins/modules.js';
import { MODULE_KIND, type PluginDefinition, type PluginFamily, type Registry } from '../../plugins/registry.js';
import type { PredictorDefinition } from '../../predictors/predictor.js';
import { PREDICTORS } from '../../predictors/registry.js';

/** The plug-ins a pipeline scenario can name, by family: the built-in registries, plus a library user's own. */
export interface PipelinePlugins {
  adapters: Registry<AdapterDefinition>;
  predictors: Registry<PredictorDefinition>;
  disciplines: Registry<DisciplineDefinition>;
  routers: Registry<RouterDefinition>;
}

export const BUILTIN_PLUGINS: PipelinePlugins = { adapters: ADAPTERS, predictors: PREDICTORS, disciplines: DISCIPLINES, routers: ROUTERS };

/** The built-ins plus definitions made in code (defineAdapter, ...), each joining its family. */
export function withPlugins(extra: readonly PluginDefinition[]): PipelinePlugins {
  if (extra.length === 0) return BUILTIN_PLUGINS;
  return {
    adapters: ADAPTERS.with(extra),
    predictors: PREDICTORS.with(extra),
    disciplines: DISCIPLINES.with(extra),
    routers: ROUTERS.with(extra),
  };
}

/** A plug-in slot's definition and options. */
export interface Resolved<D> {
  definition: D;
  options: unknown;
}

/** Keys of a slot value that are not the plug-in's options. */
const SLOT_KEYS: Record<PluginFamily, readonly string[]> = { adapter: ['kind'], predictor: ['kind', 'margin'], discipline: ['kind'], router: ['kind'] };

/**
 * The definition and options a slot names: a kind as a string (default options), a kind with its
 * options beside it, or a module file (imported before; see importPluginModule) with `options`.
 */
export function resolvePlugin<D extends PluginDefinition>(registry: Registry<D>, value: unknown): Resolved<D> {
  if (typeof value === 'string') {
    const definition = registry.get(value);
    const parsed = definition.options['~standard'].validate({});
    if (parsed instanceof Promise || parsed.issues !== undefined) throw new InputError(`${registry.family} ${value} needs options: give it as {kind: ${value}, ...}`);
    return { definition, options: parsed.value };
  }
  const spec = value as { kind: string; path?: string; export?: string; options?: unknown };
  if (spec.kind === MODULE_KIND) return { definition: pluginFromModule(spec as { path: string; export?: string }, registry.family) as D, options: spec.options ?? {} };
  const options = Object.fromEntries(Object.entries(spec).filter(([k]) => !SLOT_KEYS[registry.family].includes(k)));
  return { definition: registry.get(spec.kind), options };
}

/**
 * The plug-in slots of a pipeline scenario, with where each sits: the adapter, the predictor, and
 * each stage's discipline and routing.
 */
export function pluginSlots(scenario: {
  adaptation?: { adapter: unknown; predictor: unknown };
  pipeline: { stages: { queue: { discipline: unknown }; routing: unknown }[] };
}): { family: PluginFamily; at: PathKey[]; value: unknown; set(value: unknown): void }[] {
  const slots: ReturnType<typeof pluginSlots> = [];
  const adaptation = scenario.adaptation;
  if (adaptation !== undefined) {
    slots.push({ family: 'adapter', at: ['adaptation', 'adapter'], value: adaptation.adapter, set: (v) => (adaptation.adapter = v) });
    slots.push({ family: 'predictor', at: ['adaptation', 'predictor'], value: adaptation.predictor, set: (v) => (adaptation.predictor = v) });
  }
  scenario.pipeline.stages.forEach((stage, i) => {
    slots.push({ family: 'discipline', at: ['pipeline', 'stages', i, 'queue', 'discipline'], value: stage.queue.discipline, set: (v) => (stage.queue.discipline = v) });
    slots.push({ family: 'router', at: ['pipeline', 'stages', i, 'routing'], value: stage.routing, set: (v) => (stage.routing = v) });
  });
  return slots;
}

function registryOf(plugins: PipelinePlugins, family: PluginFamily): Registry<PluginDefinition> {
  return { adapter: plugins.adapters, predictor: plugins.predictors, discipline: plugins.disciplines, router: plugins.routers }[family] as Registry<PluginDefinition>;
}

/**
 * What the scenario schema could not check: the options of module plug-ins and of a user's
 * plug-ins whose schema is not pipesim's zod, checked by their own schemas (defaults filled in
 * place), with errors named by path in `source`. Modules must have been imported.
 */
export function checkPluginOptions(
  scenario: Parameters<typeof pluginSlots>[0],
  plugins: PipelinePlugins,
  source: string,
  /** The folder a module's relative path at a field is relative to. */
  folderOf: (field: readonly PathKey[]) => string,
): void {
  for (const slot of pluginSlots(scenario)) {
    if (typeof slot.value === 'string') continue;
    const value = slot.value as { kind: string; path?: string; options?: unknown };
    const located = value.kind === MODULE_KIND ? { ...value, path: resolve(folderOf([...slot.at, 'path']), value.path as string) } : value;
    let definition: PluginDefinition;
    try {
      definition = resolvePlugin(registryOf(plugins, slot.family), located).definition;
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`${source}: ${formatPath(slot.at)}: ${err.message}`);
      throw err;
    }
    const owner = `${slot.family} ${definition.kind}`;
    if (value.kind === MODULE_KIND) {
      slot.set({ ...value, options: validateOptions(definition.options, value.options ?? {}, source, [...slot.at, 'options'], owner) });
    } else if (!isMergeable(definition.options)) {
      const keep = SLOT_KEYS[slot.family];
      const options = Object.fromEntries(Object.entries(value).filter(([k]) => !keep.includes(k)));
      const parsed = validateOptions(definition.options, options, source, slot.at, owner) as Record<string, unknown>;
      slot.set({ ...Object.fromEntries(Object.entries(value).filter(([k]) => keep.includes(k))), ...parsed });
    }
  }
}
