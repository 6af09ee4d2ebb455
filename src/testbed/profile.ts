import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { InputError } from '../errors.js';
import { csvNumber } from '../metrics/csv.js';
import { Distribution } from '../metrics/distribution.js';
import { batchTensor, loadOrt, openSession, type ModelSpec } from './onnx.js';
import type { ReplicaMessage, ReplicaRequest } from './replica-worker.js';

/** One measured point of a model: a batch size on a number of threads. */
export interface ProfileRow {
  batch: number;
  /** ONNX Runtime intra-op threads: the cores the replica uses. */
  cores: number;
  /** Mean wall-clock seconds per batch: the column pipesim's latency tables read. */
  latency: number;
  p50: number;
  p99: number;
  /** Standard deviation over mean. */
  cv: number;
  /** Mean CPU seconds per batch (all of this process's threads): steadier than wall time on a shared machine. NaN with a model alongside (its CPU would count too). */
  cpu: number;
  repetitions: number;
}

export const PROFILE_COLUMNS = ['batch', 'cores', 'latency', 'p50', 'p99', 'cv', 'cpu', 'repetitions'] as const;

export interface ProfileOptions {
  batches: readonly number[];
  threads: readonly number[];
  /** Runs before measuring each point (thread pools start, memory is laid out). */
  warmup: number;
  repetitions: number;
  /**
   * A model kept running on one thread of its own, batch 1 back to back, while this one is measured:
   * what the model costs beside another on the same machine (shared caches, memory bandwidth,
   * hyper-threads), against what it costs alone.
   */
  alongside?: ModelSpec;
  onPoint?: (row: ProfileRow) => void;
  /** How many batches the model alongside ran meanwhile. */
  onAlongside?: (batches: number) => void;
}

/**
 * Time `model` at every thread count and batch size, one session per thread count, batches run
 * back to back in this process (nothing else of pipesim's running): what one replica alone costs,
 * or beside `alongside`.
 */
export async function profileModel(model: ModelSpec, options: ProfileOptions): Promise<ProfileRow[]> {
  const ort = loadOrt();
  const rows: ProfileRow[] = [];
  const background = options.alongside === undefined ? undefined : await runAlongside(options.alongside);
  try {
    for (const threads of options.threads) await profileThreads(ort, model, threads, options, rows);
  } catch (err) {
    await background?.stop().catch(() => undefined);
    throw err;
  }
  if (background !== undefined) options.onAlongside?.(await background.stop());
  return rows;
}

/** Every batch size of `model` on `threads` threads, one session, appended to `rows`. */
async function profileThreads(ort: ReturnType<typeof loadOrt>, model: ModelSpec, threads: number, options: ProfileOptions, rows: ProfileRow[]): Promise<void> {
  const session = await openSession(ort, model, threads);
  try {
    for (const batch of options.batches) {
      const feeds = { [model.input]: batchTensor(ort, model, batch) };
      for (let i = 0; i < options.warmup; i++) await session.run(feeds);
      const wall = new Distribution(0.001);
      let cpu = 0;
      let squares = 0;
      for (let i = 0; i < options.repetitions; i++) {
        const cpuBefore = process.cpuUsage();
        const before = performance.now();
        await session.run(feeds);
        const seconds = (performance.now() - before) / 1000;
        const used = process.cpuUsage(cpuBefore);
        cpu += (used.user + used.system) / 1e6;
        wall.add(seconds);
        squares += seconds * seconds;
      }
      const n = options.repetitions;
      const mean = wall.sum / n;
      const summary = wall.summary();
      const row: ProfileRow = {
        batch,
        cores: threads,
        latency: mean,
        p50: summary.p50 as number,
        p99: summary.p99 as number,
        cv: n > 1 ? Math.sqrt(Math.max(0, (squares - n * mean * mean) / (n - 1))) / mean : 0,
        cpu: options.alongside === undefined ? cpu / n : Number.NaN,
        repetitions: n,
      };
      rows.push(row);
      options.onPoint?.(row);
    }
  } finally {
    await session.release();
  }
}

/**
 * Start `model` in a replica thread (the testbed's own, replica-worker.ts) running batch 1 after
 * batch 1 until stopped (`stop` gives the batches it ran). It loops on its own thread (this one is
 * busy timing the other model) and is stopped between batches, then closed idle: a thread inside
 * ONNX Runtime cannot be terminated.
 */
async function runAlongside(model: ModelSpec): Promise<{ stop: () => Promise<number> }> {
  const worker = new Worker(new URL('./replica-worker.js', import.meta.url));
  // once() rejects on the thread's 'error' event: caught here, so a dying thread is reported where
  // it is awaited rather than as an unhandled rejection.
  const exited = once(worker, 'exit').catch(() => undefined);
  const send = (m: ReplicaRequest) => worker.postMessage(m);
  send({ type: 'open', model, threads: 1, warmupBatches: [1] });
  const [first] = (await once(worker, 'message')) as [ReplicaMessage];
  if (first.type === 'failed') {
    await worker.terminate();
    throw new InputError(`--alongside ${model.path}: ${first.message}`);
  }
  const stop = new Int32Array(new SharedArrayBuffer(4));
  send({ type: 'loop', size: 1, stop });
  // Its one answer (the loop's end, or its failure) is caught whenever it comes.
  const ended = once(worker, 'message').catch((err: Error) => [{ type: 'failed', message: err.message } satisfies ReplicaMessage]);
  return {
    stop: async () => {
      Atomics.store(stop, 0, 1);
      const [m] = (await ended) as [ReplicaMessage];
      send({ type: 'close' });
      await exited;
      if (m.type !== 'looped') throw new Error(`--alongside ${model.path}: ${m.type === 'failed' ? m.message : 'stopped unexpectedly'}`);
      return m.batches;
    },
  };
}

/** The profile as CSV: pipesim's latency tables (`service.profile.path`) and `profiles fit` read batch, cores and latency. */
export function profileCsv(rows: readonly ProfileRow[]): string {
  return PROFILE_COLUMNS.join(',') + '\n' + rows.map((r) => PROFILE_COLUMNS.map((c) => csvNumber(r[c])).join(',') + '\n').join('');
}
