import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { ewma, lastValue, movingMax, oracle } from '../predictors/baselines.js';
import { loadLstm } from '../predictors/lstm.js';
import { withMargin, type LoadPredictor } from '../predictors/predictor.js';
import type { PredictorSpec, Scenario } from '../scenario/schema.js';

/** The LSTM trained on IPA's Twitter trace that ships with pipesim (models/ipa-lstm). */
export const SHIPPED_LSTM = fileURLToPath(new URL('../../models/ipa-lstm', import.meta.url));

/** What a run needs that takes asynchronous work to load (trained models). */
export interface RunResources {
  lstm?: LoadPredictor;
}

const lstmCache = new Map<string, Promise<LoadPredictor>>();

/** Load what `scenario` needs before it can be simulated; models are loaded once per process. */
export async function loadRunResources(scenario: Scenario): Promise<RunResources> {
  const spec = scenario.adaptation?.predictor;
  if (spec?.kind !== 'lstm') return {};
  const dir = spec.model ?? SHIPPED_LSTM;
  let loading = lstmCache.get(dir);
  if (loading === undefined) {
    loading = loadLstm(dir);
    lstmCache.set(dir, loading);
    loading.catch(() => lstmCache.delete(dir));
  }
  return { lstm: await loading };
}

/** The predictor a scenario names, its margin applied. `counts`: the workload's per-second counts, for the oracle. */
export function buildPredictor(spec: PredictorSpec, counts: ArrayLike<number> | undefined, resources: RunResources, bin = 1): LoadPredictor {
  let predictor: LoadPredictor;
  switch (spec.kind) {
    case 'lstm':
      if (resources.lstm === undefined) throw new Error('the LSTM predictor was not loaded: call loadRunResources(scenario) first');
      predictor = resources.lstm;
      break;
    case 'last-value':
      predictor = lastValue();
      break;
    case 'moving-max':
      predictor = movingMax(Math.max(1, Math.round(spec.window)));
      break;
    case 'ewma':
      predictor = ewma(spec.alpha);
      break;
    case 'oracle':
      if (counts === undefined || bin !== 1) throw new InputError('adaptation.predictor: the oracle reads the future from per-second counts: use a per-second count trace or a synthetic workload');
      predictor = oracle(counts, Math.max(1, Math.round(spec.horizon)));
      break;
  }
  return withMargin(predictor, spec.margin);
}
