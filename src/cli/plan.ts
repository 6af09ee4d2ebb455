import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { IPA_MODES, ipaSettings, type IpaOptionValues } from '../adapters/ipa/adapters.js';
import { planIpa, type Plan, type PlanMode, type PlanOptions } from '../adapters/ipa/optimizer.js';
import { ExitStatus, InputError } from '../errors.js';
import { stageAccuracies } from '../profiles/accuracy.js';
import { resolvePipelineProfile, shippedPipelines } from '../profiles/catalog.js';
import type { PipelineProfile } from '../profiles/pipeline-profile.js';
import { readYamlFile } from '../config/yaml.js';
import { readScenarioOfKind } from '../kinds/load.js';
import { scenarioProfile } from '../kinds/pipeline/models.js';
import { parseDuration } from '../config/units.js';
import { jsonText } from '../io/json.js';

function list<T>(text: string | undefined, n: number, parse: (s: string) => T, flag: string): T[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 1) return Array.from({ length: n }, () => parse(parts[0]));
  if (parts.length !== n) throw new InputError(`--${flag}: expected one value or ${n} (one per stage), got ${parts.length}`);
  return parts.map(parse);
}

/**
 * What `plan` plans for: a shipped pipeline or profile file, or a scenario file naming one in
 * pipeline.profile, whose stages then give the variants and replicas that scale and switch lock.
 */
function planTarget(target: string): { profile: PipelineProfile; stages?: { variants: string[]; replicas: number[] }; options?: IpaOptionValues; mode?: PlanMode } {
  const data = /\.ya?ml$/.test(target) && existsSync(target) ? readYamlFile(target) : undefined;
  // A profile's `pipeline` is its name; a scenario's is an object.
  const pipeline = data !== null && typeof data === 'object' ? (data as { pipeline?: unknown }).pipeline : undefined;
  if (pipeline === null || typeof pipeline !== 'object') return { profile: resolvePipelineProfile(target) };
  const scenario = readScenarioOfKind('pipeline', target);
  if (scenario.pipeline.profile === undefined) throw new InputError(`${target}: the scenario has no pipeline.profile to plan with`);
  const profile = scenarioProfile(scenario) as PipelineProfile;
  const variants = scenario.pipeline.stages.map((s) => s.variant);
  // An ipa, fa2 or rim adapter in the scenario gives its mode and options.
  const { kind, ...options } = (scenario.adaptation?.adapter ?? { kind: 'static' }) as { kind: string } & IpaOptionValues;
  const mode: PlanMode | undefined = IPA_MODES[kind];
  return {
    profile,
    mode,
    options: mode === undefined ? undefined : options,
    stages: { variants: variants.every((v) => v !== undefined) ? (variants as string[]) : lightestVariants(profile), replicas: scenario.pipeline.stages.map((s) => s.replicas) },
  };
}

/** The variant of each stage with the lowest accuracy (FA2-low's choice). */
function lightestVariants(profile: PipelineProfile): string[] {
  return profile.stages.map((s) => {
    const acc = stageAccuracies(s, 'rank');
    return s.variants[acc.indexOf(0)]?.name ?? s.variants[0].name;
  });
}

/** Exit status of `pipesim plan` when no configuration meets the SLA at the rate (the plan is still printed). */
export const NO_PLAN_EXIT = 3;

export function planCommand(yargs: Argv) {
  return yargs.command(
    'plan <pipeline>',
    "Choose variants, batch sizes and replicas for a load with IPA's optimizer",
    (y) =>
      y
        .positional('pipeline', {
          type: 'string',
          demandOption: true,
          describe: `shipped pipeline (${shippedPipelines().join(', ')}), a profile YAML file, or a scenario with pipeline.profile (its stages' variants and replicas are what scale and switch modes lock)`,
        })
        .option('rate', { type: 'number', demandOption: true, describe: 'arrival rate, requests per second' })
        .option('sla', { type: 'string', describe: "end-to-end latency SLA (default: the profile's)" })
        .option('mode', { choices: ['ipa', 'scale', 'switch'] as const, describe: "ipa: all knobs; scale: variants locked (FA2); switch: replicas locked (RIM) (default: a scenario's adapter's, else ipa)" })
        .option('variants', { type: 'string', describe: 'scale mode: the locked variant per stage, comma-separated (default: the least accurate of each stage)' })
        .option('replicas', { type: 'string', describe: 'switch mode: the locked replicas, one number or one per stage' })
        .option('alpha', { type: 'number', describe: 'accuracy weight' })
        .option('beta', { type: 'number', describe: 'cost (cores) weight' })
        .option('gamma', { type: 'number', describe: 'batch-size weight' })
        .option('accuracy-method', { choices: ['sum', 'average', 'product'] as const, describe: 'how stage accuracies combine (product = PAS)' })
        .option('normalize', { choices: ['none', 'rank'] as const, describe: 'none: accuracy/100; rank: 0..1 by rank within a stage' })
        .option('batch-cap', { type: 'number', describe: 'largest batch size' })
        .option('replica-cap', { type: 'number', describe: 'most replicas per stage' })
        .option('json', { type: 'boolean', default: false, describe: 'print the plan as JSON' })
        .example('$0 plan video --rate 20', "IPA's plan for the video pipeline at 20 requests/s")
        .example('$0 plan video --rate 20 --mode scale --variants yolov5s,resnet101', 'FA2-high')
        .example('$0 plan video --rate 20 --mode switch --replicas 3', 'RIM with 3 replicas per stage')
        .epilogue(`Exit status ${NO_PLAN_EXIT} when no configuration meets the SLA at the rate; the output then says what would.`),
    (argv) => {
      const target = planTarget(argv.pipeline);
      const { profile, stages } = target;
      const n = profile.stages.length;
      const sla = argv.sla === undefined ? undefined : parseDuration(/^\d+(\.\d+)?$/.test(argv.sla) ? Number(argv.sla) : argv.sla);
      if (sla !== undefined && !(sla > 0)) throw new InputError(`--sla: expected a duration such as 500ms or 2s, got "${argv.sla}"`);
      // Flags first, then the scenario's adapter options, then the profile's defaults.
      const flags = {
        sla,
        alpha: argv.alpha,
        beta: argv.beta,
        gamma: argv.gamma,
        accuracyMethod: argv['accuracy-method'],
        normalize: argv.normalize,
        batchCap: argv['batch-cap'],
        replicaCap: argv['replica-cap'],
      };
      const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
      const mode = argv.mode ?? target.mode ?? 'ipa';
      let locked: PlanOptions['locked'];
      if (mode === 'scale') {
        const variants = list(argv.variants, n, (s) => s, 'variants') ?? stages?.variants ?? lightestVariants(profile);
        locked = variants.map((variant) => ({ variant, replicas: 1 }));
      } else if (mode === 'switch') {
        const replicas = list(argv.replicas, n, (s) => Number(s), 'replicas') ?? stages?.replicas;
        if (!replicas) throw new InputError('--mode switch needs --replicas (one number, or one per stage)');
        const variants = list(argv.variants, n, (s) => s, 'variants') ?? stages?.variants ?? lightestVariants(profile);
        locked = variants.map((variant, i) => ({ variant, replicas: replicas[i] }));
      }
      const options: PlanOptions = { rate: argv.rate, mode, ...ipaSettings(profile, { ...target.options, ...given }), locked };
      const plan = planIpa(profile, options);
      const { locked: _locked, ...settings } = options;
      if (argv.json) process.stdout.write(jsonText({ pipeline: profile.pipeline, ...settings, ...plan }));
      else process.stdout.write(formatPlan(profile, options, plan));
      if (!plan.feasible) throw new ExitStatus(`no plan: ${plan.reason}`, NO_PLAN_EXIT);
    },
  );
}

function formatPlan(profile: PipelineProfile, o: PlanOptions, plan: Plan): string {
  const head =
    `${profile.pipeline} at ${o.rate} requests/s, SLA ${o.sla.toPrecision(4)} s, mode ${o.mode} ` +
    `(alpha ${o.alpha}, beta ${o.beta}, gamma ${o.gamma}; accuracy ${o.accuracyMethod} of ${o.normalize}; batch cap ${o.batchCap}, replica cap ${o.replicaCap})\n`;
  if (!plan.feasible) {
    return (
      head +
      `infeasible: ${plan.reason}\n` +
      `smallest feasible SLA at this rate: ${Number.isFinite(plan.minimumSla) ? `${plan.minimumSla.toPrecision(4)} s` : 'none (a stage cannot carry the rate)'}\n` +
      `largest feasible rate under this SLA: ${plan.maximumRate > 0 ? `${plan.maximumRate.toPrecision(4)} requests/s` : 'none (no rate meets this SLA)'}\n`
    );
  }
  const rows = [['stage', 'variant', 'batch', 'replicas', 'cores', 'model s', 'queueing s', 'throughput/s']];
  for (const s of plan.stages) {
    rows.push([s.name, s.variant, String(s.batch), String(s.replicas), String(s.cores), s.modelLatency.toFixed(4), s.queueing.toFixed(4), s.throughput.toFixed(2)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const table = rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
  return (
    head +
    table +
    `\nobjective ${plan.objective.toPrecision(6)}  accuracy ${plan.accuracy.toPrecision(4)}  cost ${plan.cost} cores  ` +
    `latency bound ${plan.latency.toFixed(4)} s (SLA ${o.sla.toPrecision(4)} s)\n`
  );
}
