import { z } from 'zod';
import { positiveDuration } from '../config/units.js';
import { InputError } from '../errors.js';
import { definePredictor, maxOf, type LoadPredictor } from './predictor.js';
import { IPA_WINDOWS, lookback, type WindowSpec } from './windows.js';

/** The rate of the last second. */
export function lastValue(): LoadPredictor {
  return { name: 'last-value', forecast: (h) => (h.length === 0 ? 0 : h[h.length - 1]) };
}

/**
 * IPA's "reactive" predictor, as its adapter computes it: the monitored per-second rates are
 * reduced to the maxima of `spec.binSeconds`-second bins (the bins its LSTM reads) and the
 * forecast is the last bin's maximum. Until the bins cover the LSTM's lookback (2 minutes),
 * IPA's backup predictor answers instead: the maximum of all bins so far.
 */
export function reactive(spec: WindowSpec = IPA_WINDOWS): LoadPredictor {
  return {
    name: 'reactive',
    forecast: (h) => (h.length < lookback(spec) ? maxOf(h, 0, h.length) : maxOf(h, h.length - spec.binSeconds, h.length)),
  };
}

/** The maximum rate of the last `window` seconds. */
export function movingMax(window: number): LoadPredictor {
  return { name: `moving-max-${window}s`, forecast: (h) => maxOf(h, h.length - window, h.length) };
}

/**
 * An exponentially weighted moving average of the per-second rates with smoothing `alpha`
 * (weight of the newest second), recomputed from the history given, so it is a pure function.
 * Only the last ceil(log(1e-6)/log(1-alpha)) seconds matter to 1e-6; older ones are skipped.
 */
export function ewma(alpha: number): LoadPredictor {
  const span = alpha >= 1 ? 1 : Math.ceil(Math.log(1e-6) / Math.log(1 - alpha));
  return {
    name: `ewma-${alpha}`,
    forecast: (h) => {
      if (h.length === 0) return 0;
      const start = Math.max(0, h.length - span);
      let s = h[start];
      for (let i = start + 1; i < h.length; i++) s = alpha * h[i] + (1 - alpha) * s;
      return s;
    },
  };
}

/**
 * Seasonal naive: what happened one season ago. The forecast is the maximum rate over the
 * `horizon` seconds that followed the same moment one `period` earlier; before a whole period
 * of history exists, the maximum seen so far.
 */
export function seasonalNaive(period: number, horizon: number): LoadPredictor {
  return {
    name: `seasonal-naive-${period}s`,
    forecast: (h) => (h.length < period ? maxOf(h, 0, h.length) : maxOf(h, h.length - period, h.length - period + horizon)),
  };
}

/**
 * The oracle: reads the future from the trace itself (the upper bound of what a predictor can
 * do). `history.length` is taken as the current second; the forecast is the true maximum of
 * the next `horizon` seconds.
 */
export function oracle(trace: ArrayLike<number>, horizon: number): LoadPredictor {
  return { name: 'oracle', forecast: (h) => maxOf(trace, h.length, h.length + horizon) };
}

/** The built-in baselines as a scenario names them (`adaptation.predictor.kind`). */
export const reactivePredictor = definePredictor({
  kind: 'reactive',
  description: 'IPA\'s "reactive" predictor: the peak of the last 10-second bin (the maximum so far in the first 2 minutes)',
  options: z.strictObject({}),
  create: () => reactive(),
});

export const lastValuePredictor = definePredictor({
  kind: 'last-value',
  description: 'the rate of the last second',
  options: z.strictObject({}),
  create: () => lastValue(),
});

export const movingMaxPredictor = definePredictor({
  kind: 'moving-max',
  description: 'the peak rate of the last window',
  options: z.strictObject({ window: positiveDuration('window').prefault(20) }),
  create: (o) => movingMax(Math.max(1, Math.round(o.window))),
});

export const ewmaPredictor = definePredictor({
  kind: 'ewma',
  description: 'exponentially weighted moving average',
  options: z.strictObject({ alpha: z.number().gt(0).max(1).default(0.1).describe('weight of the newest second') }),
  create: (o) => ewma(o.alpha),
});

export const oraclePredictor = definePredictor({
  kind: 'oracle',
  description: 'the true peak of the coming horizon, read from the trace (an upper bound for experiments; count traces only)',
  options: z.strictObject({ horizon: positiveDuration('seconds ahead').prefault(20) }),
  create: (o, context) => {
    if (context.counts === undefined || context.bin !== 1) {
      throw new InputError('adaptation.predictor: the oracle reads the future from per-second counts: use a per-second count trace or a synthetic workload');
    }
    return oracle(context.counts, Math.max(1, Math.round(o.horizon)));
  },
});
