import { optionsSchema, type OptionsOf, type OptionsSchema } from '../plugins/options.js';
import type { PluginDefinition } from '../plugins/registry.js';

/**
 * Load forecasting, as IPA's adapter uses it: from the per-second request rates
 * seen so far, predict the highest rate of the coming `horizon` seconds, so the
 * next configuration is sized for the peak, not the mean.
 */
export interface LoadPredictor {
  readonly name: string;
  /**
   * The predicted maximum rate (requests/s) over the next horizon, from `history`:
   * one rate per elapsed second, oldest first, the last entry being the second just ended.
   */
  forecast(history: ArrayLike<number>): number;
}

/** The maximum of history[from, to), clamped to the history; 0 when empty. */
export function maxOf(history: ArrayLike<number>, from: number, to: number): number {
  let m = 0;
  for (let i = Math.max(0, from); i < Math.min(history.length, to); i++) if (history[i] > m) m = history[i];
  return m;
}

/** A predictor whose forecasts are inflated by a safety margin in percent: forecast x (1 + margin/100). */
export function withMargin(predictor: LoadPredictor, marginPercent: number): LoadPredictor {
  if (marginPercent === 0) return predictor;
  const factor = 1 + marginPercent / 100;
  return {
    name: `${predictor.name}+${marginPercent}%`,
    forecast: (history) => predictor.forecast(history) * factor,
  };
}

/** What a predictor is built from in a run, besides its options. */
export interface PredictorContext {
  /** The workload's per-second counts, where it has them (count traces, synthetic workloads): for predictors that read the future. */
  readonly counts: ArrayLike<number> | undefined;
  /** Seconds each of those counts covers. */
  readonly bin: number;
  /** What the definition's `load` gave for these options (a trained model), else undefined. */
  readonly loaded: unknown;
}

/**
 * A load predictor a scenario can name under `adaptation.predictor`: built per run from its
 * options by `create`. `load`, when given, does asynchronous work once per process and options
 * (reading a trained model) before the synchronous simulation starts.
 */
export interface PredictorDefinition<Options extends OptionsSchema = OptionsSchema> extends PluginDefinition<'predictor'> {
  readonly options: Options;
  load?(options: OptionsOf<Options>): Promise<unknown>;
  create(options: OptionsOf<Options>, context: PredictorContext): LoadPredictor;
}

/** Define a load predictor; its options type is inferred from the schema. */
export function definePredictor<Options extends OptionsSchema = OptionsSchema>(definition: {
  kind: string;
  description?: string;
  options?: Options;
  load?(options: OptionsOf<Options>): Promise<unknown>;
  create(options: OptionsOf<Options>, context: PredictorContext): LoadPredictor;
}): PredictorDefinition<Options> {
  return {
    ...definition,
    family: 'predictor',
    description: definition.description ?? '',
    options: optionsSchema(definition.options, `predictor ${definition.kind}`) as Options,
  };
}
