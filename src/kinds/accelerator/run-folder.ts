import { scenarioFileText } from '../../scenario/files.js';
import { summaryHeader, writeRunFolder } from '../../scenario/run-folder.js';
import { csvNumber, csvText } from '../../metrics/csv.js';
import type { AcceleratorScenario } from './schema.js';
import { acceleratorPaths } from './paths.js';
import { simulateAccelerator, type AcceleratorSummary } from './simulate.js';

/** Files of an accelerator run folder; complete exactly when summary.json exists (written last). */
export const ACCELERATOR_FILES = { summary: 'summary.json', scenario: 'scenario.yaml', tenants: 'tenants.csv', requests: 'requests.csv' } as const;

export interface AcceleratorSummaryFile extends AcceleratorSummary {
  pipesim: string;
  kind: 'accelerator';
  scenario: string;
  seed: number;
  policy: string;
  abandon: boolean;
}

/** Simulate an accelerator scenario and write its run folder. */
export function runAcceleratorToFolder(scenario: AcceleratorScenario, dir: string, options: { durable?: boolean } = {}): AcceleratorSummaryFile {
  const { summary: _s, scenario: _c, ...tables } = ACCELERATOR_FILES;
  return writeRunFolder(dir, Object.values(tables), options, (out) => {
    const n = csvNumber;
    const names = scenario.accelerator.services.map((s) => s.name ?? s.model);
    const requests = scenario.metrics.requests ? out.stream(ACCELERATOR_FILES.requests) : undefined;
    requests?.write('service,arrival,end,latency,outcome\n');
    const { summary } = simulateAccelerator(scenario, {
      request: requests ? (service, arrival, end, outcome) => requests.write(`${csvText(names[service])},${n(arrival)},${n(end)},${n(end - arrival)},${outcome}\n`) : undefined,
    });
    const rows = [
      'service,arrived,completed,abandoned,late,violation_ratio,latency_mean,latency_p50,latency_p95,latency_p99,goodput',
      ...summary.byTenant.map(
        (t) =>
          `${csvText(t.name)},${t.arrived},${t.completed},${t.dropped},${t.late},${n(t.violationRatio ?? NaN)},${n(t.latency.mean ?? NaN)},${n(t.latency.p50 ?? NaN)},${n(t.latency.p95 ?? NaN)},${n(t.latency.p99 ?? NaN)},${n(t.goodput ?? NaN)}`,
      ),
    ];
    out.file(ACCELERATOR_FILES.tenants, rows.join('\n') + '\n');
    const file: AcceleratorSummaryFile = {
      ...summaryHeader(scenario, 'accelerator'),
      policy: scenario.accelerator.policy,
      abandon: scenario.accelerator.abandon,
      ...summary,
    };
    return { summary: file, scenarioText: scenarioFileText(scenario, dir, acceleratorPaths) };
  });
}
