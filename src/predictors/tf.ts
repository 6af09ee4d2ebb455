import type * as TF from '@tensorflow/tfjs';
import { createRequire } from 'node:module';

export type Tf = typeof TF;
export type TfBackend = 'auto' | 'node' | 'wasm' | 'cpu';
export const TF_BACKENDS: readonly TfBackend[] = ['auto', 'node', 'wasm', 'cpu'];

let loaded: { tf: Tf; backend: string } | undefined;

/**
 * Load TensorFlow.js on the fastest backend available, once per process.
 *
 * `auto` uses @tensorflow/tfjs-node when it happens to be installed (it is never a dependency:
 * its install downloads libtensorflow from outside the npm registry), else the WebAssembly
 * backend (about 5x faster than the pure-JS cpu backend at training the LSTM, see
 * docs/ARCHITECTURE.md), else cpu. Loaded lazily, so commands that do not forecast with the LSTM
 * never pay for importing TensorFlow.js.
 */
export async function loadTf(backend: TfBackend = 'auto'): Promise<{ tf: Tf; backend: string }> {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  if (backend === 'auto' || backend === 'node') {
    try {
      // A variable specifier keeps bundlers and the type checker from requiring the package.
      const nodePackage = '@tensorflow/tfjs-node';
      const tf = require(nodePackage) as Tf;
      await tf.ready();
      loaded = { tf, backend: tf.getBackend() };
      return loaded;
    } catch (err) {
      if (backend === 'node') throw new Error(`the node backend needs @tensorflow/tfjs-node, which is not installed (${(err as Error).message.split('\n')[0]})`);
    }
  }
  const tf = quietly(() => require('@tensorflow/tfjs') as Tf);
  if (backend !== 'cpu') {
    require('@tensorflow/tfjs-backend-wasm');
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      loaded = { tf, backend: 'wasm' };
      return loaded;
    }
    if (backend === 'wasm') throw new Error('the wasm backend failed to initialise');
  }
  await quietly(() => tf.setBackend('cpu'));
  await tf.ready();
  loaded = { tf, backend: 'cpu' };
  return loaded;
}

/**
 * Run `fn` with console.warn silenced: TensorFlow.js greets Node users on stdout/stderr with
 * advice to install tfjs-node, which would end up in every command's output.
 */
export function quietly<T>(fn: () => T): T {
  const warn = console.warn;
  const log = console.log;
  console.warn = () => {};
  console.log = () => {};
  try {
    return fn();
  } finally {
    console.warn = warn;
    console.log = log;
  }
}
