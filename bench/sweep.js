// Sweep machinery benchmarks, called by bench/run.js (or alone: node bench/sweep.js).
// 1. Parallel efficiency: runs per second of a 200-run sweep of short runs with 2 workers over 1.
// 2. The machine's own ceiling for that ratio: the same 200 runs done by the worker's code in one
//    process, then split over two processes running at once (no pool, no bookkeeping). Two busy
//    cores of a shared virtual machine are each slower than one busy core.
// 3. Per-run overhead: a 200-run sweep of runs that do next to nothing, 1 worker.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runSweep } from '../dist/sweep/run.js';
import { planSweep } from '../dist/sweep/spec.js';
import runTask from '../dist/sweep/worker.js';

/**
 * Seconds for `processes` processes at once to do a sweep's runs between them (run i goes to
 * process i mod processes): the slowest process's time, from its first run to its last, so that
 * starting Node and loading modules is not counted.
 */
async function splitOverProcesses(sweepFile, out, processes) {
  const seconds = await Promise.all(
    Array.from({ length: processes }, (_, part) => new Promise((done, fail) => {
      const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--part', sweepFile, out, String(part), String(processes)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.on('exit', (code) => (code === 0 ? done(Number(text)) : fail(new Error(`part ${part} exited with ${code}`))));
    })),
  );
  return Math.max(...seconds);
}

async function runPart(sweepFile, out, part, parts) {
  const plan = await planSweep(sweepFile);
  const start = process.hrtime.bigint();
  for (let i = part; i < plan.runs.length; i += parts) {
    const run = plan.runs[i];
    await runTask({ run: run.run, base: plan.base, tmp: join(out, `.tmp-${run.id}`), dir: join(out, run.id), startedAt: new Float64Array(1) });
  }
  console.log(Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Each figure is the median of `reps` repetitions, interleaved so that a noisy minute touches all of them alike. */
export async function benchSweeps(reps = 3) {
  const dir = mkdtempSync(join(tmpdir(), 'pipesim-bench-sweep-'));
  try {
    const write = (name, text) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    // 200 short runs: the bundled scenario at 30 requests/s over 4 settings x 50 seeds (about 35 ms each).
    const shortFile = write('short.yaml', `scenario: ${resolve('scenarios/quickstart.yaml')}\ngrid:\n  pipeline.stages[1].replicas: [2, 3, 4, 5]\n  workload.arrivals.rate: [30]\nseeds: 50\n`);
    const short = await planSweep(shortFile);
    // 200 runs of one request each: what the pool, the folders and the bookkeeping cost per run
    // (an upper bound: it includes loading, simulating and writing a one-request run).
    const trivial = await planSweep(write('trivial.yaml', `scenario: ${resolve('bench/scenarios/trivial.yaml')}\nseeds: 200\n`));
    const timed = async (plan, workers, out) => {
      const start = process.hrtime.bigint();
      const report = await runSweep(plan, join(dir, out), { workers });
      if (report.done !== plan.runs.length) throw new Error(`${out}: ${report.done} of ${plan.runs.length} runs done`);
      return Number(process.hrtime.bigint() - start) / 1e9;
    };
    const t = { one: [], two: [], oneProcess: [], twoProcesses: [], trivial: [] };
    for (let r = 0; r < reps; r++) {
      t.one.push(await timed(short, 1, `one-${r}`));
      t.two.push(await timed(short, 2, `two-${r}`));
      t.oneProcess.push(await splitOverProcesses(shortFile, join(dir, `ceiling-1-${r}`), 1));
      t.twoProcesses.push(await splitOverProcesses(shortFile, join(dir, `ceiling-2-${r}`), 2));
      t.trivial.push(await timed(trivial, 1, `trivial-${r}`));
    }
    const one = median(t.one);
    const two = median(t.two);
    return {
      runs: short.runs.length,
      oneWorkerSeconds: one,
      twoWorkerSeconds: two,
      efficiency: one / two,
      machineCeiling: median(t.oneProcess) / median(t.twoProcesses),
      overheadMsPerRun: (1000 * median(t.trivial)) / trivial.runs.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--part') await runPart(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6]));
  else console.log(await benchSweeps());
}
