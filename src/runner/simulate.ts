import { RandomStreams } from '../engine/random.js';
import { Simulation } from '../engine/simulation.js';
import { Monitor, type MonitorSink, type RunSummary } from '../metrics/monitor.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { Request } from '../pipeline/request.js';
import { affineLatency, ServiceTime, tableLatency } from '../pipeline/service.js';
import type { StageConfig } from '../pipeline/stage.js';
import { LatencyTable } from '../profiles/latency-table.js';
import { readLatencyPointsCsv } from '../profiles/load.js';
import type { Scenario, StageSpec } from '../scenario/schema.js';
import { buildWorkload } from './workload.js';

export interface SimulateOptions {
  sink?: MonitorSink;
  /** Called every few thousand arrivals with the fraction of the run done (0..1). */
  onProgress?: (fraction: number) => void;
}

export interface SimulationResult {
  summary: RunSummary;
  tenantNames: string[];
  /** Problems worth telling the user that did not stop the run (e.g. profile extrapolation). */
  warnings: string[];
}

const PROGRESS_EVERY = 1 << 14;

/** Run one scenario to its end and summarise it. Pure in its inputs: the same scenario gives the same result. */
export function simulate(scenario: Scenario, options: SimulateOptions = {}): SimulationResult {
  const sim = new Simulation();
  const streams = new RandomStreams(scenario.seed);
  const workload = buildWorkload(scenario.workload.arrivals, streams);
  const tables: LatencyTable[] = [];
  const stageSpecs = scenario.pipeline.stages.map((spec) => buildStage(spec, streams, tables));

  const duration = scenario.duration ?? Infinity;
  const maxRequests = scenario.workload.requests ?? Infinity;
  const { warmup } = scenario.metrics;
  const defaultSlo = scenario.slo ?? Infinity;
  let arrivalsOpen = true;

  // Without a duration, a run lasts until the workload is over (a trace's whole length, even if
  // its last seconds are empty) and the pipeline has drained.
  const naturalEnd = workload.length ?? 0;
  const monitor: Monitor = new Monitor(sim, scenario.metrics, options.sink ?? {}, () =>
    duration !== Infinity ? sim.now < duration : arrivalsOpen || monitor.inSystemNow > 0 || sim.now < naturalEnd,
  );
  const pipeline = new Pipeline(sim, stageSpecs, monitor);
  monitor.attach(pipeline.stages);

  const source = workload.source;
  const onProgress = options.onProgress;
  const horizon = Math.min(duration, workload.length ?? Infinity);
  let nextId = 0;
  const arrive = () => {
    const now = sim.now;
    const slo = source.slo === source.slo ? source.slo : defaultSlo;
    pipeline.inject(new Request(nextId, now, now + slo, source.tenant, now >= warmup));
    nextId++;
    if (onProgress !== undefined && (nextId & (PROGRESS_EVERY - 1)) === 0) {
      onProgress(Math.min(1, Math.max(now / horizon, nextId / maxRequests)));
    }
    scheduleNextArrival();
  };
  const scheduleNextArrival = () => {
    if (nextId < maxRequests && source.next() && source.time < duration) sim.scheduleAt(source.time, arrive, undefined);
    else arrivalsOpen = false;
  };
  scheduleNextArrival();

  sim.run(duration);
  const end = duration === Infinity ? Math.max(monitor.lastActivity, naturalEnd) : duration;
  onProgress?.(1);
  const summary = monitor.finish(end);
  const warnings = tables.flatMap((t) => [...t.warnings]);
  return { summary, tenantNames: workload.tenantNames, warnings };
}

function buildStage(spec: StageSpec, streams: RandomStreams, tables: LatencyTable[]): { config: StageConfig; service: ServiceTime } {
  const name = spec.name ?? 'stage';
  const s = spec.service;
  let meanLatency;
  if (s.profile !== undefined) {
    const points = s.profile.points ?? readLatencyPointsCsv(s.profile.path as string);
    const table = new LatencyTable(points, `stage ${name} profile`);
    tables.push(table);
    meanLatency = tableLatency(table);
  } else {
    meanLatency = affineLatency(s.mean as number, s.perItem);
  }
  const service = new ServiceTime(meanLatency, s.dist, s.cv ?? 0, streams.stream(`service:${name}`));
  const config: StageConfig = {
    name,
    replicas: spec.replicas,
    cores: spec.cores,
    maxBatch: spec.batch.max,
    batchTimeout: spec.batch.timeout,
    capacity: spec.queue.capacity ?? Infinity,
    overflow: spec.queue.overflow,
    dropExpired: spec.queue.dropExpired,
    routing: spec.routing,
  };
  return { config, service };
}
