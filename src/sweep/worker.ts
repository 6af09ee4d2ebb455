import { renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { prepareRun, rebasePaths, runScenarioToFolder } from '../kinds/load.js';
import type { AnyScenario } from '../kinds/registry.js';

/** One sweep run, as the pool hands it to a worker thread. */
export interface SweepTask {
  run: AnyScenario;
  /** The folder the run's file paths are relative to. */
  base: string;
  /** Where to write while running, and where the finished folder goes (renamed in one step). */
  tmp: string;
  dir: string;
  /**
   * Set to Date.now() when the run's simulation starts, after its modules (plug-ins, tfjs) are
   * loaded; shared with the main thread, which stops a run only after that (see run.ts).
   */
  startedAt: Float64Array;
}

/**
 * Run one sweep run in a worker thread: into a temporary folder, renamed into place only when
 * complete, so a crash or a kill never leaves a folder that looks finished. Returns seconds taken.
 */
export default async function runTask(task: SweepTask): Promise<{ seconds: number }> {
  const start = process.hrtime.bigint();
  const any = task.run;
  rebasePaths(any, (p) => resolve(task.base, p));
  rmSync(task.tmp, { recursive: true, force: true });
  // No fsync per table: it serialises the workers on the disk (a fifth of a short run's time
  // with two workers). A killed process still never leaves a folder that looks complete; an
  // operating-system crash may leave the last seconds' folders with truncated files. A folder
  // whose summary.json does not parse is run again (store.ts); other files are not checked.
  const resources = await prepareRun(any);
  task.startedAt[0] = Date.now();
  runScenarioToFolder(any, task.tmp, { resources, durable: false });
  renameSync(task.tmp, task.dir);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}
