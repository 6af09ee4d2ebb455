import type { Plan } from '../../adapters/harmonybatch/planner.js';
import { scenarioFileText } from '../../scenario/files.js';
import { summaryHeader, writeRunFolder } from '../../scenario/run-folder.js';
import { csvNumber, csvPrecise, csvText } from '../../metrics/csv.js';
import type { ServerlessScenario } from './schema.js';
import { serverlessPaths } from './paths.js';
import { simulateServerless, type ServerlessSummary } from './simulate.js';

/** Files of a serverless run folder; complete exactly when summary.json exists (written last). */
export const SERVERLESS_FILES = {
  summary: 'summary.json',
  scenario: 'scenario.yaml',
  apps: 'apps.csv',
  plans: 'plans.csv',
  requests: 'requests.csv',
} as const;

export interface ServerlessSummaryFile extends ServerlessSummary {
  pipesim: string;
  kind: 'serverless';
  scenario: string;
  seed: number;
  model: string;
  adapter: string;
}

/** Groups of a plan in one cell: `app0 cpu 1.6vCPU b1 | app2+app3 gpu 2GB b10`. */
export function describePlan(plan: Plan, names: readonly string[]): string {
  return plan.groups
    .map((g) => {
      const f = g.function;
      const resources = f.kind === 'gpu' ? `gpu ${f.gpuMemGb}GB` : `cpu ${f.vcpu}vCPU`;
      return `${g.apps.map((a) => names[a]).join('+')} ${resources} b${g.batch}`;
    })
    .join(' | ');
}

/** Simulate a serverless scenario and write its run folder. */
export function runServerlessToFolder(scenario: ServerlessScenario, dir: string, options: { durable?: boolean } = {}): ServerlessSummaryFile {
  const { summary: _s, scenario: _c, ...tables } = SERVERLESS_FILES;
  return writeRunFolder(dir, Object.values(tables), options, (out) => {
    const names = scenario.serverless.apps.map((a, i) => a.name ?? `app${i}`);
    const n = csvNumber;
    const requests = scenario.metrics.requests ? out.stream(SERVERLESS_FILES.requests) : undefined;
    requests?.write('app,arrival,end,latency,batch,cost\n');
    const { summary, steps } = simulateServerless(scenario, {
      request: requests ? (app, arrival, end, batch, cost) => requests.write(`${csvText(names[app])},${n(arrival)},${n(end)},${n(end - arrival)},${batch},${csvPrecise(cost)}\n`) : undefined,
    });
    const apps = [
      'app,slo,arrived,completed,violations,violation_ratio,latency_mean,latency_p50,latency_p99,latency_max,cost_per_request,planned_cost_per_request',
      ...summary.apps.map(
        (a) =>
          `${csvText(a.name)},${n(a.slo)},${a.arrived},${a.completed},${a.violations},${n(a.violationRatio ?? NaN)},${n(a.latency.mean ?? NaN)},${n(a.latency.p50 ?? NaN)},${n(a.latency.p99 ?? NaN)},${n(a.latency.max ?? NaN)},${csvPrecise(a.costPerRequest ?? NaN)},${csvPrecise(a.plannedCostPerRequest ?? NaN)}`,
      ),
    ];
    out.file(SERVERLESS_FILES.apps, apps.join('\n') + '\n');
    const plans = [
      `step,time,end,arrived,violations,planned_cost_per_request,cost_per_request,${names.map((a) => `rate_${a}`).join(',')},${names.map((a) => `planned_rate_${a}`).join(',')},plan`,
      ...steps.map(
        (s) =>
          `${s.step},${n(s.time)},${n(s.end)},${s.arrived},${s.violations},${csvPrecise(s.plan.totalCostPerRequest)},${csvPrecise(s.costPerRequest)},` +
          `${s.observedRates.map(n).join(',')},${s.plannedRates.map(n).join(',')},${csvText(describePlan(s.plan, names))}`,
      ),
    ];
    out.file(SERVERLESS_FILES.plans, plans.join('\n') + '\n');
    const file: ServerlessSummaryFile = {
      ...summaryHeader(scenario, 'serverless'),
      model: scenario.serverless.model,
      adapter: scenario.adaptation.adapter.kind,
      ...summary,
    };
    return { summary: file, scenarioText: scenarioFileText(scenario, dir, serverlessPaths) };
  });
}
