import { once } from 'node:events';
import { parentPort } from 'node:worker_threads';
import { prepareRun, runScenarioToFolder } from '../kinds/load.js';
import type { AnyScenario } from '../kinds/registry.js';

/**
 * The simulation of `pipesim run`, in a worker thread: a run is one synchronous loop, and while it
 * runs on the main thread no signal handler can run, so Ctrl-C could not clean up. Here the main
 * thread stays free to stop this thread and remove what the run wrote (src/cli/run.ts).
 */
/**
 * The main thread starts the worker before it reads the scenario, so that the two load their
 * modules at the same time, then sends the run, or `cancel` when the scenario is refused.
 */
export type RunWorkerRequest = { type: 'run'; run: AnyScenario; dir: string } | { type: 'cancel' };

/** Messages to the main thread. */
export type RunWorkerMessage =
  | { type: 'started' }
  | { type: 'progress'; fraction: number }
  | { type: 'done'; summary: unknown }
  | { type: 'failed'; error: { name: string; message: string; stack?: string; code?: string; path?: string; syscall?: string; dest?: string } };

const port = parentPort;
if (port === null) throw new Error('run-worker.js runs as a worker thread of pipesim run');
const post = (message: RunWorkerMessage) => port.postMessage(message);

async function runOne(run: AnyScenario, dir: string): Promise<void> {
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
    const e = (err instanceof Error ? err : new Error(String(err))) as NodeJS.ErrnoException & { dest?: string };
    post({ type: 'failed', error: { name: e.name, message: e.message, stack: e.stack, code: e.code, path: e.path, syscall: e.syscall, dest: e.dest } });
  }
}

const [request] = (await once(port, 'message')) as [RunWorkerRequest];
if (request.type === 'run') await runOne(request.run, request.dir);
port.close();
