import { describe, expect, it } from 'vitest';
import { ewma, lastValue, movingMax, oracle, seasonalNaive, reactive } from '../../../src/predictors/baselines.js';
import { forecastErrors } from '../../../src/predictors/evaluate.js';
import { withMargin } from '../../../src/predictors/predictor.js';
import { IPA_WINDOWS, inputAt, makeWindows, targetAt } from '../../../src/predictors/windows.js';

describe('windows and targets', () => {
  // A small spec so the example can be checked by hand: 3 bins of 2 s, horizon 3 s, stride 2 s.
  const spec = { inputBins: 3, binSeconds: 2, horizon: 3, stride: 2 };
  //              t: 0  1  2  3  4  5  6  7  8  9 10
  const series = [1, 5, 2, 2, 0, 7, 3, 9, 4, 1, 6];

  it('builds inputs from bin maxima and targets from the next horizon, by hand', () => {
    expect(Array.from(inputAt(series, 6, spec))).toEqual([5, 2, 7]); // bins [0,2) [2,4) [4,6)
    expect(targetAt(series, 6, spec)).toBe(9); // max of t = 6, 7, 8
    const w = makeWindows(series, spec);
    // t runs from 6 (lookback) while t + 3 <= 11, every 2 s: t = 6, 8.
    expect(Array.from(w.times)).toEqual([6, 8]);
    expect(Array.from(w.inputs)).toEqual([5, 2, 7, 2, 7, 9]);
    expect(Array.from(w.targets)).toEqual([9, 6]);
  });

  it('restricts windows to a range and has IPA\'s spec', () => {
    expect(Array.from(makeWindows(series, spec, 7).times)).toEqual([7]);
    expect(IPA_WINDOWS).toEqual({ inputBins: 12, binSeconds: 10, horizon: 20, stride: 10 });
    const long = Array.from({ length: 400 }, (_, i) => i);
    const w = makeWindows(long, IPA_WINDOWS);
    expect(w.times[0]).toBe(120);
    expect(Array.from(w.inputs.slice(0, 12))).toEqual([9, 19, 29, 39, 49, 59, 69, 79, 89, 99, 109, 119]);
    expect(w.targets[0]).toBe(139);
    expect(w.times[w.times.length - 1]).toBe(380);
  });
});

describe('baselines', () => {
  const h = [4, 8, 6, 2, 10, 3];
  it('last value, moving max, EWMA', () => {
    expect(lastValue().forecast(h)).toBe(3);
    expect(lastValue().forecast([])).toBe(0);
    expect(movingMax(3).forecast(h)).toBe(10);
    expect(movingMax(2).forecast(h)).toBe(10);
    expect(movingMax(1).forecast(h)).toBe(3);
    // alpha 0.5 from 4: 6, 6, 4, 7, 5
    expect(ewma(0.5).forecast(h)).toBeCloseTo(5, 6);
  });

  it("reactive is IPA's: the peak of the last 10-second bin, the peak so far in the first 2 minutes", () => {
    const history = new Array<number>(130).fill(1);
    history[110] = 50; // in the 20 s before, not in the last bin
    history[121] = 7; // the last bin's peak
    history[129] = 2; // the last second
    expect(reactive().forecast(history)).toBe(7);
    expect(lastValue().forecast(history)).toBe(2);
    expect(movingMax(20).forecast(history)).toBe(50);
    // Before 12 bins exist IPA's backup predictor answers: the maximum of everything so far.
    const early = new Array<number>(119).fill(1);
    early[3] = 9;
    expect(reactive().forecast(early)).toBe(9);
    expect(reactive().forecast([...early, 1])).toBe(1);
    expect(reactive().forecast([])).toBe(0);
  });

  it('seasonal naive looks one period back over the horizon, else the maximum so far', () => {
    const p = seasonalNaive(4, 2);
    expect(p.forecast([1, 2, 3])).toBe(3);
    // history length 6: one period back is t = 2; the horizon covers t = 2, 3 -> max(6, 2)
    expect(p.forecast(h)).toBe(6);
  });

  it('the oracle reads the true future peak', () => {
    const trace = [1, 2, 3, 9, 4, 5, 1];
    expect(oracle(trace, 2).forecast([1, 2, 3])).toBe(9); // t = 3, 4
    expect(oracle(trace, 3).forecast([1, 2, 3, 9, 4])).toBe(5);
  });

  it('a margin of m percent multiplies the forecast by 1 + m/100', () => {
    for (const base of [lastValue(), movingMax(3), ewma(0.3)]) {
      expect(withMargin(base, 20).forecast(h)).toBeCloseTo(1.2 * base.forecast(h), 12);
      expect(withMargin(base, 0)).toBe(base);
    }
  });
});

describe('forecast errors', () => {
  it('MAPE, SMAPE, RMSE and under-prediction share by hand', () => {
    const e = forecastErrors([10, 8, 0, 5], [8, 10, 0, 5]);
    expect(e.mape).toBeCloseTo((100 * (2 / 8 + 2 / 10 + 0)) / 3, 12); // the zero target is left out
    expect(e.smape).toBeCloseTo((100 * (2 / 9 + 2 / 9 + 0 + 0)) / 4, 12);
    expect(e.rmse).toBeCloseTo(Math.sqrt((4 + 4) / 4), 12);
    expect(e.underPrediction).toBe(0.25);
  });
});
