import { formatDuration } from '../../config/units.js';
import { estimateArrivalsRun } from '../../scenario/size.js';
import { uniqueNames, type ScenarioKind } from '../../scenario/kind.js';
import { acceleratorPaths } from './paths.js';
import { findAcceleratorPeak } from './peak.js';
import { ACCELERATOR_FILES, runAcceleratorToFolder, type AcceleratorSummaryFile } from './run-folder.js';
import { AcceleratorScenarioSchema, type AcceleratorScenario } from './schema.js';

export const acceleratorKind: ScenarioKind<'accelerator', AcceleratorScenario, AcceleratorSummaryFile> = {
  key: 'accelerator',
  title: 'accelerator scenario',
  description: 'DNN services sharing one device, slowing each other as they co-run, scheduled by a policy (Abacus)',
  schema: () => AcceleratorScenarioSchema,
  estimate: (s) => estimateArrivalsRun(s.accelerator.services.map((x) => x.arrivals), s.duration, s.queries, s.metrics.requests),
  complete(scenario, { file }) {
    for (const svc of scenario.accelerator.services) svc.name ??= svc.model;
    uniqueNames(scenario.accelerator.services.map((s) => s.name as string), `${file}: accelerator.services`, 'service');
  },
  paths: acceleratorPaths,
  runToFolder: (scenario, dir, options) => runAcceleratorToFolder(scenario, dir, options),
  reportText,
  entityTable: { file: ACCELERATOR_FILES.tenants, key: 'service', title: 'Per service', metrics: ['violation_ratio', 'latency_p99'] },
  peak: findAcceleratorPeak,
};

function reportText(s: AcceleratorSummaryFile, dir: string): string {
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
