import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type * as TF from '@tensorflow/tfjs';
import { RandomStream } from '../engine/random.js';
import { InputError } from '../errors.js';
import { PIPESIM_VERSION } from '../version.js';
import { definePredictor, maxOf, type LoadPredictor } from './predictor.js';
import { inputAt, lookback, type WindowSpec, type Windows } from './windows.js';
import { loadTf, quietly, type Tf, type TfBackend } from './tf.js';
import { makeFolders } from '../io/atomic.js';

/**
 * IPA's load predictor: one LSTM layer of 25 units (relu, L1 kernel regularisation 1e-5)
 * and a dense output, reading the maxima of the last 12 ten-second bins and predicting the
 * maximum of the next 20 seconds. Inputs and targets are divided by `scale` (the largest
 * training target) so the network sees values near 0..1; forecasts are scaled back.
 */
export interface LstmMetadata {
  format: 'pipesim-lstm';
  formatVersion: 1;
  pipesim: string;
  windows: WindowSpec;
  units: number;
  /** Inputs and targets are divided by this before entering the network. */
  scale: number;
  training: {
    trace: string;
    damping: number;
    dropZeros: boolean;
    /** Seconds of the preprocessed series used for training: [0, trainSeconds). */
    trainSeconds: number;
    /** Index in the raw trace where the test range begins (the first raw second after training). */
    testStartRawIndex: number;
    windows: number;
    epochs: number;
    batchSize: number;
    learningRate: number;
    seed: number;
    backend: string;
  };
  /** Training loss (mean squared error on scaled values, plus the L1 penalty) after each epoch. */
  loss: number[];
}

export const LSTM_DEFAULTS = { units: 25, epochs: 30, batchSize: 64, learningRate: 0.001, l1: 1e-5 } as const;

export class LstmPredictor implements LoadPredictor {
  readonly name = 'lstm';
  private readonly input: Float64Array;
  private readonly lookback: number;

  constructor(
    private readonly tf: Tf,
    readonly model: TF.LayersModel,
    readonly metadata: LstmMetadata,
  ) {
    this.input = new Float64Array(metadata.windows.inputBins);
    this.lookback = lookback(metadata.windows);
  }

  /** Before the input window has filled (IPA: 2 minutes), the maximum seen so far. */
  forecast(history: ArrayLike<number>): number {
    if (history.length < this.lookback) return maxOf(history, 0, history.length);
    inputAt(history, history.length, this.metadata.windows, this.input);
    const scaled = Float32Array.from(this.input, (x) => x / this.metadata.scale);
    return this.tf.tidy(() => {
      const out = this.model.predict(this.tf.tensor3d(scaled, [1, scaled.length, 1])) as TF.Tensor;
      return Math.max(0, out.dataSync()[0] * this.metadata.scale);
    });
  }

  /** Forecasts for many windows at once (evaluation): one batched call instead of one per window. */
  forecastWindows(windows: Windows): Float32Array {
    const n = windows.times.length;
    const bins = this.metadata.windows.inputBins;
    const scaled = windows.inputs.map((x) => x / this.metadata.scale);
    return this.tf.tidy(() => {
      const out = this.model.predict(this.tf.tensor3d(scaled, [n, bins, 1]), { batchSize: 4096 }) as TF.Tensor;
      return (out.dataSync() as Float32Array).map((y) => Math.max(0, y * this.metadata.scale));
    });
  }
}

function buildModel(tf: Tf, spec: WindowSpec, seed: number): TF.Sequential {
  const model = tf.sequential();
  const lstm = tf.layers.lstm({
    units: LSTM_DEFAULTS.units,
    activation: 'relu',
    inputShape: [spec.inputBins, 1],
    kernelRegularizer: tf.regularizers.l1({ l1: LSTM_DEFAULTS.l1 }),
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    recurrentInitializer: tf.initializers.orthogonal({ gain: 1, seed: seed + 1 }),
  }) as TF.layers.Layer & { cell: TF.layers.Layer };
  model.add(lstm);
  // tfjs 4.22 registers the LSTM's kernel regulariser on the inner cell, and model.fit never sees
  // it (measured: the loss is the same with l1 = 1 and l1 = 1e-5). Hand the penalty to the layer.
  lstm.addLoss(lstm.cell.losses);
  model.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) }));
  return model;
}

export interface TrainOptions {
  windows: Windows;
  spec: WindowSpec;
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  backend: TfBackend;
  /** Describes the data, recorded in the metadata. */
  data: Omit<LstmMetadata['training'], 'windows' | 'epochs' | 'batchSize' | 'learningRate' | 'seed' | 'backend'>;
  onEpoch?: (epoch: number, loss: number, seconds: number) => void;
}

/**
 * Train the LSTM. Reproducible on one machine and backend: initial weights come from seeded
 * initializers and each epoch's order of windows from a seeded shuffle (tfjs's own shuffle is
 * not seeded), and batches are fed in that order.
 */
export async function trainLstm(o: TrainOptions): Promise<LstmPredictor> {
  const { tf, backend } = await loadTf(o.backend);
  const n = o.windows.times.length;
  if (n === 0) {
    const needs = lookback(o.spec) + o.spec.horizon;
    throw new InputError(
      `no training windows: the training range holds ${o.data.trainSeconds} s of the trace after preprocessing, and one window needs ${needs} s (${lookback(o.spec)} s of history and a ${o.spec.horizon} s horizon): use a longer trace`,
    );
  }
  const bins = o.spec.inputBins;
  let scale = 0;
  for (const y of o.windows.targets) if (y > scale) scale = y;
  if (scale === 0) scale = 1;
  // tfjs warns that the orthogonal initializer is slow above 2000 elements; ours has 2500, once.
  const model = quietly(() => buildModel(tf, o.spec, o.seed));
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'meanSquaredError' });

  const rng = new RandomStream('shuffle', `pipesim-lstm:${o.seed}`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const x = new Float32Array(n * bins);
  const y = new Float32Array(n);
  const losses: number[] = [];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const started = Date.now();
    for (let i = n - 1; i > 0; i--) {
      const j = rng.integer(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (let k = 0; k < n; k++) {
      const w = order[k];
      for (let b = 0; b < bins; b++) x[k * bins + b] = o.windows.inputs[w * bins + b] / scale;
      y[k] = o.windows.targets[w] / scale;
    }
    const xs = tf.tensor3d(x, [n, bins, 1]);
    const ys = tf.tensor2d(y, [n, 1]);
    const history = await model.fit(xs, ys, { epochs: 1, batchSize: o.batchSize, shuffle: false, verbose: 0 });
    xs.dispose();
    ys.dispose();
    const loss = history.history.loss[0] as number;
    losses.push(loss);
    o.onEpoch?.(epoch + 1, loss, (Date.now() - started) / 1000);
  }
  const metadata: LstmMetadata = {
    format: 'pipesim-lstm',
    formatVersion: 1,
    pipesim: PIPESIM_VERSION,
    windows: o.spec,
    units: LSTM_DEFAULTS.units,
    scale,
    training: { ...o.data, windows: n, epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, seed: o.seed, backend },
    loss: losses,
  };
  return new LstmPredictor(tf, model, metadata);
}

const MODEL_FILES = { topology: 'model.json', weights: 'weights.bin', metadata: 'metadata.json' } as const;

/**
 * Save to a folder: model.json (topology and weight manifest, the TensorFlow.js layers format),
 * weights.bin, metadata.json. Written to a temporary folder and renamed, so a crash never
 * leaves a half-saved model.
 */
export async function saveLstm(predictor: LstmPredictor, dir: string): Promise<void> {
  const { tf } = await loadTf();
  const temp = `${dir}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  makeFolders(temp);
  await predictor.model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(join(temp, MODEL_FILES.weights), Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData)));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(temp, MODEL_FILES.topology), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  writeFileSync(join(temp, MODEL_FILES.metadata), JSON.stringify(predictor.metadata, null, 2) + '\n');
  rmSync(dir, { recursive: true, force: true });
  makeFolders(join(dir, '..'));
  renameSync(temp, dir);
}

export async function loadLstm(dir: string, backend: TfBackend = 'auto'): Promise<LstmPredictor> {
  const { tf } = await loadTf(backend);
  const read = (file: string) => {
    try {
      return readFileSync(join(dir, file));
    } catch (err) {
      throw new InputError(`${dir}: not a pipesim LSTM model (cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  };
  const metadata = JSON.parse(read(MODEL_FILES.metadata).toString('utf8')) as LstmMetadata;
  if (metadata.format !== 'pipesim-lstm') throw new InputError(`${dir}/metadata.json: not a pipesim LSTM model`);
  const modelJson = JSON.parse(read(MODEL_FILES.topology).toString('utf8'));
  const weights = read(MODEL_FILES.weights);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData }));
  return new LstmPredictor(tf, model, metadata);
}

/** The LSTM trained on IPA's Twitter trace that ships with pipesim (models/ipa-lstm). */
export const SHIPPED_LSTM = fileURLToPath(new URL('../../models/ipa-lstm', import.meta.url));

/** Models by folder: each is loaded once per process. */
const loadedModels = new Map<string, Promise<LstmPredictor>>();

export const lstmPredictor = definePredictor({
  kind: 'lstm',
  description: 'IPA\'s LSTM: the peak rate of the next 20 s from the last 2 minutes',
  options: z.strictObject({
    model: z.string().min(1).optional().describe('folder of a model saved by `pipesim predictor train`, relative to the scenario (default: the shipped models/ipa-lstm)'),
  }),
  load(o) {
    const dir = o.model ?? SHIPPED_LSTM;
    let loading = loadedModels.get(dir);
    if (loading === undefined) {
      loading = loadLstm(dir);
      loadedModels.set(dir, loading);
      loading.catch(() => loadedModels.delete(dir));
    }
    return loading;
  },
  create: (_o, context) => {
    if (!(context.loaded instanceof LstmPredictor)) throw new Error('the LSTM was not loaded before the run (prepare the run first)');
    return context.loaded;
  },
});
