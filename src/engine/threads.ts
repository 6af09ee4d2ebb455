import type { ResourceLimits } from 'node:worker_threads';

/**
 * V8 limits for the worker threads that run simulations (`pipesim run`, sweep workers).
 *
 * A large cluster keeps tens of thousands of requests in flight, and every young-generation
 * collection copies the survivors: with V8's default young generation (16 MB semi-spaces) a
 * 10,000-replica pipeline spent a quarter of its time there. 96 MB lets the young generation
 * grow to 32 MB semi-spaces where survival is high; small runs never grow it, so their memory
 * is unchanged (bench: replica scaling).
 */
export const SIMULATION_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 96 };
