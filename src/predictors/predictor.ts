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
