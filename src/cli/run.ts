import { once } from 'node:events';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Argv } from 'yargs';
import { SIMULATION_THREAD_LIMITS } from '../engine/threads.js';
import { ExitStatus, InputError } from '../errors.js';
import { atomicTarget } from '../io/atomic.js';
import { loadScenario } from '../kinds/load.js';
import { kindByKey, type AnyScenario } from '../kinds/registry.js';
import { parseOverride } from '../scenario/overrides.js';
import { checkRunSize } from '../scenario/size.js';
import { seedFlag } from './flags.js';
import { Progress } from './progress.js';
import type { RunWorkerMessage, RunWorkerRequest } from './run-worker.js';

/** The run worker bin/pipesim.js started early for `pipesim run`, if it did and nobody took it yet. */
let early: Worker | undefined;
/** The signals bin/pipesim.js catches until the run command takes them over: the first caught, and a way to stop catching. */
export interface EarlySignals {
  caught(): NodeJS.Signals | undefined;
  release(): void;
}
const NO_EARLY_SIGNALS: EarlySignals = { caught: () => undefined, release: () => {} };
let earlySignals = NO_EARLY_SIGNALS;

/** Hand a worker started early, and the launcher's signal catcher, to the run command (see takeRunWorker). */
export function provideRunWorker(worker: Worker | undefined, signals: EarlySignals = NO_EARLY_SIGNALS): void {
  early = worker;
  earlySignals = signals;
}

/** A run worker: the one started early, else a new one. */
function takeRunWorker(): Worker {
  const worker = early ?? startRunWorker();
  early = undefined;
  return worker;
}

/** Start a run worker: it loads its modules, then waits for the run (or `cancel`). */
export function startRunWorker(): Worker {
  return new Worker(new URL('./run-worker.js', import.meta.url), { resourceLimits: SIMULATION_THREAD_LIMITS });
}

/** Let an early worker nobody took (help, bad flags) finish: told to stop, never terminated while it loads. */
export async function releaseRunWorker(): Promise<void> {
  const worker = early;
  early = undefined;
  if (worker === undefined) return;
  worker.postMessage({ type: 'cancel' } satisfies RunWorkerRequest);
  await once(worker, 'exit');
}

/** The error a run worker reported, as the main thread would have thrown it (so the CLI reports it the same way). */
function rebuild(error: Extract<RunWorkerMessage, { type: 'failed' }>['error']): Error {
  if (error.name === 'InputError') return new InputError(error.message);
  const e = Object.assign(new Error(error.message), { code: error.code, path: error.path, syscall: error.syscall, dest: error.dest });
  e.name = error.name;
  if (error.stack !== undefined) e.stack = error.stack;
  return e;
}

/**
 * Run in a worker thread (src/cli/run-worker.ts) so that SIGINT and SIGTERM can stop the run:
 * the worker is stopped once its simulation has started (stopping a thread while it loads
 * modules aborts the process), and everything the run added to `dir` is removed (the folder too
 * if the run made it: `before` lists what was there), so an interrupted run leaves nothing behind.
 * Exit status 130.
 */
async function runInWorker(worker: Worker, run: AnyScenario, dir: string, before: Set<string> | undefined, progress: Progress): Promise<unknown> {
  let started = false;
  let finished = false;
  let interrupted: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    interrupted = signal;
    if (started) void worker.terminate();
  };
  // These handlers come first, then the launcher's catcher goes, then the run is handed over: a
  // signal never finds the process without a handler (the default would kill it as it stands, its
  // files left), and none finds the run started without these. On a busy machine this thread
  // can be held up between any two of these steps while the worker goes on.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  interrupted = earlySignals.caught();
  earlySignals.release();
  try {
    if (interrupted !== undefined) {
      // Told to stop rather than terminated: stopping a thread while it loads modules aborts the process.
      worker.postMessage({ type: 'cancel' } satisfies RunWorkerRequest);
      await once(worker, 'exit');
      throw new ExitStatus(`interrupted (${interrupted}) before the run started: nothing was written`, 130);
    }
    worker.postMessage({ type: 'run', run, dir } satisfies RunWorkerRequest);
    return await new Promise((resolve, reject) => {
      worker.on('message', (m: RunWorkerMessage) => {
        if (m.type === 'started') {
          started = true;
          if (interrupted !== undefined) void worker.terminate();
        } else if (m.type === 'progress') progress.update(m.fraction);
        else if (m.type === 'done') {
          finished = true;
          resolve(m.summary);
        } else reject(rebuild(m.error));
      });
      worker.on('error', reject);
      worker.on('exit', () => {
        if (interrupted === undefined || finished) return;
        if (before === undefined) rmSync(dir, { recursive: true, force: true });
        else for (const f of readdirSync(dir)) if (!before.has(f) || atomicTarget(f) !== undefined) rmSync(join(dir, f), { recursive: true, force: true });
        reject(new ExitStatus(`interrupted (${interrupted}): the run was stopped and nothing it wrote is left in ${dir}`, 130));
      });
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export function defaultRunFolder(name: string, seed: number, root = 'results'): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  let dir = join(root, `${name}-seed${seed}-${stamp}`);
  for (let k = 2; existsSync(dir); k++) dir = join(root, `${name}-seed${seed}-${stamp}-${k}`);
  return dir;
}

export function runCommand(yargs: Argv) {
  return yargs.command(
    'run <scenario>',
    'Simulate a scenario and write its results to a run folder',
    (y) =>
      y
        .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
        .option('seed', { type: 'string', describe: 'override the scenario\'s seed' })
        .option('out', { type: 'string', describe: 'run folder to write (default: a new folder under results/)' })
        .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a scenario value: --set pipeline.stages[0].replicas=8 (repeatable)' })
        .option('json', { type: 'boolean', default: false, describe: 'print summary.json to stdout instead of the short report' })
        .option('quiet', { type: 'boolean', alias: 'q', default: false, describe: 'print nothing but errors' })
        .option('force', { type: 'boolean', default: false, describe: 'run even when the run looks absurdly large (more than 1e10 requests, 100 GB of tables, 1e7 requests in one trace bin)' })
        .example('$0 run scenarios/quickstart.yaml', 'run the bundled example')
        .example('$0 run scenarios/mm4.yaml --seed 7 --set workload.arrivals.rate=450 --out results/mm4-450', 'override values, choose the folder'),
    async (argv) => {
      // Started as early as possible (bin/pipesim.js starts one before the CLI's own imports): it loads
      // its modules on the other core while this thread loads and reads the scenario.
      const worker = takeRunWorker();
      let loaded: AnyScenario;
      let dir: string;
      let before: Set<string> | undefined;
      try {
        ({ loaded, dir } = await prepare(argv));
        if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(`cannot write the run folder ${dir}: it is a file`);
        before = existsSync(dir) ? new Set(readdirSync(dir)) : undefined;
      } catch (err) {
        // Whatever fails before the run is handed over (a refused scenario, an output path that is a
        // file), the worker waits for a message: told to stop rather than terminated, since stopping a
        // thread while it loads modules aborts the process.
        worker.postMessage({ type: 'cancel' } satisfies RunWorkerRequest);
        await once(worker, 'exit');
        throw err;
      }
      const kind = kindByKey(loaded.kind);
      const scenario = loaded.scenario;
      const progress = new Progress(`${scenario.name}`, !argv.quiet && process.stderr.isTTY === true);
      const wallStart = process.hrtime.bigint();
      let summary: unknown;
      try {
        summary = await runInWorker(worker, loaded, dir, before, progress);
      } finally {
        progress.stop();
      }
      const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
      for (const w of kind.warnings?.(summary) ?? []) process.stderr.write(`warning: ${w}\n`);
      if (argv.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else if (!argv.quiet) process.stdout.write(kind.reportText(summary, dir, wall));
    },
  );
}

/** The scenario of a run, checked and sized, and its folder. */
async function prepare(argv: { scenario: string; set: string[]; seed?: string; out?: string; force: boolean }): Promise<{ loaded: AnyScenario; dir: string }> {
  const loaded = await loadScenario(argv.scenario, { set: argv.set.map(parseOverride), seed: argv.seed === undefined ? undefined : seedFlag(argv.seed, '--seed') });
  const scenario = loaded.scenario;
  const estimate = kindByKey(loaded.kind).estimate?.(scenario);
  if (estimate !== undefined) for (const w of checkRunSize(estimate, argv.force)) process.stderr.write(`warning: ${w}\n`);
  return { loaded, dir: argv.out ?? defaultRunFolder(scenario.name as string, scenario.seed) };
}
