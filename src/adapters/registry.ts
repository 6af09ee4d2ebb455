import { Registry } from '../plugins/registry.js';
import type { AdapterDefinition } from './adapter.js';
import { fa2Adapter, ipaAdapter, rimAdapter } from './ipa/adapters.js';
import { reactiveAdapter } from './reactive.js';
import { staticAdapter } from './static.js';

/** Every built-in adapter a scenario can name under `adaptation.adapter.kind`. */
export const ADAPTERS = new Registry<AdapterDefinition>('adapter', [staticAdapter, ipaAdapter, fa2Adapter, rimAdapter, reactiveAdapter] as AdapterDefinition[]);
