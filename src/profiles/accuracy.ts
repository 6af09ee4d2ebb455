import { InputError } from '../errors.js';
import type { StageProfile } from './pipeline-profile.js';

/**
 * How variant accuracies enter IPA's objective.
 * - `none`: the published accuracy as a fraction (percent / 100; negative WER stays negative), as IPA does.
 * - `rank`: within a stage, the variants ordered by accuracy get 0, 1/(n-1), ..., 1 (a single variant gets 1):
 *   IPA's normalisation, which makes stages with different metrics comparable.
 */
export type AccuracyNormalization = 'none' | 'rank';
/** How stage accuracies combine: `sum`, `average`, or `product` (IPA's revised "PAS" measure). */
export type AccuracyMethod = 'sum' | 'average' | 'product';

/** Accuracy of each variant of a stage as the objective sees it, in the stage's variant order. */
export function stageAccuracies(stage: StageProfile, normalize: AccuracyNormalization): number[] {
  if (normalize === 'none') return stage.variants.map((v) => v.accuracy / 100);
  const n = stage.variants.length;
  if (n === 1) return [1];
  // Ties in accuracy are ordered by name, so the result never depends on file order.
  const order = stage.variants
    .map((v, i) => ({ i, accuracy: v.accuracy, name: v.name }))
    .sort((a, b) => a.accuracy - b.accuracy || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out = new Array<number>(n);
  order.forEach((entry, rank) => {
    out[entry.i] = rank / (n - 1);
  });
  return out;
}

/** Combine per-stage accuracies (in stage order) by the method. */
export function combineAccuracy(values: readonly number[], method: AccuracyMethod): number {
  if (method === 'product') {
    let p = 1;
    for (const v of values) p *= v;
    return p;
  }
  let sum = 0;
  for (const v of values) sum += v;
  return method === 'sum' ? sum : sum / values.length;
}

/** The accuracy of one variant per stage, three ways. */
export interface ConfigurationAccuracy {
  /** As IPA's objective sees it: the profile's normalisation and combination. */
  objective: number;
  /** Mean of the published stage accuracies, percent. */
  raw: number;
  /** Product of the published stage accuracies as fractions: IPA's revised measure, PAS. */
  pas: number;
}

/** Accuracy of running `variants` (one name per stage, in stage order). */
export function configurationAccuracy(
  stages: readonly StageProfile[],
  variants: readonly string[],
  method: AccuracyMethod,
  normalize: AccuracyNormalization,
): ConfigurationAccuracy {
  const objective: number[] = [];
  let raw = 0;
  let pas = 1;
  stages.forEach((stage, s) => {
    const i = stage.variants.findIndex((v) => v.name === variants[s]);
    if (i < 0) throw new InputError(`stage ${stage.name} has no variant ${variants[s]}`);
    objective.push(stageAccuracies(stage, normalize)[i]);
    raw += stage.variants[i].accuracy;
    pas *= stage.variants[i].accuracy / 100;
  });
  return { objective: combineAccuracy(objective, method), raw: raw / stages.length, pas };
}
