import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import type { Argv } from 'yargs';
import { ExitStatus, InputError } from '../errors.js';
import { makeFolders, uniqueSuffix, writeFileAtomic } from '../io/atomic.js';
import { COMMON_RUN_FILES } from '../scenario/run-folder.js';
import { movedScenarioFileText } from '../kinds/load.js';
import { runSweep, shardFromEnvironment, type RunEvent } from '../sweep/run.js';
import { planSweep } from '../sweep/spec.js';
import { failureOf, finishedSummary, readManifest, STORE, TABLES } from '../sweep/store.js';

/** Seconds the plan's probe run may take at most, whatever the sweep's time limit. */
const PROBE_LIMIT = 120;

/**
 * Collecting loads arquero and the Parquet writer (about 0.2 s), so it is imported when a command
 * collects, not whenever pipesim starts.
 */
async function collectSweep(dir: string) {
  return (await import('../sweep/collect.js')).collectSweep(dir);
}

function describeParams(params: Record<string, unknown>, seed: number): string {
  return [...Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`), `seed=${seed}`].join(' ');
}

export function sweepCommand(yargs: Argv) {
  return yargs.command('sweep', 'Run grids of scenarios over parameters and seeds: plan, run (parallel, resumable, sharded), collect, merge', (y) =>
    y
      .command(
        'plan <file>',
        'List the runs of a sweep file and estimate the time from a probe run',
        (c) =>
          c
            .positional('file', { type: 'string', demandOption: true, describe: 'sweep YAML file' })
            .option('show', { type: 'number', default: 5, describe: 'how many runs to list' })
            .option('probe', { type: 'boolean', default: true, describe: 'time the first run to estimate the whole sweep' })
            .option('workers', { type: 'number', default: availableParallelism(), describe: 'workers the estimate assumes' }),
        async (argv) => {
          const plan = await planSweep(argv.file);
          const lines = [`${plan.name}: ${plan.runs.length} runs (${plan.columns.length ? plan.columns.join(', ') : 'no swept values'} x seeds), sweep ${plan.hash}`];
          for (const r of plan.runs.slice(0, argv.show)) lines.push(`  ${r.id}  ${describeParams(r.params, r.seed)}`);
          if (plan.runs.length > argv.show) lines.push(`  ... and ${plan.runs.length - argv.show} more`);
          if (argv.probe) {
            // The first run, in a worker under the sweep's time limit (at most PROBE_LIMIT s), in a
            // temporary folder removed however the probe ends.
            const dir = mkdtempSync(join(tmpdir(), 'pipesim-probe-'));
            const interrupt = new AbortController();
            const onSignal = () => interrupt.abort();
            process.once('SIGINT', onSignal);
            process.once('SIGTERM', onSignal);
            try {
              let outcome: RunEvent | undefined;
              const probe = { ...plan, timeout: Math.min(plan.timeout, PROBE_LIMIT), runs: plan.runs.slice(0, 1) };
              const report = await runSweep(probe, dir, { workers: 1, signal: interrupt.signal, onRun: (e) => (outcome = e) });
              if (report.interrupted) throw new ExitStatus('interrupted', 130);
              if (outcome?.seconds !== undefined) {
                const total = (outcome.seconds * plan.runs.length) / Math.max(1, argv.workers);
                lines.push(`probe: the first run took ${outcome.seconds.toFixed(2)} s; about ${total < 120 ? `${total.toFixed(0)} s` : `${(total / 60).toFixed(1)} min`} for all with ${argv.workers} workers`);
              } else lines.push(`probe: the first run did not finish (${outcome?.error ?? 'no result'}); no estimate`);
            } finally {
              process.off('SIGINT', onSignal);
              process.off('SIGTERM', onSignal);
              rmSync(dir, { recursive: true, force: true });
            }
          }
          process.stdout.write(lines.join('\n') + '\n');
        },
      )
      .command(
        'run <file>',
        'Run a sweep into a results folder; run again to resume',
        (c) =>
          c
            .positional('file', { type: 'string', demandOption: true, describe: 'sweep YAML file' })
            .option('out', { type: 'string', demandOption: true, describe: 'results folder (runs/<id>/ per run)' })
            .option('workers', { type: 'number', default: availableParallelism(), describe: 'worker threads (default: the cores)' })
            .option('retry-failed', { type: 'boolean', default: false, describe: 'also rerun the runs that failed before (by default they are left as failed)' })
            .option('shard', { type: 'string', describe: 'run the i-th of N disjoint slices: i/N (default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX)' })
            .option('shard-count', { type: 'number', describe: 'with JOB_COMPLETION_INDEX (Kubernetes Indexed Job): the number of completions' })
            .option('collect', { type: 'boolean', default: true, describe: 'write the tables when done (pipesim sweep collect)' })
            .option('quiet', { type: 'boolean', alias: 'q', default: false, describe: 'print nothing but errors' })
            .example('$0 sweep run sweeps/quickstart.yaml --out results/quickstart-sweep', 'run (or resume) a sweep on every core')
            .example('$0 sweep run sweeps/quickstart.yaml --out results/s --shard 0/4', 'the first of four slices, e.g. one node of a cluster'),
        async (argv) => {
          if (!(Number.isInteger(argv.workers) && argv.workers >= 1)) throw new InputError(`--workers: expected a positive integer, got ${argv.workers}`);
          let shard;
          try {
            shard = shardFromEnvironment(argv.shard, process.env, argv['shard-count']);
          } catch (err) {
            throw new InputError((err as Error).message);
          }
          const plan = await planSweep(argv.file);
          const interrupt = new AbortController();
          const onSignal = () => interrupt.abort();
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          const tty = process.stderr.isTTY === true && !argv.quiet;
          const started = Date.now();
          let bar: cliProgress.SingleBar | undefined;
          const onRun = (e: RunEvent) => {
            const finished = e.done + e.failed;
            const rate = finished / ((Date.now() - started) / 1000);
            const eta = rate > 0 ? (e.total - finished) / rate : NaN;
            if (tty) {
              bar ??= new cliProgress.SingleBar({ stream: process.stderr, format: `${plan.name} [{bar}] {value}/{total} done {done} failed {failed} | {rate} runs/s | ETA {eta}s`, hideCursor: true }, cliProgress.Presets.shades_classic);
              if (finished === 1) bar.start(e.total, 0, { done: 0, failed: 0, rate: '0', eta: '-' });
              bar.update(finished, { done: e.done, failed: e.failed, rate: rate.toFixed(2), eta: Number.isFinite(eta) ? eta.toFixed(0) : '-' });
            } else if (!argv.quiet) {
              const what = e.outcome === 'done' ? `done in ${e.seconds?.toFixed(2)} s` : `FAILED: ${e.error}`;
              process.stderr.write(`[${finished}/${e.total}] ${e.run.id} ${describeParams(e.run.params, e.run.seed)}: ${what}\n`);
            }
          };
          let report;
          try {
            report = await runSweep(plan, argv.out, { workers: argv.workers, retryFailed: argv['retry-failed'], shard, onRun, signal: interrupt.signal });
          } finally {
            bar?.stop();
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          }
          if (report.interrupted) throw new ExitStatus(`interrupted: ${report.done} runs finished and kept, the rest will run when the same command is given again`, 130);
          if (argv.collect && shard === undefined) await collectSweep(argv.out);
          if (!argv.quiet) {
            const parts = [`${report.done} ran`, `${report.skipped} already done`, `${report.failed} failed`];
            if (report.failedBefore > 0) parts.push(`${report.failedBefore} failed before (--retry-failed reruns them)`);
            process.stdout.write(`${plan.name}${shard ? ` shard ${shard.index}/${shard.count}` : ''}: ${report.selected} runs: ${parts.join(', ')}; results in ${argv.out}/\n`);
          }
          const failed = report.failed + report.failedBefore;
          if (failed > 0) throw new ExitStatus(`${failed} runs failed: see ${join(argv.out, STORE.failed)}/`, 1);
        },
      )
      .command(
        'collect <dir>',
        'Write the tidy tables of a sweep results folder: runs.csv, runs.parquet, aggregate.csv, timings.csv',
        (c) => c.positional('dir', { type: 'string', demandOption: true, describe: 'results folder of `sweep run --out`' }),
        async (argv) => {
          const r = await collectSweep(argv.dir);
          process.stdout.write(`${r.runs} runs collected${r.missing ? `, ${r.missing} not finished (left out)` : ''}: ${Object.values(TABLES).map((t) => join(argv.dir, t)).join(', ')}\n`);
        },
      )
      .command(
        'merge <dirs..>',
        'Merge the results folders of one sweep (e.g. from shards) into one, then collect',
        (c) =>
          c
            .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'results folders of one sweep (e.g. one per shard)' })
            .option('out', { type: 'string', demandOption: true, describe: 'the merged results folder' }),
        async (argv) => {
          const dirs = argv.dirs as string[];
          const manifests = dirs.map((d) => readManifest(d));
          const hash = manifests[0].hash;
          dirs.forEach((d, i) => {
            if (manifests[i].hash !== hash) throw new InputError(`${d} holds another sweep than ${dirs[0]} (sweep ${manifests[i].hash}, not ${hash}): refusing to mix them`);
          });
          if (existsSync(join(argv.out, STORE.manifest)) && readManifest(argv.out).hash !== hash) throw new InputError(`${argv.out} holds another sweep`);
          for (const sub of [STORE.runs, STORE.failed, STORE.timings]) makeFolders(join(argv.out, sub));
          writeFileAtomic(join(argv.out, STORE.manifest), JSON.stringify(manifests[0], null, 2) + '\n');
          let copied = 0;
          for (const d of dirs) {
            for (const run of manifests[0].runs) {
              if (finishedSummary(d, run.id, run.seed) !== undefined && finishedSummary(argv.out, run.id, run.seed) === undefined) {
                // Into a temporary folder renamed into place: a killed merge leaves no folder that looks finished.
                const target = join(argv.out, STORE.runs, run.id);
                const tmp = join(argv.out, STORE.runs, `.tmp-${run.id}-${uniqueSuffix()}`);
                cpSync(join(d, STORE.runs, run.id), tmp, { recursive: true });
                // Its scenario.yaml names files relative to the folder, which now sits elsewhere.
                const scenarioFile = join(tmp, COMMON_RUN_FILES.scenario);
                if (existsSync(scenarioFile)) writeFileSync(scenarioFile, movedScenarioFileText(readFileSync(scenarioFile, 'utf8'), join(d, STORE.runs, run.id), target));
                rmSync(target, { recursive: true, force: true });
                renameSync(tmp, target);
                const timing = join(d, STORE.timings, `${run.id}.json`);
                if (existsSync(timing)) cpSync(timing, join(argv.out, STORE.timings, `${run.id}.json`));
                rmSync(join(argv.out, STORE.failed, `${run.id}.json`), { force: true });
                copied++;
              } else if (failureOf(d, run.id) !== undefined && finishedSummary(argv.out, run.id, run.seed) === undefined) {
                cpSync(join(d, STORE.failed, `${run.id}.json`), join(argv.out, STORE.failed, `${run.id}.json`));
              }
            }
          }
          const r = await collectSweep(argv.out);
          const failed = readdirSync(join(argv.out, STORE.failed)).length;
          process.stdout.write(`${copied} runs merged into ${argv.out}: ${r.runs} finished, ${r.missing} missing${failed ? `, ${failed} failed` : ''}\n`);
        },
      )
      .demandCommand(1, 'name a sweep command (plan, run, collect, merge)'),
  );
}
