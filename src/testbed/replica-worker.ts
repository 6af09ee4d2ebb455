import { parentPort } from 'node:worker_threads';
import { batchTensor, loadOrt, openSession, type ModelSpec, type OrtSession, type OrtTensor } from './onnx.js';

/**
 * One replica of the serving testbed: a worker thread holding one ONNX Runtime session.
 * `session.run` keeps its thread busy for the whole inference, so each replica has a thread of
 * its own and the main thread (load generator, queues, batchers) stays free. A replica is only
 * ever closed when idle: terminating a thread inside ONNX Runtime aborts the process.
 */
export type ReplicaRequest =
  | { type: 'open'; model: ModelSpec; threads: number; warmupBatches: number[] }
  | { type: 'batch'; size: number }
  /**
   * Batches of `size` back to back until `stop[0]` is set (a background load: see profile.ts). A
   * flag, not a message: while the thread runs the model no message reaches it.
   */
  | { type: 'loop'; size: number; stop: Int32Array }
  | { type: 'close' };

export type ReplicaMessage =
  | { type: 'ready' }
  | { type: 'done'; size: number; inference: number }
  | { type: 'looped'; batches: number }
  | { type: 'failed'; message: string };

const port = parentPort;
if (port === null) throw new Error('replica-worker.js runs as a worker thread of the serving testbed');
const post = (m: ReplicaMessage) => port.postMessage(m);

const ort = loadOrt();
let session: OrtSession | undefined;
let model: ModelSpec | undefined;
const inputs = new Map<number, Record<string, OrtTensor>>();
const feedsFor = (size: number) => {
  let feeds = inputs.get(size);
  if (feeds === undefined) {
    const spec = model as ModelSpec;
    feeds = { [spec.input]: batchTensor(ort, spec, size) };
    inputs.set(size, feeds);
  }
  return feeds;
};

port.on('message', (m: ReplicaRequest) => {
  void (async () => {
    try {
      if (m.type === 'open') {
        model = m.model;
        session = await openSession(ort, m.model, m.threads);
        if (!session.inputNames.includes(m.model.input)) throw new Error(`${m.model.path} has no input named ${m.model.input} (its inputs: ${session.inputNames.join(', ')})`);
        for (const size of m.warmupBatches) await session.run(feedsFor(size));
        post({ type: 'ready' });
      } else if (m.type === 'loop') {
        let batches = 0;
        for (; Atomics.load(m.stop, 0) === 0; batches++) await (session as OrtSession).run(feedsFor(m.size));
        post({ type: 'looped', batches });
      } else if (m.type === 'batch') {
        // Wall time only: process.cpuUsage counts every thread of the process (Node 20 has no per-thread figure).
        const before = performance.now();
        await (session as OrtSession).run(feedsFor(m.size));
        post({ type: 'done', size: m.size, inference: (performance.now() - before) / 1000 });
      } else {
        await session?.release();
        port.close();
      }
    } catch (err) {
      post({ type: 'failed', message: (err as Error).message });
    }
  })();
});
