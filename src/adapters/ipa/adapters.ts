import { z } from 'zod';
import { InputError } from '../../errors.js';
import type { PipelineProfile } from '../../profiles/pipeline-profile.js';
import { defineAdapter, type AdapterDecision, type AdapterInput } from '../adapter.js';
import { planIpa, type PlanMode } from './optimizer.js';

/**
 * IPA and its two baselines as adapters: each step, plan for the forecast load with the exact
 * optimizer. `ipa` chooses variants, batches and replicas; `fa2` (scale mode) keeps the
 * variants; `rim` (switch mode) keeps the replica counts. When no plan meets the SLA at the
 * forecast load, the configuration is kept (IPA's adapter also keeps running what it has)
 * and the step's note says why.
 */

const Weights = {
  sla: z
    .union([z.number().positive(), z.literal('rule')])
    .optional()
    .describe('end-to-end latency SLA the plan must meet: seconds, or `rule` for the SLA IPA\'s rule gives on the profile (its slaRule) (default: the profile\'s sla)'),
  alpha: z.number().nonnegative().optional().describe('weight of accuracy (default: the profile\'s)'),
  beta: z.number().nonnegative().optional().describe('weight of cores (default: the profile\'s)'),
  gamma: z.number().nonnegative().optional().describe('weight of the total batch size (default: the profile\'s)'),
  batchCap: z.number().int().positive().optional().describe('largest batch considered (default: the profile\'s)'),
  replicaCap: z.number().int().positive().optional().describe('most replicas per stage (default: the profile\'s)'),
  accuracyMethod: z.enum(['sum', 'average', 'product']).optional().describe('how stage accuracies combine (default: the profile\'s)'),
  normalize: z.enum(['none', 'rank']).optional().describe('accuracy normalisation (default: the profile\'s)'),
};
const IpaOptions = z.strictObject(Weights);
export type IpaOptionValues = z.output<typeof IpaOptions>;

/** The optimizer defaults IPA ran with when a profile gives none. */
const FALLBACK = { alpha: 1, beta: 1, gamma: 0, batchCap: 64, replicaCap: 100, accuracyMethod: 'sum', normalize: 'rank' } as const;

function ruleSla(profile: PipelineProfile): number {
  if (profile.slaRule === undefined) throw new InputError(`adapter option sla: rule: profile ${profile.pipeline} gives no slaRule`);
  return profile.slaRule;
}

/** The optimizer settings for `profile`: each option given in `o`, else the profile's defaults, else IPA's. */
export function ipaSettings(profile: PipelineProfile, o: IpaOptionValues) {
  const d = { ...FALLBACK, ...profile.defaults };
  return {
    sla: o.sla === 'rule' ? ruleSla(profile) : (o.sla ?? profile.sla),
    alpha: o.alpha ?? d.alpha,
    beta: o.beta ?? d.beta,
    gamma: o.gamma ?? d.gamma,
    batchCap: o.batchCap ?? d.batchCap,
    replicaCap: o.replicaCap ?? d.replicaCap,
    accuracyMethod: o.accuracyMethod ?? d.accuracyMethod,
    normalize: o.normalize ?? d.normalize,
  };
}

/** The optimizer mode of each member of the family, by adapter kind. */
export const IPA_MODES: Record<string, PlanMode> = { ipa: 'ipa', fa2: 'scale', rim: 'switch' };

function plan(mode: PlanMode, input: AdapterInput, o: IpaOptionValues): AdapterDecision {
  const profile = input.profile as PipelineProfile;
  const result = planIpa(profile, {
    rate: input.forecast,
    mode,
    ...ipaSettings(profile, o),
    locked: input.current.map((s) => ({ variant: s.variant as string, replicas: s.replicas })),
  });
  if (!result.feasible) return { configuration: input.current, note: `kept: ${result.reason}` };
  return { configuration: result.stages.map((s) => ({ variant: s.variant, batch: s.batch, replicas: s.replicas })), note: '' };
}

/** One member of the family: the optimizer in `mode`. */
function ipaFamily(kind: string, mode: PlanMode, description: string) {
  return defineAdapter({ kind, description, options: IpaOptions, needsProfile: true, decide: (input, o) => plan(mode, input, o) });
}

export const ipaAdapter = ipaFamily('ipa', IPA_MODES.ipa, 'IPA: choose variant, batch and replicas per stage for the forecast load (exact optimizer)');
export const fa2Adapter = ipaFamily('fa2', IPA_MODES.fa2, 'FA2 baseline (IPA scale mode): batch and replicas per stage, variants kept');
export const rimAdapter = ipaFamily('rim', IPA_MODES.rim, 'RIM baseline (IPA switch mode): variant and batch per stage, replicas kept');
