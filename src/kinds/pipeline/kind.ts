import { resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { formatPath } from '../../config/paths.js';
import { formatDuration } from '../../config/units.js';
import { importPluginModule } from '../../plugins/modules.js';
import { MODULE_KIND, type PluginDefinition } from '../../plugins/registry.js';
import { resolvePipelineProfile } from '../../profiles/catalog.js';
import { uniqueNames, type ScenarioKind } from '../../scenario/kind.js';
import { estimateArrivalsRun, type RunEstimate } from '../../scenario/size.js';
import { findPeak } from './peak.js';
import { isProfilePath, pipelinePaths } from './paths.js';
import { checkPluginOptions, pluginSlots, resolvePlugin, withPlugins } from './plugins.js';
import { RUN_FILES, runToFolder, type SummaryFile } from './run-folder.js';
import { scenarioSchema, type Scenario } from './schema.js';
import type { PipelineResources } from './simulate.js';

/**
 * Import the plug-in modules a pipeline scenario names and load what its predictor needs (a trained
 * model), so that the synchronous simulation finds them. Paths are as in the scenario (relative
 * to the working directory, or absolute).
 */
export async function preparePipelineRun(scenario: Scenario, extra: readonly PluginDefinition[] = []): Promise<PipelineResources> {
  const plugins = withPlugins(extra);
  for (const slot of pluginSlots(scenario)) {
    const value = slot.value as { kind?: unknown; path?: unknown };
    if (typeof value === 'object' && value.kind === MODULE_KIND) await importPluginModule(resolve(value.path as string));
  }
  const spec = scenario.adaptation?.predictor;
  if (spec === undefined) return { plugins };
  const predictor = resolvePlugin(plugins.predictors, spec);
  return { plugins, predictorData: await predictor.definition.load?.(predictor.options) };
}

/** Bytes of one row of each table, rounded up from the bundled scenarios' output. */
const ROW_BYTES = { timeseries: 80, stage: 60 } as const;

/** The size of a pipeline run: its workload's (scenario/size.ts), plus the time series, a row per interval and stage. */
export function estimatePipelineRun(scenario: Scenario): RunEstimate {
  const estimate = estimateArrivalsRun([scenario.workload.arrivals], scenario.duration, scenario.workload.requests, scenario.metrics.requests);
  const rows = estimate.seconds / scenario.metrics.interval;
  return { ...estimate, outputBytes: estimate.outputBytes + rows * (ROW_BYTES.timeseries + ROW_BYTES.stage * scenario.pipeline.stages.length) };
}

export const pipelineKind: ScenarioKind<'pipeline', Scenario, SummaryFile> = {
  key: 'pipeline',
  title: 'pipeline scenario',
  description: 'requests through a chain of stages, each a queue, a batcher and replicas of a model; optionally reconfigured as it runs',
  schema: (plugins) => scenarioSchema(withPlugins(plugins)),
  estimate: estimatePipelineRun,
  complete(scenario, { file, folderOf, plugins }) {
    const pipeline = scenario.pipeline;
    const profile = pipeline.profile === undefined ? undefined : isProfilePath(pipeline.profile) ? resolve(folderOf(['pipeline', 'profile']), pipeline.profile) : pipeline.profile;
    let profileStages: string[] | undefined;
    try {
      profileStages = profile === undefined ? undefined : resolvePipelineProfile(profile).stages.map((s) => s.name);
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`${file}: pipeline.profile: ${err.message}`);
      throw err;
    }
    pipeline.stages.forEach((stage, i) => {
      stage.name ??= profileStages?.[i] ?? `stage${i + 1}`;
    });
    uniqueNames(pipeline.stages.map((s) => s.name as string), `${file}: pipeline.stages`, 'stage');
    const registries = withPlugins(plugins);
    checkPluginOptions(scenario, registries, file, folderOf);
    // What the schema checks for built-ins, checked here for plug-ins from modules.
    for (const slot of pluginSlots(scenario)) {
      const value = slot.value as { kind?: string; path?: string };
      const at = typeof value === 'object' && value.kind === MODULE_KIND ? { ...value, path: resolve(folderOf([...slot.at, 'path']), value.path as string) } : slot.value;
      if (slot.family === 'adapter' && pipeline.profile === undefined && resolvePlugin(registries.adapters, at).definition.needsProfile) {
        throw new InputError(`${file}: ${formatPath(slot.at)}: this adapter chooses among model variants: set pipeline.profile`);
      }
      if (slot.family === 'discipline') {
        const stage = pipeline.stages[slot.at[2] as number];
        if (stage.queue.overflow === 'drop-oldest' && !resolvePlugin(registries.disciplines, at).definition.fifo) {
          throw new InputError(`${file}: ${formatPath([...slot.at.slice(0, -1), 'overflow'])}: drop-oldest needs a first-come-first-served discipline`);
        }
      }
    }
  },
  paths: pipelinePaths,
  prepare: preparePipelineRun,
  runToFolder: (scenario, dir, options) => runToFolder(scenario, dir, { ...options, resources: options.resources as PipelineResources | undefined }),
  reportText,
  warnings: (summary) => summary.warnings,
  peak(scenario, options) {
    if (scenario.duration === undefined && scenario.workload.requests === undefined && scenario.workload.arrivals.kind !== 'trace') {
      throw new InputError(`${scenario.name}: give duration or workload.requests, so every probe ends`);
    }
    return findPeak(scenario, options);
  },
};

function reportText(s: SummaryFile, dir: string, wall: number): string {
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
            `${s.adaptation.notedSteps} with a note in ${RUN_FILES.adaptation}; planned cost ${s.adaptation.meanPlannedCores.toFixed(2)} cores` +
            (s.adaptation.meanAccuracy ? `; accuracy ${s.adaptation.meanAccuracy.objective.toFixed(3)} (mean ${s.adaptation.meanAccuracy.raw.toFixed(2)}%, PAS ${s.adaptation.meanAccuracy.pas.toFixed(3)})` : ''),
        ]
      : []),
    // Several tenants: a line each, so that one tenant's violations do not hide in the totals.
    ...(s.byTenant.length > 1
      ? s.byTenant.map(
          (t) =>
            `tenant ${t.name.padEnd(Math.max(9, ...s.byTenant.map((x) => x.name.length)))} arrived ${t.arrived}  completed ${t.completed}  dropped ${t.dropped}  late ${t.late}  violations ${pct(t.violationRatio)}  p50 ${ms(t.latency.p50)}  p99 ${ms(t.latency.p99)}  goodput ${t.goodput?.toFixed(2) ?? '-'}/s`,
        )
      : []),
    ...s.stages.map(
      (st) =>
        `stage ${st.name.padEnd(Math.max(10, ...s.stages.map((x) => x.name.length)))} replicas ${st.replicas} (mean ${st.meanReplicas?.toFixed(2) ?? '-'})  util ${pct(st.utilization)}  wait mean ${ms(st.wait.mean)} p99 ${ms(st.wait.p99)}  service mean ${ms(st.service.mean)}  batch ${st.meanBatchSize?.toFixed(2) ?? '-'}`,
    ),
    `results in ${dir}/`,
  ];
  return lines.join('\n') + '\n';
}
