import { csvNumber } from '../metrics/csv.js';
import { Distribution } from '../metrics/distribution.js';
import { batchTensor, loadOrt, openSession, type ModelSpec } from './onnx.js';

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
  /** Mean CPU seconds per batch (all of this process's threads): steadier than wall time on a shared machine. */
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
  onPoint?: (row: ProfileRow) => void;
}

/**
 * Time `model` at every thread count and batch size, one session per thread count, batches run
 * back to back in this process (nothing else of pipesim's running): what one replica alone costs.
 */
export async function profileModel(model: ModelSpec, options: ProfileOptions): Promise<ProfileRow[]> {
  const ort = loadOrt();
  const rows: ProfileRow[] = [];
  for (const threads of options.threads) {
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
          cpu: cpu / n,
          repetitions: n,
        };
        rows.push(row);
        options.onPoint?.(row);
      }
    } finally {
      await session.release();
    }
  }
  return rows;
}

/** The profile as CSV: pipesim's latency tables (`service.profile.path`) and `profiles fit` read batch, cores and latency. */
export function profileCsv(rows: readonly ProfileRow[]): string {
  return PROFILE_COLUMNS.join(',') + '\n' + rows.map((r) => PROFILE_COLUMNS.map((c) => csvNumber(r[c])).join(',') + '\n').join('');
}
