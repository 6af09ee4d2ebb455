import type { Argv } from 'yargs';
import { stageAccuracies, type AccuracyNormalization } from '../profiles/accuracy.js';
import { resolvePipelineProfile, shippedPipelines } from '../profiles/catalog.js';
import { InputError } from '../errors.js';
import { fitLatencyModel, isExtrapolation, predictLatency, type FitResult } from '../profiles/fit.js';
import { readLatencyPointsCsv } from '../profiles/load.js';
import { formatProfileCsv } from '../profiles/pipeline-profile.js';

export function profilesCommand(yargs: Argv) {
  return yargs.command('profiles', 'List, export and fit model-variant profiles', (y) =>
    y
      .command('list', 'List the shipped pipeline profiles', {}, () => {
        for (const name of shippedPipelines()) {
          const p = resolvePipelineProfile(name);
          process.stdout.write(`${name.padEnd(12)} SLA ${p.sla.toPrecision(4)} s  stages: ${p.stages.map((s) => `${s.name} (${s.variants.length} variant${s.variants.length === 1 ? '' : 's'})`).join(' -> ')}\n`);
        }
      })
      .command(
        'export <pipeline>',
        'Print the profile tables the optimizer sees',
        (g) =>
          g
            .positional('pipeline', { type: 'string', demandOption: true, describe: 'shipped pipeline name or profile YAML file' })
            .option('json', { type: 'boolean', default: false, describe: 'JSON (the documented shape) instead of CSV' })
            .option('normalize', { choices: ['none', 'rank'] as const, describe: "accuracy as the optimizer sees it (default: the profile's)" }),
        (argv) => {
          const profile = resolvePipelineProfile(argv.pipeline);
          if (!argv.json) {
            process.stdout.write(formatProfileCsv(profile.stages));
            return;
          }
          const normalize = (argv.normalize ?? profile.defaults?.normalize ?? 'rank') as AccuracyNormalization;
          const out = {
            pipeline: profile.pipeline,
            sla: profile.sla,
            normalize,
            stages: profile.stages.map((stage) => {
              const acc = stageAccuracies(stage, normalize);
              return {
                name: stage.name,
                variants: stage.variants.map((v, i) => ({
                  name: v.name,
                  accuracy: acc[i],
                  rawAccuracy: v.accuracy,
                  cores: v.cores,
                  batches: v.batches.map((b) => ({ size: b.size, latency: b.latency, throughput: b.throughput, latencyMean: b.latencyMean, source: b.source })),
                })),
              };
            }),
          };
          process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        },
      )
      .command(
        'fit <points>',
        'Fit latency(b, c) = (alpha + beta*b) / c^gamma to measured points and tabulate it',
        (g) =>
          g
            .positional('points', { type: 'string', demandOption: true, describe: 'CSV with columns batch, cores, latency (seconds)' })
            .option('gamma', { type: 'number', describe: 'fix the parallel-efficiency exponent (needed when all points share one core count)' })
            .option('batches', { type: 'string', default: '1,2,4,8,16,32,64', describe: 'batch sizes to tabulate' })
            .option('cores', { type: 'string', describe: 'core counts to tabulate (default: the measured ones)' })
            .option('json', { type: 'boolean', default: false }),
        (argv) => {
          const points = readLatencyPointsCsv(argv.points);
          let fit;
          try {
            fit = fitLatencyModel(points, { gamma: argv.gamma });
          } catch (err) {
            throw new InputError(`${argv.points}: ${(err as Error).message} (--gamma)`);
          }
          const numbers = (text: string, flag: string) =>
            text.split(',').map((x) => {
              const v = Number(x);
              if (!(v > 0)) throw new InputError(`--${flag}: expected positive numbers, got "${x}"`);
              return v;
            });
          const batches = numbers(argv.batches, 'batches');
          const cores = argv.cores ? numbers(argv.cores, 'cores') : [...new Set(points.map((p) => p.cores))].sort((a, b) => a - b);
          const table = cores.flatMap((c) => batches.map((b) => ({ batch: b, cores: c, latency: predictLatency(fit.model, b, c), extrapolated: isExtrapolation(fit, b, c) })));
          if (argv.json) {
            process.stdout.write(JSON.stringify({ ...fit, table }, null, 2) + '\n');
            return;
          }
          process.stdout.write(`${fitLine(fit)}\nmeasured range: batch ${fit.range.batch.join('..')}, cores ${fit.range.cores.join('..')}\n`);
          process.stdout.write('batch  cores  latency s\n');
          for (const row of table) {
            process.stdout.write(`${String(row.batch).padEnd(7)}${String(row.cores).padEnd(7)}${row.latency.toFixed(5)}${row.extrapolated ? '  (extrapolated)' : ''}\n`);
          }
          if (table.some((r) => r.extrapolated)) process.stderr.write('warning: rows marked (extrapolated) lie outside the measured batch or core range\n');
        },
      )
      .demandCommand(1, 'name a profiles command: list, export or fit'),
  );
}

/** A fitted latency model and how well it fits, on one line. */
export function fitLine(fit: FitResult): string {
  const m = fit.model;
  return (
    `latency(b, c) = (${m.alpha.toPrecision(4)} + ${m.beta.toPrecision(4)} * b) / c^${m.gamma.toPrecision(4)}   ` +
    `from ${fit.points} points: rms relative error ${(100 * fit.rmsRelativeError).toFixed(2)}%, max ${(100 * fit.maxRelativeError).toFixed(2)}%`
  );
}
