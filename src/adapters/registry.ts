import type { AdapterDefinition } from './adapter.js';
import { fa2Adapter, ipaAdapter, rimAdapter } from './ipa/adapters.js';
import { reactiveAdapter } from './reactive.js';
import { staticAdapter } from './static.js';

/** Every adapter a scenario can name under `adaptation.adapter.kind`. */
export const ADAPTERS: readonly AdapterDefinition[] = [staticAdapter, ipaAdapter, fa2Adapter, rimAdapter, reactiveAdapter] as AdapterDefinition[];

export function adapterByKind(kind: string): AdapterDefinition {
  const found = ADAPTERS.find((a) => a.kind === kind);
  if (found === undefined) throw new RangeError(`unknown adapter "${kind}" (known: ${ADAPTERS.map((a) => a.kind).join(', ')})`);
  return found;
}
