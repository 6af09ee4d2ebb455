import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../src/engine/random.js';
import { lastValue } from '../../../src/predictors/baselines.js';
import { forecastErrors } from '../../../src/predictors/evaluate.js';
import { loadLstm, saveLstm, trainLstm, type LstmPredictor } from '../../../src/predictors/lstm.js';
import { withMargin } from '../../../src/predictors/predictor.js';
import { IPA_WINDOWS, makeWindows } from '../../../src/predictors/windows.js';
import { tempDir } from '../../helpers.js';
import type { Tensor } from '@tensorflow/tfjs';
import { loadTf } from '../../../src/predictors/tf.js';

/** A noisy periodic load: Poisson counts around 20 + 15 sin(2 pi t / 600). */
function periodicTrace(seconds: number): Float64Array {
  const rng = new RandomStreams(5).stream('trace');
  return Float64Array.from({ length: seconds }, (_, t) => rng.poisson(20 + 15 * Math.sin((2 * Math.PI * t) / 600)));
}

describe('LSTM predictor', () => {
  const series = periodicTrace(40_000);
  const trainEnd = 30_000;
  const train = makeWindows(series, IPA_WINDOWS, 0, trainEnd);
  const test = makeWindows(series, IPA_WINDOWS, trainEnd);
  let model: LstmPredictor;

  it('trains reproducibly and beats last-value on held-out windows of a periodic trace', async () => {
    const options = {
      windows: train,
      spec: IPA_WINDOWS,
      epochs: 8,
      batchSize: 64,
      learningRate: 0.005,
      seed: 3,
      backend: 'auto' as const,
      data: { trace: 'synthetic', damping: 1, dropZeros: false, trainSeconds: trainEnd, testStartRawIndex: trainEnd },
    };
    model = await trainLstm(options);
    expect(model.metadata.loss).toHaveLength(8);
    expect(model.metadata.loss[7]).toBeLessThan(model.metadata.loss[0]);
    const lstm = forecastErrors(model.forecastWindows(test), test.targets);
    const last = forecastErrors(Array.from(test.times, (t) => lastValue().forecast(series.subarray(0, t))), test.targets);
    // Measured with seed 3 on the wasm backend: LSTM MAPE 11.3%, under-predicting 56% of windows;
    // last value MAPE 33.3%, under-predicting 92% (it never sees a peak coming).
    expect(lstm.mape).toBeLessThan(0.6 * last.mape);
    expect(lstm.underPrediction).toBeLessThan(last.underPrediction);
    const again = await trainLstm(options);
    expect(Array.from(again.forecastWindows(test))).toEqual(Array.from(model.forecastWindows(test)));
  }, 120_000);

  it('forecast() agrees with the batched forecasts and falls back to the maximum so far before 2 minutes', () => {
    const batched = model.forecastWindows(test);
    for (const w of [0, 17, test.times.length - 1]) {
      expect(model.forecast(series.subarray(0, test.times[w]))).toBeCloseTo(batched[w], 4);
    }
    expect(model.forecast([3, 9, 4])).toBe(9);
    expect(model.forecast([])).toBe(0);
  });

  it('save then load gives identical forecasts and metadata', async () => {
    const dir = join(tempDir(), 'model');
    await saveLstm(model, dir);
    const loaded = await loadLstm(dir);
    expect(loaded.metadata).toEqual(model.metadata);
    expect(Array.from(loaded.forecastWindows(test))).toEqual(Array.from(model.forecastWindows(test)));
  });

  it('the L1 penalty on the LSTM kernel is part of the training loss (tfjs 4.22 drops it unless handed over)', async () => {
    // One epoch with a negligible learning rate: the weights stay put, so the reported loss must
    // be the mean squared error of the initial model plus 1e-5 x sum |kernel|.
    const n = 640; // ten whole batches of 64, so the per-batch average is the overall average
    const windows = { times: train.times.slice(0, n), inputs: train.inputs.slice(0, n * 12), targets: train.targets.slice(0, n) };
    const fresh = await trainLstm({
      windows,
      spec: IPA_WINDOWS,
      epochs: 1,
      batchSize: 64,
      learningRate: 1e-12,
      seed: 9,
      backend: 'auto',
      data: { trace: 'synthetic', damping: 1, dropZeros: false, trainSeconds: trainEnd, testStartRawIndex: trainEnd },
    });
    const { tf } = await loadTf();
    const scale = fresh.metadata.scale;
    const x = tf.tensor3d(windows.inputs.map((v) => v / scale), [n, 12, 1]);
    const y = tf.tensor2d(windows.targets.map((v) => v / scale), [n, 1]);
    const mse = tf.losses.meanSquaredError(y, fresh.model.predict(x) as Tensor).dataSync()[0];
    const penalty = 1e-5 * tf.sum(tf.abs(fresh.model.layers[0].getWeights()[0])).dataSync()[0];
    expect(penalty).toBeGreaterThan(1e-5);
    expect(fresh.metadata.loss[0]).toBeCloseTo(mse + penalty, 6);
  });

  it('a safety margin m multiplies the LSTM forecast by 1 + m/100', () => {
    const h = series.subarray(0, 5000);
    expect(withMargin(model, 20).forecast(h)).toBeCloseTo(1.2 * model.forecast(h), 9);
  });
});
