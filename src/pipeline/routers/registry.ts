import { Registry } from '../../plugins/registry.js';
import type { RouterDefinition } from '../router.js';
import { leastLoadedRouter } from './least-loaded.js';
import { roundRobinRouter } from './round-robin.js';

/** Every built-in routing policy a scenario can name under `pipeline.stages[].routing`. */
export const ROUTERS = new Registry<RouterDefinition>('router', [roundRobinRouter, leastLoadedRouter] as RouterDefinition[]);
