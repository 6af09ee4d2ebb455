/**
 * IPA's framing of load prediction as supervised learning. At a time t (a
 * whole second), the input is the last `inputBins` bins of `binSeconds`
 * seconds each, every bin reduced to its maximum rate; the target is the
 * maximum rate of the next `horizon` seconds. Consecutive windows are `stride`
 * seconds apart. IPA: 12 bins of 10 s (the last 2 minutes), horizon 20 s, stride 10 s.
 */
export interface WindowSpec {
  inputBins: number;
  binSeconds: number;
  horizon: number;
  stride: number;
}

export const IPA_WINDOWS: WindowSpec = { inputBins: 12, binSeconds: 10, horizon: 20, stride: 10 };

/** Seconds of history one input needs. */
export function lookback(spec: WindowSpec): number {
  return spec.inputBins * spec.binSeconds;
}

/** The input features at time t (needs t >= lookback): bin maxima, oldest first. */
export function inputAt(series: ArrayLike<number>, t: number, spec: WindowSpec, out: Float64Array = new Float64Array(spec.inputBins)): Float64Array {
  const start = t - lookback(spec);
  for (let k = 0; k < spec.inputBins; k++) {
    let m = 0;
    const from = start + k * spec.binSeconds;
    for (let i = from; i < from + spec.binSeconds; i++) if (series[i] > m) m = series[i];
    out[k] = m;
  }
  return out;
}

/** The target at time t: the maximum of series[t, t + horizon). */
export function targetAt(series: ArrayLike<number>, t: number, spec: WindowSpec): number {
  let m = 0;
  for (let i = t; i < t + spec.horizon; i++) if (series[i] > m) m = series[i];
  return m;
}

export interface Windows {
  /** The time t of each window (inputs end, target starts). */
  times: Int32Array;
  /** times.length x inputBins, row-major. */
  inputs: Float32Array;
  targets: Float32Array;
}

/**
 * All windows of a series whose input and target both fit, t running from `lookback` in
 * steps of `stride`, within [from, to) if given (t is the boundary between input and target).
 */
export function makeWindows(series: ArrayLike<number>, spec: WindowSpec, from = 0, to = series.length): Windows {
  const first = Math.max(lookback(spec), from);
  const last = Math.min(series.length, to) - spec.horizon; // the last t whose target fits
  const count = last >= first ? Math.floor((last - first) / spec.stride) + 1 : 0;
  const times = new Int32Array(count);
  const inputs = new Float32Array(count * spec.inputBins);
  const targets = new Float32Array(count);
  const row = new Float64Array(spec.inputBins);
  for (let w = 0; w < count; w++) {
    const t = first + w * spec.stride;
    times[w] = t;
    inputs.set(inputAt(series, t, spec, row), w * spec.inputBins);
    targets[w] = targetAt(series, t, spec);
  }
  return { times, inputs, targets };
}
