import type { Argv } from 'yargs';
import { HarmonyPlanner, type Application, type Plan } from '../adapters/harmonybatch/planner.js';
import { InputError } from '../errors.js';
import { loadServerlessModel } from '../profiles/serverless.js';
import { parseDuration } from '../config/units.js';
import { readScenarioOfKind } from '../kinds/load.js';
import { initialRates } from '../kinds/serverless/simulate.js';
import { jsonText } from '../io/json.js';

/** `slo=0.5,rps=5[,name=x]` (slo takes units: 500ms) into an application. */
export function parseApp(text: string, index: number): Application {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new InputError(`--app: expected key=value pairs such as slo=0.5,rps=5, got "${text}"`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const key of fields.keys()) if (!['slo', 'rps', 'name'].includes(key)) throw new InputError(`--app: unknown key "${key}" in "${text}" (keys: slo, rps, name)`);
  const sloText = fields.get('slo');
  const rps = Number(fields.get('rps'));
  if (sloText === undefined || !fields.has('rps')) throw new InputError(`--app: give slo and rps, got "${text}"`);
  let slo = NaN;
  try {
    slo = parseDuration(/^\d+(\.\d+)?$/.test(sloText) ? Number(sloText) : sloText);
  } catch {
    // reported below
  }
  if (!Number.isFinite(slo)) throw new InputError(`--app: slo: expected seconds or a duration such as 500ms, got "${sloText}"`);
  if (!(slo > 0)) throw new InputError(`--app: slo must be > 0, got "${sloText}"`);
  if (!(rps > 0)) throw new InputError(`--app: rps must be a number > 0, got "${fields.get('rps')}"`);
  return { name: fields.get('name') ?? `app${index}`, slo, rate: rps };
}

/** The documented JSON form of a plan: application names in input order, functions as plain fields. */
export function planJson(plan: Plan, apps: readonly Application[]) {
  return {
    algorithm: plan.algorithm,
    model: plan.model,
    totalCostPerRequest: plan.totalCostPerRequest,
    groups: plan.groups.map((g) => ({
      apps: g.apps.map((i) => apps[i].name),
      function: g.function.kind,
      vcpu: g.function.vcpu,
      memGb: g.function.memGb,
      gpuMemGb: g.function.kind === 'gpu' ? g.function.gpuMemGb : null,
      batch: g.batch,
      timeouts: g.timeouts,
      expectedBatch: g.expectedBatch,
      costPerRequest: g.costPerRequest,
      rate: g.rate,
      share: g.share,
    })),
  };
}

function planText(plan: Plan, apps: readonly Application[]): string {
  const lines = [`${plan.algorithm} plan for ${plan.model}, ${apps.length} applications:`];
  plan.groups.forEach((g, i) => {
    const f = g.function;
    const resources = f.kind === 'gpu' ? `GPU ${f.gpuMemGb} GB (${f.vcpu.toFixed(3)} vCPU, ${f.memGb} GB memory)` : `CPU ${f.vcpu} vCPU, ${f.memGb} GB memory`;
    const members = g.apps.map((a, k) => `${apps[a].name} (SLO ${apps[a].slo} s, ${apps[a].rate}/s, timeout ${g.timeouts[k].toFixed(5)} s)`).join(', ');
    lines.push(
      `group ${i + 1}: ${resources}, batch ${g.batch} (expected ${g.expectedBatch}), ${g.costPerRequest.toExponential(4)} per request, ${(100 * g.share).toFixed(1)}% of requests`,
      `  ${members}`,
    );
  });
  lines.push(`total cost per request (weighted by rate): ${plan.totalCostPerRequest.toExponential(5)}`);
  return lines.join('\n') + '\n';
}

export function harmonyCommand(yargs: Argv) {
  return yargs.command('harmony', 'HarmonyBatch: multi-SLO batching on CPU and GPU serverless functions', (y) =>
    y
      .command(
        'plan [scenario]',
        'Group applications and provision their functions (HarmonyBatch or its BATCH baseline)',
        (c) =>
          c
            .positional('scenario', { type: 'string', describe: 'a serverless scenario: plans for its applications\' rates at time 0 (instead of --model/--app)' })
            .option('model', { type: 'string', describe: 'model of the catalog: VGG19, Bert, GPT-2, VideoMAE' })
            .option('app', { type: 'string', array: true, default: [] as string[], describe: 'an application: slo=0.5,rps=5[,name=x] (repeatable)' })
            .option('algorithm', { choices: ['harmony', 'batch'] as const, default: 'harmony' as const, describe: 'harmony: HarmonyBatch; batch: CPU-only, one function per application' })
            .option('cpu-search', { choices: ['proxy', 'exhaustive'] as const, default: 'proxy' as const, describe: "proxy: the reference's vCPU choice; exhaustive: the cheapest vCPU (a fix)" })
            .option('json', { type: 'boolean', default: false, describe: 'print the plan as JSON' })
            .example('$0 harmony plan --model VGG19 --app slo=0.5,rps=5 --app slo=0.6,rps=5 --app slo=0.8,rps=5 --app slo=1,rps=15', "HarmonyBatch's worked example")
            .example('$0 harmony plan scenarios/harmonybatch/example.yaml --algorithm batch --json', 'the BATCH baseline for a scenario'),
        (argv) => {
          let model: string;
          let apps: Application[];
          let catalog: string | undefined;
          if (argv.scenario !== undefined) {
            if (argv.model !== undefined || argv.app.length > 0) throw new InputError('give a scenario or --model and --app, not both');
            const scenario = readScenarioOfKind('serverless', argv.scenario);
            model = scenario.serverless.model;
            catalog = scenario.serverless.catalog;
            const rates = initialRates(scenario);
            apps = scenario.serverless.apps.map((a, i) => ({ name: a.name as string, slo: a.slo, rate: rates[i] }));
          } else {
            if (argv.model === undefined || argv.app.length === 0) throw new InputError('give --model and at least one --app (or a scenario file)');
            model = argv.model;
            apps = argv.app.map((text, i) => parseApp(text, i));
          }
          const planner = new HarmonyPlanner(loadServerlessModel(model, catalog), { algorithm: argv.algorithm, cpuSearch: argv['cpu-search'] });
          const plan = planner.plan(apps);
          process.stdout.write(argv.json ? jsonText(planJson(plan, apps)) : planText(plan, apps));
        },
      )
      .demandCommand(1, 'name a harmony command (plan)'),
  );
}
