import { optionsSchema, type OptionsOf, type OptionsSchema } from '../plugins/options.js';
import type { PluginDefinition } from '../plugins/registry.js';
import type { Replica } from './replica.js';

/**
 * A stage's routing policy: which idle replica gets the next batch. One router per stage and
 * run, so it may keep state (a round-robin pointer).
 */
export interface Router {
  /**
   * The replica for the next batch, from the stage's replicas (every one present: starting,
   * active, draining, retired). At least one is `serving && !busy`, and the one returned must be.
   */
  pick(replicas: readonly Replica[], now: number): Replica;
  /** The replica at `index` left the stage; those after it moved down by one. */
  left?(index: number): void;
}

export interface RouterDefinition<Options extends OptionsSchema = OptionsSchema> extends PluginDefinition<'router'> {
  readonly options: Options;
  create(options: OptionsOf<Options>): Router;
}

/** Define a routing policy a scenario can name under `pipeline.stages[].routing`. */
export function defineRouter<Options extends OptionsSchema = OptionsSchema>(definition: {
  kind: string;
  description?: string;
  options?: Options;
  create(options: OptionsOf<Options>): Router;
}): RouterDefinition<Options> {
  return { ...definition, family: 'router', description: definition.description ?? '', options: optionsSchema(definition.options, `router ${definition.kind}`) as Options };
}
