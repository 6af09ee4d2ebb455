import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { loadScenario, prepareRun } from '../kinds/load.js';
import { kindByKey } from '../kinds/registry.js';
import { parseOverride } from '../scenario/overrides.js';
import { seedFlag } from './flags.js';
import { Progress } from './progress.js';

export function defaultRunFolder(name: string, seed: number, root = 'results'): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  let dir = join(root, `${name}-seed${seed}-${stamp}`);
  for (let k = 2; existsSync(dir); k++) dir = join(root, `${name}-seed${seed}-${stamp}-${k}`);
  return dir;
}

export function runCommand(yargs: Argv) {
  return yargs.command(
    'run <scenario>',
    'Simulate a scenario and write its results to a run folder',
    (y) =>
      y
        .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file' })
        .option('seed', { type: 'string', describe: 'override the scenario\'s seed' })
        .option('out', { type: 'string', describe: 'run folder to write (default: a new folder under results/)' })
        .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a scenario value: --set pipeline.stages[0].replicas=8 (repeatable)' })
        .option('json', { type: 'boolean', default: false, describe: 'print summary.json to stdout instead of the short report' })
        .option('quiet', { type: 'boolean', alias: 'q', default: false, describe: 'print nothing but errors' })
        .example('$0 run scenarios/quickstart.yaml', 'run the bundled example')
        .example('$0 run scenarios/mm4.yaml --seed 7 --set workload.arrivals.rate=450 --out results/mm4-450', 'override values, choose the folder'),
    async (argv) => {
      const loaded = await loadScenario(argv.scenario, { set: argv.set.map(parseOverride), seed: argv.seed === undefined ? undefined : seedFlag(argv.seed, '--seed') });
      const kind = kindByKey(loaded.kind);
      const scenario = loaded.scenario;
      const resources = await prepareRun(loaded);
      const dir = argv.out ?? defaultRunFolder(scenario.name as string, scenario.seed);
      const progress = new Progress(`${scenario.name}`, !argv.quiet && process.stderr.isTTY === true);
      const wallStart = process.hrtime.bigint();
      let summary: unknown;
      try {
        summary = kind.runToFolder(scenario, dir, { onProgress: (f: number) => progress.update(f), resources });
      } finally {
        progress.stop();
      }
      const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
      for (const w of kind.warnings?.(summary) ?? []) process.stderr.write(`warning: ${w}\n`);
      if (argv.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else if (!argv.quiet) process.stdout.write(kind.reportText(summary, dir, wall));
    },
  );
}
