import { formatDuration } from '../../config/units.js';
import { estimateArrivalsRun } from '../../scenario/size.js';
import { uniqueNames, type ScenarioKind } from '../../scenario/kind.js';
import { serverlessPaths } from './paths.js';
import { runServerlessToFolder, SERVERLESS_FILES, type ServerlessSummaryFile } from './run-folder.js';
import { ServerlessScenarioSchema, type ServerlessScenario } from './schema.js';

export const serverlessKind: ScenarioKind<'serverless', ServerlessScenario, ServerlessSummaryFile> = {
  key: 'serverless',
  title: 'serverless scenario',
  description: 'applications with their own SLOs on serverless CPU and GPU functions, grouped and batched by a planner (HarmonyBatch)',
  schema: () => ServerlessScenarioSchema,
  estimate: (s) => estimateArrivalsRun(s.serverless.apps.map((x) => x.arrivals), s.duration, undefined, s.metrics.requests),
  complete(scenario, { file }) {
    scenario.serverless.apps.forEach((app, i) => {
      app.name ??= `app${i}`;
    });
    uniqueNames(scenario.serverless.apps.map((a) => a.name as string), `${file}: serverless.apps`, 'application');
  },
  paths: serverlessPaths,
  runToFolder: (scenario, dir, options) => runServerlessToFolder(scenario, dir, options),
  reportText,
  entityTable: { file: SERVERLESS_FILES.apps, key: 'app', title: 'Per application', metrics: ['violation_ratio', 'latency_p99', 'cost_per_request'] },
};

function reportText(s: ServerlessSummaryFile, dir: string, wall: number): string {
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
