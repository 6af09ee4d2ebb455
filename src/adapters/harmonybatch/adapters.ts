import { z } from 'zod';
import type { ServerlessModel } from '../../profiles/serverless.js';
import type { AdapterDefinition } from '../adapter.js';
import { HarmonyPlanner, type Application, type Plan, type PlanAlgorithm } from './planner.js';

/** What a serverless adapter decides from: the applications with the rates to plan for, and the plan in force. */
export interface ServerlessAdapterInput {
  apps: readonly Application[];
  current: Plan | undefined;
  model: ServerlessModel;
}

export interface ServerlessDecision {
  plan: Plan;
  note: string;
}

type ServerlessAdapter<O extends z.ZodObject> = AdapterDefinition<O, ServerlessAdapterInput, ServerlessDecision>;

function planner(algorithm: PlanAlgorithm, options: z.ZodObject, description: string, keep: boolean) {
  const adapter: ServerlessAdapter<typeof options> = {
    family: 'adapter',
    kind: keep ? 'static' : algorithm,
    description,
    options,
    needsProfile: false,
    decide(input, o) {
      if (keep && input.current !== undefined) return { plan: input.current, note: '' };
      return { plan: new HarmonyPlanner(input.model, { algorithm, ...(o as { cpuSearch?: 'proxy' | 'exhaustive' }) }).plan(input.apps), note: '' };
    },
  };
  return adapter;
}

const HarmonyOptions = z.strictObject({
  cpuSearch: z.enum(['proxy', 'exhaustive']).default('proxy').describe("proxy: the reference's vCPU choice for a CPU function (a cost proxy); exhaustive: the cheapest vCPU on the grid (a fix)"),
});

/** The serverless adapters a scenario can name under `adaptation.adapter.kind`. */
export const SERVERLESS_ADAPTERS = [
  planner('harmony', HarmonyOptions, 'HarmonyBatch: group applications onto CPU and GPU functions, re-planned every interval', false),
  planner('batch', z.strictObject({}), 'BATCH: one CPU function per application (average-latency model), re-planned every interval', false),
  planner('harmony', HarmonyOptions, "HarmonyBatch's plan for the first interval, kept for the whole run", true),
] as const;
