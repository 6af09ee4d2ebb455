import { InputError } from '../errors.js';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { uniqueSuffix, writeFileAtomic } from '../io/atomic.js';
import type { SweepPlan, SweepRun } from './spec.js';
import { failureOf, finishedSummary, openStore, removeStale, shardOf, STORE } from './store.js';
import type { SweepTask } from './worker.js';
import { SIMULATION_THREAD_LIMITS } from '../engine/threads.js';

export interface Shard {
  index: number;
  count: number;
}

export interface SweepOptions {
  workers?: number;
  /** Also rerun the runs that failed before (by default they are left as failed). */
  retryFailed?: boolean;
  shard?: Shard;
  onRun?: (event: RunEvent) => void;
  /** Aborting stops the sweep: runs in flight are stopped and leave nothing behind. */
  signal?: AbortSignal;
}

export interface RunEvent {
  run: SweepRun;
  outcome: 'done' | 'failed';
  error?: string;
  seconds?: number;
  done: number;
  failed: number;
  total: number;
}

export interface SweepReport {
  /** Runs of this shard. */
  selected: number;
  /** Finished before this call. */
  skipped: number;
  /** Left as failed before this call (rerun with retryFailed). */
  failedBefore: number;
  done: number;
  failed: number;
  interrupted: boolean;
}

const WORKER = new URL('./worker.js', import.meta.url).href;

/**
 * Run a sweep's runs in a pool of worker threads, one run per task, each into its own folder
 * (see store.ts). Finished runs are skipped, so running again resumes; a run that throws or
 * passes the sweep's time limit is recorded as failed and the others go on.
 */
export async function runSweep(plan: SweepPlan, out: string, options: SweepOptions = {}): Promise<SweepReport> {
  openStore(out, plan);
  const shard = options.shard ?? { index: 0, count: 1 };
  const mine = (id: string) => shardOf(id, shard.count) === shard.index;
  removeStale(out, mine);
  const selected = plan.runs.filter((r) => mine(r.id));
  let skipped = 0;
  let failedBefore = 0;
  const todo: SweepRun[] = [];
  for (const run of selected) {
    if (finishedSummary(out, run.id, run.seed) !== undefined) {
      skipped++;
      // Finished after all (another process, or a merge): an old failure record no longer holds.
      rmSync(join(out, STORE.failed, `${run.id}.json`), { force: true });
    } else if (failureOf(out, run.id) !== undefined && !options.retryFailed) failedBefore++;
    else todo.push(run);
  }
  const report: SweepReport = { selected: selected.length, skipped, failedBefore, done: 0, failed: 0, interrupted: false };
  if (todo.length === 0) return report;

  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), todo.length));
  const pool = new Piscina({ filename: WORKER, minThreads: workers, maxThreads: workers, idleTimeout: 1000, concurrentTasksPerWorker: 1, resourceLimits: SIMULATION_THREAD_LIMITS });
  /** The runs in flight, each with how to stop it (its worker is terminated). */
  const inFlight = new Set<() => void>();
  let stopped = false;
  const onAbort = () => {
    stopped = true;
    report.interrupted = true;
    for (const stop of inFlight) stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const one = async (run: SweepRun) => {
    const limit = new AbortController();
    const startedAt = new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT));
    // Terminate a worker only once its run is simulating: terminating a thread while it is still
    // loading modules aborts the whole process (Node 20: "IsGraphAsync must be used on an
    // instantiated module"). The time limit runs from the start of the simulation.
    let timer: NodeJS.Timeout | undefined;
    const stopWhenRunning = (deadline: (since: number) => number) => {
      const since = startedAt[0];
      const left = since === 0 ? 50 : deadline(since) - Date.now();
      if (left > 0) timer = setTimeout(() => stopWhenRunning(deadline), left);
      else limit.abort();
    };
    const stop = () => {
      clearTimeout(timer);
      stopWhenRunning(() => 0);
    };
    inFlight.add(stop);
    stopWhenRunning((since) => since + plan.timeout * 1000);
    const tmp = join(out, STORE.runs, `.tmp-${run.id}-${uniqueSuffix()}`);
    const task: SweepTask = { run: run.run, base: plan.base, tmp, dir: join(out, STORE.runs, run.id), startedAt };
    try {
      const { seconds } = (await pool.run(task, { signal: limit.signal })) as { seconds: number };
      rmSync(join(out, STORE.failed, `${run.id}.json`), { force: true });
      writeFileAtomic(join(out, STORE.timings, `${run.id}.json`), JSON.stringify({ id: run.id, seconds }) + '\n');
      report.done++;
      options.onRun?.({ run, outcome: 'done', seconds, done: report.done, failed: report.failed, total: todo.length });
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      if (stopped) return; // interrupted: neither done nor failed
      const error = limit.signal.aborted ? `timed out after ${plan.timeout} s` : err instanceof Error ? err.message : String(err);
      writeFileAtomic(join(out, STORE.failed, `${run.id}.json`), JSON.stringify({ id: run.id, params: run.params, seed: run.seed, error }, null, 2) + '\n');
      report.failed++;
      options.onRun?.({ run, outcome: 'failed', error, done: report.done, failed: report.failed, total: todo.length });
    } finally {
      clearTimeout(timer);
      inFlight.delete(stop);
    }
  };
  // One feeder per worker, so a run's time limit starts when a worker takes it, not while it queues.
  let next = 0;
  const feed = async () => {
    while (!stopped && next < todo.length) await one(todo[next++]);
  };
  try {
    await Promise.all(Array.from({ length: workers }, feed));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await pool.destroy();
    removeStale(out, mine);
  }
  return report;
}

/**
 * The shard of this process: `--shard i/N` if given, else a Slurm job array
 * (SLURM_ARRAY_TASK_ID from SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT), else a Kubernetes
 * Indexed Job (JOB_COMPLETION_INDEX, with the count given), else the whole sweep.
 */
export function shardFromEnvironment(flag: string | undefined, env: NodeJS.ProcessEnv, k8sCount?: number): Shard | undefined {
  const make = (index: number, count: number, from: string): Shard => {
    if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 0 && index < count)) {
      throw new InputError(`${from}: expected a shard index in 0..count-1 and a count >= 1, got ${index} of ${count}`);
    }
    return { index, count };
  };
  if (flag !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flag);
    if (!m) throw new InputError(`--shard: expected i/N such as 0/4, got "${flag}"`);
    return make(Number(m[1]), Number(m[2]), '--shard');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    if (env.SLURM_ARRAY_TASK_COUNT === undefined) throw new InputError('SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT: give --shard i/N');
    // Array indices may start anywhere and step (--array=0-14:2): the shard is the task's position.
    const step = Number(env.SLURM_ARRAY_TASK_STEP ?? 1);
    const offset = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    if (!(step >= 1) || offset % step !== 0) throw new InputError(`SLURM_ARRAY_TASK_ID: ${env.SLURM_ARRAY_TASK_ID} is not on the array's steps (min ${env.SLURM_ARRAY_TASK_MIN ?? 0}, step ${step})`);
    return make(offset / step, Number(env.SLURM_ARRAY_TASK_COUNT), 'SLURM_ARRAY_TASK_ID');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (k8sCount === undefined) throw new InputError('JOB_COMPLETION_INDEX is set: give the number of completions with --shard-count');
    return make(Number(env.JOB_COMPLETION_INDEX), k8sCount, 'JOB_COMPLETION_INDEX');
  }
  if (k8sCount !== undefined) throw new InputError('--shard-count is given but JOB_COMPLETION_INDEX is not set: outside a Kubernetes Indexed Job, give --shard i/N');
  return undefined;
}
