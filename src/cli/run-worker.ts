import { parentPort, workerData } from 'node:worker_threads';
import { prepareRun, runScenarioToFolder } from '../kinds/load.js';
import type { AnyScenario } from '../kinds/registry.js';

/**
 * The simulation of `pipesim run`, in a worker thread: a run is one synchronous loop, and while it
 * runs on the main thread no signal handler can run, so Ctrl-C could not clean up. Here the main
 * thread stays free to stop this thread and remove what the run wrote (src/cli/run.ts).
 */
export interface RunWorkerData {
  run: AnyScenario;
  dir: string;
}

/** Messages to the main thread. */
export type RunWorkerMessage =
  | { type: 'started' }
  | { type: 'progress'; fraction: number }
  | { type: 'done'; summary: unknown }
  | { type: 'failed'; error: { name: string; message: string; stack?: string; code?: string; path?: string; syscall?: string; dest?: string } };

const port = parentPort;
if (port === null) throw new Error('run-worker.js runs as a worker thread of pipesim run');
const { run, dir } = workerData as RunWorkerData;
const post = (message: RunWorkerMessage) => port.postMessage(message);
try {
  const resources = await prepareRun(run);
  post({ type: 'started' });
  let last = -1;
  const summary = runScenarioToFolder(run, dir, {
    resources,
    onProgress: (fraction) => {
      // A message per thousandth at most: the main thread only redraws a bar.
      const step = Math.floor(fraction * 1000);
      if (step === last) return;
      last = step;
      post({ type: 'progress', fraction });
    },
  });
  post({ type: 'done', summary });
} catch (err) {
  const e = err instanceof Error ? (err as NodeJS.ErrnoException & { dest?: string }) : new Error(String(err));
  const { code, path, syscall, dest } = e as NodeJS.ErrnoException & { dest?: string };
  post({ type: 'failed', error: { name: e.name, message: e.message, stack: e.stack, code, path, syscall, dest } });
}
