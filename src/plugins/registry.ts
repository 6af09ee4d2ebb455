import { InputError } from '../errors.js';
import type { OptionsSchema } from './options.js';

/** The kinds of plug-in a scenario can name: adaptation policies, load predictors, queue disciplines, routing policies. */
export const PLUGIN_FAMILIES = ['adapter', 'predictor', 'discipline', 'router'] as const;
export type PluginFamily = (typeof PLUGIN_FAMILIES)[number];

/** What every plug-in definition has, built-in or a user's: its family, its name in scenarios, what it does, its options. */
export interface PluginDefinition<Family extends PluginFamily = PluginFamily> {
  readonly family: Family;
  readonly kind: string;
  readonly description: string;
  readonly options: OptionsSchema;
}

/** The scenario key that names a plug-in module file instead of a registered kind. */
export const MODULE_KIND = 'module';

/**
 * The definitions of one family by kind. The built-in ones are registered in the family's
 * registry file; a library user's own (given in code to loadScenario) join a copy (`with`).
 */
export class Registry<D extends PluginDefinition> {
  private readonly byKind = new Map<string, D>();

  constructor(
    readonly family: PluginFamily,
    definitions: readonly D[],
  ) {
    for (const d of definitions) this.add(d);
  }

  get definitions(): D[] {
    return [...this.byKind.values()];
  }

  get kinds(): string[] {
    return [...this.byKind.keys()];
  }

  find(kind: string): D | undefined {
    return this.byKind.get(kind);
  }

  get(kind: string): D {
    const found = this.byKind.get(kind);
    if (found === undefined) throw new InputError(`unknown ${this.family} "${kind}" (known: ${this.kinds.join(', ')}; or kind: ${MODULE_KIND} with a path)`);
    return found;
  }

  /** A registry with `extra` definitions added; a kind that is taken, or a definition of another family, is refused. */
  with(extra: readonly PluginDefinition[]): Registry<D> {
    const mine = extra.filter((d) => d.family === this.family) as D[];
    if (mine.length === 0) return this;
    return new Registry<D>(this.family, [...this.definitions, ...mine]);
  }

  private add(d: D): void {
    if (d.family !== this.family) throw new InputError(`${d.kind}: a ${d.family}, not a ${this.family}`);
    if (d.kind === MODULE_KIND) throw new InputError(`a ${this.family} cannot be named "${MODULE_KIND}": that kind names a plug-in file`);
    if (this.byKind.has(d.kind)) throw new InputError(`two ${this.family}s are named "${d.kind}"`);
    this.byKind.set(d.kind, d);
  }
}
