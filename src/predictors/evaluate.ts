/** Forecast errors over a set of windows (predictions against true targets). */
export interface ForecastErrors {
  windows: number;
  /** Mean absolute percentage error, over windows with a non-zero target. */
  mape: number;
  /** Symmetric MAPE: mean of |p - y| / ((|p| + |y|) / 2), 0 when both are 0. */
  smape: number;
  rmse: number;
  /** Share of windows predicted below the true peak: the ones that under-provision. */
  underPrediction: number;
}

export function forecastErrors(predictions: ArrayLike<number>, targets: ArrayLike<number>): ForecastErrors {
  const n = targets.length;
  if (predictions.length !== n) throw new Error(`${predictions.length} predictions for ${n} targets`);
  let ape = 0;
  let apeCount = 0;
  let sape = 0;
  let sq = 0;
  let under = 0;
  for (let i = 0; i < n; i++) {
    const p = predictions[i];
    const y = targets[i];
    const err = p - y;
    if (y !== 0) {
      ape += Math.abs(err / y);
      apeCount++;
    }
    const denom = (Math.abs(p) + Math.abs(y)) / 2;
    if (denom > 0) sape += Math.abs(err) / denom;
    sq += err * err;
    if (p < y) under++;
  }
  return {
    windows: n,
    mape: apeCount > 0 ? (100 * ape) / apeCount : NaN,
    smape: n > 0 ? (100 * sape) / n : NaN,
    rmse: n > 0 ? Math.sqrt(sq / n) : NaN,
    underPrediction: n > 0 ? under / n : NaN,
  };
}
