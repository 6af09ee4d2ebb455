import { OverloadError } from '../../errors.js';
import { RandomStreams } from '../../engine/random.js';
import { Simulation } from '../../engine/simulation.js';
import { Monitor, type MonitorSink, type RunSummary } from '../../metrics/monitor.js';
import { SharedHost } from '../../pipeline/host.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import type { StageConfig } from '../../pipeline/stage.js';
import { withMargin } from '../../predictors/predictor.js';
import type { LatencyTable } from '../../profiles/latency-table.js';
import { buildWorkload } from '../../workload/build.js';
import { AdaptationLoop, type AdaptationRow, type AdaptationSummary } from './adaptation.js';
import { matchProfileStages, scenarioProfile, StageModels } from './models.js';
import { BUILTIN_PLUGINS, resolvePlugin, type PipelinePlugins } from './plugins.js';
import type { Scenario } from './schema.js';

/** What a pipeline run needs loaded before it starts (see preparePipelineRun): its plug-ins, and what its predictor loaded. */
export interface PipelineResources {
  plugins: PipelinePlugins;
  /** The predictor definition's `load` result (a trained model), if it has one. */
  predictorData?: unknown;
}

export interface SimulateOptions {
  sink?: MonitorSink;
  /** Receives one row per adaptation step (runs with `adaptation`). */
  adaptationSink?: (row: AdaptationRow) => void;
  /** Plug-ins and loaded models the scenario needs (see preparePipelineRun); built-ins only without it. */
  resources?: PipelineResources;
  /** Called every few thousand arrivals with the fraction of the run done (0..1). */
  onProgress?: (fraction: number) => void;
}

export interface SimulationResult {
  summary: RunSummary;
  adaptation?: AdaptationSummary;
  tenantNames: string[];
  /** Problems worth telling the user that did not stop the run (e.g. profile extrapolation). */
  warnings: string[];
}

const PROGRESS_EVERY = 1 << 14;

/**
 * Stop a run whose queue has grown past `limit`: arrivals come faster than a stage serves, and
 * the queue would grow until memory runs out. Checked every PROGRESS_EVERY arrivals, so memory
 * stays within the limit plus that many requests.
 */
function checkWaiting(pipeline: Pipeline, limit: number, now: number, arrived: number): void {
  for (const stage of pipeline.stages) {
    if (stage.queue.size > limit) {
      throw new OverloadError(
        `stage ${stage.config.name}: ${stage.queue.size.toLocaleString('en-US')} requests waiting at ${now.toPrecision(6)} s, more than pipeline.maxWaiting (${limit.toLocaleString('en-US')}): ` +
          'requests arrive faster than the stage serves them. Lower the arrival rate, add replicas, or bound the queue (queue.capacity) to drop instead; the run was stopped.',
        now > 0 ? arrived / now : Number.NaN,
      );
    }
  }
}

/** Run one scenario to its end and summarise it. Pure in its inputs: the same scenario gives the same result. */
export function simulate(scenario: Scenario, options: SimulateOptions = {}): SimulationResult {
  const sim = new Simulation();
  const streams = new RandomStreams(scenario.seed);
  const workload = buildWorkload(scenario.workload.arrivals, streams);
  const profile = scenarioProfile(scenario);
  const stageProfiles = profile === undefined ? undefined : matchProfileStages(scenario, profile);
  const tables: LatencyTable[] = [];
  const plugins = options.resources?.plugins ?? BUILTIN_PLUGINS;
  const models = scenario.pipeline.stages.map((spec, i) => new StageModels(spec, scenario.pipeline, stageProfiles?.[i], streams, tables, workload.tenantNames));
  const host = scenario.pipeline.host == null ? undefined : new SharedHost<number>(sim, scenario.pipeline.host.cores, scenario.pipeline.host.interference ?? 0);
  const stageSpecs = scenario.pipeline.stages.map((spec, i) => {
    const config: StageConfig = {
      name: spec.name ?? `stage${i + 1}`,
      batchTimeout: spec.batch.timeout,
      capacity: spec.queue.capacity ?? Infinity,
      overflow: spec.queue.overflow,
      dropExpired: spec.queue.dropExpired,
      discipline: resolvePlugin(plugins.disciplines, spec.queue.discipline),
      abandon: spec.queue.abandon,
      router: (({ definition, options }) => definition.create(options))(resolvePlugin(plugins.routers, spec.routing)),
      drain: scenario.pipeline.drain,
      ...(host === undefined ? {} : { host }),
    };
    return { config, initial: { model: models[i].get(spec.variant), replicas: spec.replicas, maxBatch: spec.batch.max } };
  });

  const duration = scenario.duration ?? Infinity;
  const maxRequests = scenario.workload.requests ?? Infinity;
  const { warmup } = scenario.metrics;
  const defaultSlo = scenario.slo ?? Infinity;
  const dropLimit = scenario.pipeline.dropLimit ?? profile?.dropLimit ?? Infinity;
  let arrivalsOpen = true;

  // Without a duration, a run lasts until the workload is over (a trace's whole length, even if
  // its last seconds are empty) and the pipeline has drained.
  const naturalEnd = workload.length ?? 0;
  const active = () => (duration !== Infinity ? sim.now < duration : arrivalsOpen || monitor.inSystemNow > 0 || sim.now < naturalEnd);
  const monitor: Monitor = new Monitor(sim, scenario.metrics, options.sink ?? {}, active, workload.tenantNames);
  const pipeline = new Pipeline(sim, stageSpecs, monitor);
  monitor.attach(pipeline.stages, pipeline.requests);
  // A run without a duration ends the moment it has nothing left to do; stopping there keeps
  // replica start-up and drain timers from running (and being paid for) past the end.
  const stopIfDone = () => {
    if (!active()) sim.stop();
  };
  if (duration === Infinity) {
    monitor.onEmpty = stopIfDone;
    if (naturalEnd > 0) sim.scheduleAt(naturalEnd, stopIfDone, undefined);
  }

  let adaptation: AdaptationLoop | undefined;
  if (scenario.adaptation !== undefined) {
    const { adapter: adapterSpec, predictor: predictorSpec, interval } = scenario.adaptation;
    const adapter = resolvePlugin(plugins.adapters, adapterSpec);
    const predictor = resolvePlugin(plugins.predictors, predictorSpec);
    const context = { counts: workload.counts, bin: workload.bin ?? 1, loaded: options.resources?.predictorData };
    adaptation = new AdaptationLoop(
      sim,
      monitor,
      pipeline,
      models,
      profile,
      adapter.definition,
      adapter.options,
      withMargin(predictor.definition.create(predictor.options, context), predictorSpec.margin as number),
      interval,
      active,
      options.adaptationSink,
    );
  }

  const source = workload.source;
  const onProgress = options.onProgress;
  const horizon = Math.min(duration, workload.length ?? Infinity);
  let nextId = 0;
  const arrive = () => {
    const now = sim.now;
    const slo = source.slo === source.slo ? source.slo : defaultSlo;
    adaptation?.arrived(now);
    const priority = source.priority === source.priority ? source.priority : 0;
    pipeline.inject(pipeline.requests.take(nextId, now, now + slo, now + dropLimit, source.tenant, priority, now >= warmup));
    nextId++;
    if ((nextId & (PROGRESS_EVERY - 1)) === 0) {
      checkWaiting(pipeline, scenario.pipeline.maxWaiting, now, nextId);
      onProgress?.(Math.min(1, Math.max(now / horizon, nextId / maxRequests)));
    }
    scheduleNextArrival();
  };
  const scheduleNextArrival = () => {
    if (nextId < maxRequests && source.next() && source.time < duration) sim.scheduleAt(source.time, arrive, undefined);
    else {
      arrivalsOpen = false;
      if (duration === Infinity && monitor.inSystemNow === 0) sim.scheduleAt(sim.now, stopIfDone, undefined);
    }
  };
  scheduleNextArrival();

  sim.run(duration);
  const end = duration === Infinity ? Math.max(sim.now, naturalEnd) : duration;
  onProgress?.(1);
  const adaptationSummary = adaptation?.finish(end);
  const summary = monitor.finish(end);
  const warnings = tables.flatMap((t) => [...t.warnings]);
  if (warmup > 0 && warmup >= end) warnings.push(`metrics.warmup (${warmup} s) is at least as long as the run (${end.toPrecision(4)} s of simulated time): no request was measured; shorten the warm-up or lengthen the run`);
  return { summary, ...(adaptationSummary ? { adaptation: adaptationSummary } : {}), tenantNames: workload.tenantNames, warnings };
}
