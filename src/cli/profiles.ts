import type { Argv } from 'yargs';
import { stageAccuracies, type AccuracyNormalization } from '../profiles/accuracy.js';
import { resolvePipelineProfile, shippedPipelines } from '../profiles/catalog.js';
import { formatProfileCsv } from '../profiles/pipeline-profile.js';

export function profilesCommand(yargs: Argv) {
  return yargs.command('profiles', 'List and export model-variant profiles', (y) =>
    y
      .command('list', 'List the shipped pipeline profiles', {}, () => {
        for (const name of shippedPipelines()) {
          const p = resolvePipelineProfile(name);
          process.stdout.write(`${name.padEnd(12)} SLA ${p.sla.toPrecision(4)} s  stages: ${p.stages.map((s) => `${s.name} (${s.variants.length} variants)`).join(' -> ')}\n`);
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
      .demandCommand(1, 'name a profiles command: list or export'),
  );
}
