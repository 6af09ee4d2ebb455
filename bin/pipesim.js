#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ to dist/ by `npm run build` (run by `npm ci` through `prepare`).
import { Worker } from 'node:worker_threads';

// Ctrl-C or SIGTERM before `pipesim run` has loaded and taken over the signals: remembered here and
// honoured once it has (exit 130, nothing written), instead of killing the process mid-load.
let signalled;
if (process.argv[2] === 'run') for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => (signalled ??= s));

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

main(process.argv.slice(2), { runWorker, signalled: () => signalled }).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.stack : err); process.exitCode = 1; },
);
