import { existsSync, readdirSync, rmSync } from 'node:fs';
import type { Argv } from 'yargs';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { loadScenario } from '../kinds/load.js';
import { kindByKey } from '../kinds/registry.js';
import type { Scenario } from '../kinds/pipeline/schema.js';
import { fitLatencyModel } from '../profiles/fit.js';
import { parseOverride } from '../scenario/overrides.js';
import { comparisonCdf, comparisonCsv, comparisonText, compareRuns } from '../testbed/compare.js';
import { loadOrt, resolveModel } from '../testbed/onnx.js';
import { profileCsv, profileModel } from '../testbed/profile.js';
import { testbedToFolder } from '../testbed/record.js';
import { serve, stageModels, testbedProblems } from '../testbed/serve.js';
import { seedFlag } from './flags.js';
import { fitLine } from './profiles.js';
import { Progress } from './progress.js';
import { defaultRunFolder } from './run.js';

const positiveIntegers = (text: string, flag: string) =>
  text.split(',').map((x) => {
    const v = Number(x);
    if (!(Number.isInteger(v) && v >= 1)) throw new InputError(`--${flag}: expected positive integers separated by commas, got "${x}"`);
    return v;
  });

export function profileCommand(yargs: Argv) {
  return yargs.command(
    'profile <model>',
    'Measure a real ONNX model\'s latency per batch size and thread count (needs the testbed: npm ci --prefix testbed)',
    (y) =>
      y
        .positional('model', { type: 'string', demandOption: true, describe: 'an .onnx file, or a model the testbed ships: paddleocr-det, paddleocr-cls, paddleocr-rec' })
        .option('input', { type: 'string', describe: 'input name and one item\'s shape, name=3x640x640 (a shipped model\'s by default)' })
        .option('batches', { type: 'string', default: '1,2,4,8', describe: 'batch sizes to measure' })
        .option('threads', { type: 'string', default: '1', describe: 'thread counts (the replica\'s cores) to measure' })
        .option('warmup', { type: 'number', default: 3, describe: 'runs before measuring each point' })
        .option('repetitions', { type: 'number', default: 20, describe: 'measured runs per point' })
        .option('out', { type: 'string', describe: 'CSV to write (batch, cores, latency in seconds, p50, p99, cv, cpu, repetitions): a latency table for service.profile.path' })
        .option('fit', { type: 'boolean', default: false, describe: 'also fit latency(b, c) = (alpha + beta*b) / c^gamma to the points (as pipesim profiles fit)' })
        .option('alongside', { type: 'string', describe: 'keep this model (a file or shipped name) running on a thread of its own meanwhile: the cost beside another replica; against a profile alone it gives pipeline.host.interference' })
        .option('alongside-input', { type: 'string', describe: 'the --alongside model\'s input, name=shape (a shipped model\'s by default)' })
        .example('$0 profile paddleocr-rec --batches 1,2,4 --threads 1,2 --out profiles/ocr-rec.csv', 'profile the shipped text recogniser')
        .example('$0 profile model.onnx --input images=3x224x224 --out model.csv --fit', 'profile your own model and fit it')
        .example('$0 profile paddleocr-det --batches 1 --alongside paddleocr-rec', 'detection while recognition runs beside it'),
    async (argv) => {
      const batches = positiveIntegers(argv.batches, 'batches');
      const threads = positiveIntegers(argv.threads, 'threads');
      if (!(Number.isInteger(argv.warmup) && argv.warmup >= 0)) throw new InputError(`--warmup: expected a whole number >= 0, got ${argv.warmup}`);
      if (!(Number.isInteger(argv.repetitions) && argv.repetitions >= 2)) throw new InputError(`--repetitions: expected a whole number >= 2, got ${argv.repetitions}`);
      const model = resolveModel(argv.model, argv.input);
      if (argv['alongside-input'] !== undefined && argv.alongside === undefined) throw new InputError('--alongside-input: give --alongside too');
      const alongside = argv.alongside === undefined ? undefined : resolveModel(argv.alongside, argv['alongside-input']);
      const rows = await profileModel(model, {
        batches,
        threads,
        warmup: argv.warmup,
        repetitions: argv.repetitions,
        alongside,
        onAlongside: (n) => process.stderr.write(`${argv.alongside} ran ${n} batches alongside\n`),
        onPoint: (r) =>
          process.stderr.write(
            `batch ${r.batch} on ${r.cores} thread${r.cores > 1 ? 's' : ''}: mean ${(r.latency * 1000).toFixed(2)} ms, p50 ${(r.p50 * 1000).toFixed(2)} ms, p99 ${(r.p99 * 1000).toFixed(2)} ms, cv ${r.cv.toFixed(3)}${Number.isNaN(r.cpu) ? '' : `, cpu ${(r.cpu * 1000).toFixed(1)} ms`}\n`,
          ),
      });
      const csv = profileCsv(rows);
      if (argv.out !== undefined) writeFileAtomic(argv.out, csv);
      else process.stdout.write(csv);
      if (argv.fit) {
        let fit;
        try {
          fit = fitLatencyModel(rows.map((r) => ({ batch: r.batch, cores: r.cores, latency: r.latency })), threads.length === 1 ? { gamma: 1 } : {});
        } catch (err) {
          throw new InputError(`fit: ${(err as Error).message}`);
        }
        process.stdout.write(`${fitLine(fit)}${threads.length === 1 ? ' (gamma fixed at 1: one thread count measured)' : ''}\n`);
      }
      if (argv.out !== undefined) process.stdout.write(`${rows.length} points written to ${argv.out}\n`);
    },
  );
}

/** A pipeline scenario for the testbed, with its models resolved, or an InputError saying what is missing. */
async function testbedScenario(argv: { scenario: string; set: string[]; seed?: string }): Promise<Scenario> {
  const loaded = await loadScenario(argv.scenario, { set: argv.set.map(parseOverride), seed: argv.seed === undefined ? undefined : seedFlag(argv.seed, '--seed') });
  if (loaded.kind !== 'pipeline') throw new InputError(`${argv.scenario}: a ${loaded.kind} scenario; the testbed serves pipeline scenarios`);
  const scenario = loaded.scenario as Scenario;
  const problems = testbedProblems(scenario);
  if (problems.length > 0) throw new InputError(`${argv.scenario}: cannot run on the testbed:\n  ${problems.join('\n  ')}`);
  return scenario;
}

export function testbedCommand(yargs: Argv) {
  return yargs.command('testbed', 'Serve a scenario\'s pipeline for real (ONNX models, worker-thread replicas) and compare it with the simulation', (t) =>
    t
      .command(
        'run <scenario>',
        'Replay the scenario\'s load in real time through real models; write a run folder like pipesim run\'s',
        (y) =>
          y
            .positional('scenario', { type: 'string', demandOption: true, describe: 'pipeline scenario whose stages name their model (testbed: {model: ...})' })
            .option('seed', { type: 'string', describe: 'override the scenario\'s seed (it fixes the arrival times)' })
            .option('out', { type: 'string', describe: 'run folder to write (default: a new folder under results/)' })
            .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a scenario value (repeatable)' })
            .option('quiet', { type: 'boolean', alias: 'q', default: false, describe: 'print nothing but errors' })
            .example('$0 testbed run scenarios/testbed/ocr.yaml --out results/ocr-real', 'serve the bundled OCR pipeline for real')
            .example('$0 testbed run scenarios/testbed/ocr.yaml --set workload.arrivals.rate=8 --out results/ocr-8', 'at another load'),
        async (argv) => {
          const scenario = await testbedScenario(argv);
          loadOrt();
          const models = stageModels(scenario);
          const dir = argv.out ?? defaultRunFolder(`${scenario.name}-testbed`, scenario.seed);
          const replicas = scenario.pipeline.stages.reduce((n, s) => n + s.replicas, 0);
          if (!argv.quiet) process.stderr.write(`${scenario.name}: loading ${replicas} replica${replicas > 1 ? 's' : ''}, then serving ${scenario.duration === undefined ? 'the whole workload' : `${scenario.duration} s of load`} in real time\n`);
          const interrupt = new AbortController();
          const onSignal = () => interrupt.abort();
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          const progress = new Progress(`${scenario.name} (real)`, !argv.quiet && process.stderr.isTTY === true);
          const before = existsSync(dir) ? new Set(readdirSync(dir)) : undefined;
          const wallStart = process.hrtime.bigint();
          let record;
          try {
            record = await serve(scenario, models, {
              onProgress: (f) => progress.update(f),
              signal: interrupt.signal,
              onStart: () => argv.quiet || process.stderr.write('replicas ready; load started\n'),
            });
          } finally {
            progress.stop();
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          }
          try {
            const summary = testbedToFolder(scenario, record, dir);
            if (!argv.quiet) {
              const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
              // The pipeline report, its first line (simulated time, events per second) said of a real run.
              const report = kindByKey('pipeline').reportText(summary, dir, wall);
              process.stdout.write(`${scenario.name} (seed ${scenario.seed}): ${summary.simulated.end.toFixed(1)} s of real load served in ${wall.toFixed(1)} s on the testbed\n${report.slice(report.indexOf('\n') + 1)}`);
              process.stdout.write(`load generator lateness: mean ${(record.lateness.mean * 1000).toFixed(2)} ms, max ${(record.lateness.max * 1000).toFixed(2)} ms\n`);
            }
          } catch (err) {
            // Leave nothing of a failed write where a run folder was asked for.
            if (before === undefined) rmSync(dir, { recursive: true, force: true });
            throw err;
          }
        },
      )
      .command(
        'compare <real> <simulated>',
        'Put a testbed run and a simulated run side by side: latency, throughput, SLO violations, per-stage queueing, service, batch size',
        (y) =>
          y
            .positional('real', { type: 'string', demandOption: true, describe: 'run folder of pipesim testbed run' })
            .positional('simulated', { type: 'string', demandOption: true, describe: 'run folder of pipesim run (of the same scenario)' })
            .option('csv', { type: 'string', describe: 'also write the comparison as CSV (scope, metric, real, simulated, error)' })
            .option('plot', { type: 'string', describe: 'also draw both latency CDFs (.svg, .png or .pdf; a .csv of the points beside it); needs requests.csv in both' })
            .option('title', { type: 'string', describe: 'title of the CDF figure' }),
        async (argv) => {
          const rows = compareRuns(argv.real, argv.simulated);
          process.stdout.write(comparisonText(rows));
          if (argv.csv !== undefined) writeFileAtomic(argv.csv, comparisonCsv(rows));
          if (argv.plot !== undefined) {
            // The renderers take about 0.6 s to load: only for a figure (as in plot).
            const { writeFigure } = await import('../figures/write.js');
            const written = await writeFigure(comparisonCdf(argv.real, argv.simulated, argv.title ?? 'end-to-end latency: real and simulated'), argv.plot);
            process.stdout.write(`figure: ${written.join(', ')}\n`);
          }
        },
      )
      .demandCommand(1, 'name a testbed command: run or compare'),
  );
}
