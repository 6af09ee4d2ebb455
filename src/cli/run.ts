import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from '../errors.js';
import { loadRunResources } from '../runner/predictor.js';
import { runToFolder, type SummaryFile } from '../runner/run-folder.js';
import { loadAnyScenario, parseOverride } from '../scenario/load.js';
import { runAcceleratorToFolder, type AcceleratorSummaryFile } from '../accelerator/run-folder.js';
import { runServerlessToFolder, type ServerlessSummaryFile } from '../serverless/run-folder.js';
import { formatDuration } from '../scenario/units.js';
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
      const loaded = loadAnyScenario(argv.scenario, argv.set.map(parseOverride), argv.seed === undefined ? undefined : seedFlag(argv.seed, '--seed'));
      if (loaded.kind === 'serverless') {
        const s = loaded.scenario;
        const dir = argv.out ?? defaultRunFolder(s.name as string, s.seed);
        const wallStart = process.hrtime.bigint();
        let summary: ServerlessSummaryFile;
        try {
          summary = runServerlessToFolder(s, dir);
        } catch (err) {
          if (err instanceof RangeError) throw new InputError(err.message);
          throw err;
        }
        const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
        if (argv.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        else if (!argv.quiet) process.stdout.write(serverlessReport(summary, dir, wall));
        return;
      }
      if (loaded.kind === 'accelerator') {
        const s = loaded.scenario;
        const dir = argv.out ?? defaultRunFolder(s.name as string, s.seed);
        const summary = runAcceleratorToFolder(s, dir);
        if (argv.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        else if (!argv.quiet) process.stdout.write(acceleratorReport(summary, dir));
        return;
      }
      const scenario = loaded.scenario;
      const resources = await loadRunResources(scenario);
      const dir = argv.out ?? defaultRunFolder(scenario.name as string, scenario.seed);
      const progress = new Progress(`${scenario.name}`, !argv.quiet && process.stderr.isTTY === true);
      const wallStart = process.hrtime.bigint();
      let summary: SummaryFile;
      try {
        summary = runToFolder(scenario, dir, { onProgress: (f) => progress.update(f), resources });
      } finally {
        progress.stop();
      }
      const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
      for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
      if (argv.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      else if (!argv.quiet) process.stdout.write(report(summary, dir, wall));
    },
  );
}

function acceleratorReport(s: AcceleratorSummaryFile, dir: string): string {
  const ms = (x: number | null) => (x === null ? '-' : formatDuration(x));
  const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
  return (
    [
      `${s.scenario} (seed ${s.seed}, ${s.policy}${s.abandon ? ' with abandonment' : ''}): ${formatDuration(s.simulated.end)} simulated, device busy ${pct(s.busy)}, mean concurrency ${s.meanConcurrency?.toFixed(2) ?? '-'}`,
      `queries  arrived ${s.requests.arrived}  completed ${s.requests.completed}  abandoned ${s.requests.dropped}  late ${s.requests.late}  QoS violations ${pct(s.violationRatio)}`,
      ...s.byTenant.map((t) => `service ${t.name.padEnd(13)} p50 ${ms(t.latency.p50)}  p95 ${ms(t.latency.p95)}  p99 ${ms(t.latency.p99)}  violations ${pct(t.violationRatio)}  goodput ${t.goodput?.toFixed(2) ?? '-'}/s`),
      `results in ${dir}/`,
    ].join('\n') + '\n'
  );
}

function serverlessReport(s: ServerlessSummaryFile, dir: string, wall: number): string {
  const ms = (x: number | null) => (x === null ? '-' : formatDuration(x));
  const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
  const money = (x: number | null) => (x === null ? '-' : x.toExponential(4));
  const lines = [
    `${s.scenario} (seed ${s.seed}, ${s.model}, ${s.adapter}): ${formatDuration(s.simulated.end)} simulated in ${wall.toFixed(2)}s wall, ${s.plans} plans, ${s.invocations} invocations (mean batch ${s.meanBatchSize?.toFixed(2) ?? '-'})`,
    `requests  arrived ${s.requests.arrived}  completed ${s.requests.completed}  in flight ${s.requests.inFlight}  SLO violations ${s.requests.violations} (${pct(s.violationRatio)})`,
    `cost per request ${money(s.cost.perRequest)} simulated, ${money(s.cost.plannedPerRequest)} planned` +
      (s.cost.perRequest !== null && s.cost.plannedPerRequest !== null ? ` (ratio ${(s.cost.perRequest / s.cost.plannedPerRequest).toFixed(4)})` : ''),
    ...s.apps.map(
      (a) =>
        `app ${a.name.padEnd(8)} SLO ${ms(a.slo)}  ${a.completed} done  violations ${pct(a.violationRatio)}  p99 ${ms(a.latency.p99)}  cost/request ${money(a.costPerRequest)} (planned ${money(a.plannedCostPerRequest)})`,
    ),
    `results in ${dir}/`,
  ];
  return lines.join('\n') + '\n';
}

function report(s: SummaryFile, dir: string, wall: number): string {
  const ms = (x: number | null) => (x === null ? '-' : formatDuration(x));
  const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
  const r = s.requests;
  const lines = [
    `${s.scenario} (seed ${s.seed}): ${formatDuration(s.simulated.end)} simulated in ${wall.toFixed(2)}s wall, ${s.events.toLocaleString('en-US')} events (${Math.round(s.events / wall).toLocaleString('en-US')}/s)`,
    `requests  arrived ${r.arrived}  completed ${r.completed}  dropped ${r.dropped}  in flight ${r.inFlight}  late ${r.late}`,
    `latency   mean ${ms(s.latency.mean)}  p50 ${ms(s.latency.p50)}  p95 ${ms(s.latency.p95)}  p99 ${ms(s.latency.p99)}  max ${ms(s.latency.max)}`,
    `SLO violations ${pct(s.sloViolationRatio)}   throughput ${s.throughput?.toFixed(2) ?? '-'}/s   goodput ${s.goodput?.toFixed(2) ?? '-'}/s   cost ${s.cost.meanCores?.toFixed(2) ?? '-'} cores`,
    ...(s.adaptation
      ? [
          `adaptation ${s.adaptation.adapter} with ${s.adaptation.predictor}: ${s.adaptation.steps} steps, ${s.adaptation.reconfigurations} reconfigurations, ` +
            `${s.adaptation.notedSteps} with a note in adaptation.csv; planned cost ${s.adaptation.meanPlannedCores.toFixed(2)} cores` +
            (s.adaptation.meanAccuracy ? `; accuracy ${s.adaptation.meanAccuracy.objective.toFixed(3)} (mean ${s.adaptation.meanAccuracy.raw.toFixed(2)}%, PAS ${s.adaptation.meanAccuracy.pas.toFixed(3)})` : ''),
        ]
      : []),
    ...s.stages.map(
      (st) =>
        `stage ${st.name.padEnd(Math.max(10, ...s.stages.map((x) => x.name.length)))} replicas ${st.replicas} (mean ${st.meanReplicas?.toFixed(2) ?? '-'})  util ${pct(st.utilization)}  wait mean ${ms(st.wait.mean)} p99 ${ms(st.wait.p99)}  service mean ${ms(st.service.mean)}  batch ${st.meanBatchSize?.toFixed(2) ?? '-'}`,
    ),
    `results in ${dir}/`,
  ];
  return lines.join('\n') + '\n';
}
