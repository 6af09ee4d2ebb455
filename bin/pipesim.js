#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ to dist/ by `npm run build` (run by `npm ci` through `prepare`).
import { Worker } from 'node:worker_threads';

// Ctrl-C or SIGTERM before `pipesim run` has loaded and taken over the signals: remembered here and
// honoured once it has (exit 130, nothing written), instead of killing the process mid-load. A
// second one stops it at once, as the signal would have (loading could be stuck on a slow file).
const SIGNALS = ['SIGINT', 'SIGTERM'];
let signalled;
const onSignal = (signal) => {
  if (signalled === undefined) {
    signalled = signal;
    process.stderr.write(`pipesim: ${signal}: stopping once loaded (again to stop at once)\n`);
    return;
  }
  for (const s of SIGNALS) process.off(s, onSignal);
  process.kill(process.pid, signal);
};
if (process.argv[2] === 'run') for (const s of SIGNALS) process.on(s, onSignal);
const earlySignals = { caught: () => signalled, release: () => SIGNALS.forEach((s) => process.off(s, onSignal)) };

// `pipesim run` simulates in a worker thread (so Ctrl-C can clean up). Started before the CLI's own
// imports, it loads its modules on the other core meanwhile; the CLI hands it the run, or stops it.
const { SIMULATION_THREAD_LIMITS } = await import('../dist/engine/threads.js');
const runWorker = process.argv[2] === 'run' ? new Worker(new URL('../dist/cli/run-worker.js', import.meta.url), { resourceLimits: SIMULATION_THREAD_LIMITS }) : undefined;
const { main } = await import('../dist/cli/main.js');

// Output piped into `head` and closed early is not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2), { runWorker, earlySignals }).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.stack : err); process.exitCode = 1; },
);
