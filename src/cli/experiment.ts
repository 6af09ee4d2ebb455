import type { Argv } from 'yargs';
import { InputError } from '../errors.js';
import { parseOverride } from '../scenario/overrides.js';
import { seedFlag } from './flags.js';
import {
  checkSeeds,
  ipaRunId,
  IPA_PIPELINES,
  IPA_POLICIES,
  IPA_PREDICTORS,
  IPA_WORKLOADS,
  ipaCells,
  runIpaExperiment,
  type IpaPipeline,
  type IpaPolicy,
  type IpaPredictor,
  type IpaWorkload,
} from '../experiments/ipa.js';

export function experimentCommand(yargs: Argv) {
  return yargs.command('experiment', 'Run a bundled experiment grid', (y) =>
    y
      .command(
        'ipa',
        "IPA's end-to-end experiments: pipelines x workloads x policies (x predictors), adapted every 10 s",
        (c) =>
          c
            .option('out', { type: 'string', default: 'results/ipa', describe: 'folder for steps.csv, runs.csv and the run folders' })
            .option('pipelines', { type: 'string', array: true, choices: IPA_PIPELINES, default: [...IPA_PIPELINES] })
            .option('workloads', { type: 'string', array: true, choices: IPA_WORKLOADS, default: [...IPA_WORKLOADS] })
            .option('policies', { type: 'string', array: true, choices: IPA_POLICIES, default: [...IPA_POLICIES] })
            .option('predictors', { type: 'string', array: true, choices: IPA_PREDICTORS, default: ['lstm'], describe: 'load predictors (several: an ablation)' })
            .option('seed', { type: 'string', describe: "override the scenarios' seed" })
            .option('seeds', { type: 'string', array: true, describe: 'seeds to run every cell with, e.g. --seeds 1 2 3 (figures then show 95% intervals over them)' })
            .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a value in every run, as for run: --set pipeline.loadTime=20s' })
            .option('quiet', { type: 'boolean', alias: 'q', default: false, describe: 'print nothing but errors' })
            .example('$0 experiment ipa', 'the 80-run grid of IPA Figure 8 for all five pipelines')
            .example('$0 experiment ipa --workloads bursty --policies ipa --predictors lstm reactive oracle --out results/ipa-ablation', 'the predictor ablation (Figure 16)')
            .example('$0 experiment ipa --workloads bursty --policies ipa --predictors lstm reactive --seeds 1 2 3 4 5', 'the ablation on all five pipelines over five seeds'),
        async (argv) => {
          // A list of seeds, or one seed for every cell: not both.
          if (argv.seed !== undefined && argv.seeds !== undefined) throw new InputError('--seed and --seeds: give one of them');
          const seeds = argv.seeds?.map((text) => seedFlag(text, '--seeds'));
          if (seeds !== undefined) checkSeeds(seeds, '--seeds');
          const seed = argv.seed === undefined ? undefined : seedFlag(argv.seed, '--seed');
          const cells = ipaCells({
            pipelines: argv.pipelines as IpaPipeline[],
            workloads: argv.workloads as IpaWorkload[],
            policies: argv.policies as IpaPolicy[],
            predictors: argv.predictors as IpaPredictor[],
          });
          const started = Date.now();
          const results = await runIpaExperiment(cells, argv.out, {
            seeds: seeds ?? (seed === undefined ? undefined : [seed]),
            overrides: argv.set.map(parseOverride),
            onRun: (done, total, { cell, summary }) => {
              if (argv.quiet) return;
              const violations = summary.requests.dropped + summary.requests.late;
              const accuracy = summary.adaptation?.meanAccuracy?.objective;
              process.stderr.write(
                `[${done}/${total}] ${ipaRunId(cell, summary.seed).padEnd(50)} cores ${summary.cost.meanCores?.toFixed(2) ?? '-'}  accuracy ${accuracy?.toFixed(3) ?? '-'}  violations ${violations}/${summary.requests.arrived}\n`,
              );
            },
          });
          if (!argv.quiet) process.stdout.write(`${results.length} runs in ${((Date.now() - started) / 1000).toFixed(1)} s; tables in ${argv.out}/steps.csv and ${argv.out}/runs.csv\n`);
        },
      )
      .demandCommand(1, 'name an experiment (ipa)'),
  );
}
