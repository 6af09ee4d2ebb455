import type { Simulation } from '../engine/simulation.js';
import type { PipelineObserver } from '../pipeline/pipeline.js';
import { DROP_REASONS, type DropReason, type Request, type RequestTable } from '../pipeline/request.js';
import { Distribution, WindowSample, type DistributionSummary } from './distribution.js';
import { summarizeTenant, TenantStats, type TenantSummary } from './tenant.js';
import { TimeIntegral } from './time-integral.js';

/**
 * What the monitor reads of a stage. A simulated Stage is one; so is a stage of the serving
 * testbed whose record is replayed into a run folder (src/testbed/record.ts).
 */
export interface ObservedStage {
  readonly index: number;
  readonly name: string;
  /** Replicas taking batches (active or draining). */
  readonly servingReplicas: number;
  /** Cores of all replicas present. */
  readonly provisionedCores: number;
  readonly queue: { readonly size: number };
}

export interface MonitorOptions {
  /** Requests arriving before this time are served but left out of the summary; time averages start here. */
  warmup: number;
  /** Length of one time-series interval, seconds. */
  interval: number;
  /** Relative accuracy of the quantile sketches. */
  sketchAccuracy: number;
}

/** One row of timeseries.csv: the pipeline during [time, end). */
export interface IntervalRow {
  time: number;
  end: number;
  arrived: number;
  completed: number;
  dropped: number;
  late: number;
  latencyMean: number;
  latencyP50: number;
  latencyP99: number;
  inSystem: number;
  /** Time-average cores of all replicas present (starting, serving or draining): the cost rate. */
  cores: number;
}

/** One row of stage_timeseries.csv: one stage during [time, end). */
export interface StageIntervalRow {
  time: number;
  stage: string;
  /** Requests waiting at the end of the interval. */
  queue: number;
  /** Time-average replicas taking batches (active or draining). */
  replicas: number;
  /** Time-average cores of all replicas present. */
  cores: number;
  /** Time-average replicas serving a batch. */
  busy: number;
  /** busy / replicas. */
  utilization: number;
  batches: number;
  meanBatch: number;
}

/**
 * Receives finished intervals and per-request records as the run goes, so
 * nothing grows with run length. The row objects passed to `interval` are
 * reused for the next interval, and the Request passed to `request` stands
 * for another request once the call returns: copy what must outlive the call.
 */
export interface MonitorSink {
  interval?(row: IntervalRow, stages: readonly StageIntervalRow[]): void;
  request?(request: Request, end: number, outcome: 'completed' | DropReason): void;
}

export interface StageSummary {
  name: string;
  /** Replicas taking batches at the end. */
  replicas: number;
  /** Time-average replicas taking batches. */
  meanReplicas: number | null;
  /** Time-average cores of all replicas present. */
  meanCores: number | null;
  coreSeconds: number;
  wait: DistributionSummary;
  service: DistributionSummary;
  utilization: number | null;
  batches: number;
  meanBatchSize: number | null;
  dropped: Record<DropReason, number>;
}

export interface RunSummary {
  simulated: { end: number; warmup: number; measured: number };
  requests: {
    arrived: number;
    completed: number;
    dropped: number;
    inFlight: number;
    late: number;
    droppedByReason: Record<DropReason, number>;
  };
  latency: DistributionSummary;
  sloViolationRatio: number | null;
  arrivalRate: number | null;
  throughput: number | null;
  goodput: number | null;
  inSystem: { mean: number | null };
  /** What was running, paid for: cores x time over the measured period, starting and draining replicas included. */
  cost: { coreSeconds: number; meanCores: number | null };
  stages: StageSummary[];
  /** The same per tenant (one entry, the whole run, for a single-tenant workload). */
  byTenant: TenantSummary[];
  events: number;
}

const WINDOW_QUANTILES = [0.5, 0.99];

class StageStats {
  readonly wait: Distribution;
  readonly service: Distribution;
  readonly busy: TimeIntegral;
  readonly serving: TimeIntegral;
  readonly cores: TimeIntegral;
  readonly dropped = zeroDrops();
  batches = 0;
  batchItems = 0;
  // Warm-up snapshot
  busyAtWarmup = 0;
  servingAtWarmup = 0;
  coresAtWarmup = 0;

  constructor(readonly stage: ObservedStage, accuracy: number) {
    this.wait = new Distribution(accuracy);
    this.service = new Distribution(accuracy);
    this.busy = new TimeIntegral(0);
    this.serving = new TimeIntegral(0, stage.servingReplicas);
    this.cores = new TimeIntegral(0, stage.provisionedCores);
  }
}

function zeroDrops(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}

/**
 * Counters of one stream of back-to-back intervals (the time series, the adaptation steps).
 * Open one with `Monitor.openWindow`; each `Monitor.closeWindow` reports [start, now) and
 * starts the next interval.
 */
export class IntervalWindow {
  start = 0;
  arrived = 0;
  completed = 0;
  dropped = 0;
  late = 0;
  readonly latency = new WindowSample();
  inSystemStart = 0;
  readonly stageBatches: number[];
  readonly stageItems: number[];
  readonly stageBusyStart: number[];
  readonly stageServingStart: number[];
  readonly stageCoresStart: number[];
  /** Reused for every interval this window reports. */
  readonly row: IntervalRow = {
    time: 0, end: 0, arrived: 0, completed: 0, dropped: 0, late: 0, latencyMean: NaN, latencyP50: NaN, latencyP99: NaN, inSystem: 0, cores: 0,
  };
  readonly stageRows: StageIntervalRow[];

  constructor(stageNames: readonly string[]) {
    const zeros = () => stageNames.map(() => 0);
    this.stageBatches = zeros();
    this.stageItems = zeros();
    this.stageBusyStart = zeros();
    this.stageServingStart = zeros();
    this.stageCoresStart = zeros();
    this.stageRows = stageNames.map((stage) => ({ time: 0, stage, queue: 0, replicas: 0, cores: 0, busy: 0, utilization: NaN, batches: 0, meanBatch: NaN }));
  }
}

/**
 * The one place that observes a run and owns its metrics: cumulative
 * statistics of the measured requests (those arriving after warm-up) for the
 * summary, and interval windows: the time series streamed to a sink, and any
 * other windows the run opens (adaptation steps).
 */
export class Monitor implements PipelineObserver {
  private readonly stats: StageStats[] = [];
  private readonly latency: Distribution;
  private readonly inSystem = new TimeIntegral(0);
  private arrivedCount = 0;
  private completedCount = 0;
  private lateCount = 0;
  private readonly droppedByReason = zeroDrops();
  private inSystemAtWarmup = 0;
  private readonly windows: IntervalWindow[] = [];
  private readonly windowQuantiles = [NaN, NaN];
  private seriesWindow: IntervalWindow | undefined;
  /** Per-tenant statistics, kept only when there are several tenants (one tenant is the whole run). */
  private readonly tenants: TenantStats[] | undefined;
  /** Time of the last arrival, completion or drop. */
  lastActivity = 0;
  /** Called whenever the pipeline becomes empty (the run may be over). */
  onEmpty: () => void = () => {};
  /** Number of interval boundaries passed; the next is at (ticks + 1) * interval, free of summed rounding. */
  private ticks = 0;
  private tick = () => {
    // Past the end of the run, the last (partial) interval is closed by finish() instead.
    if (this.active()) {
      this.emitSeries(this.sim.now);
      this.scheduleTick();
    }
  };

  constructor(
    private readonly sim: Simulation,
    private readonly options: MonitorOptions,
    private readonly sink: MonitorSink,
    /** Asked at each interval tick whether the run still has work; ticks stop when it says no. */
    private readonly active: () => boolean,
    private readonly tenantNames: readonly string[] = ['default'],
  ) {
    this.latency = new Distribution(options.sketchAccuracy);
    this.tenants = tenantNames.length > 1 ? tenantNames.map(() => new TenantStats(options.sketchAccuracy)) : undefined;
  }

  /** Requests in the pipeline right now. */
  get inSystemNow(): number {
    return this.inSystem.current;
  }

  /** The requests the observer methods name by slot. */
  private requests!: RequestTable;

  /** Start observing `stages`, moving the requests in `requests` (call once, at time 0, before the first arrival). */
  attach(stages: readonly ObservedStage[], requests: RequestTable): void {
    this.requests = requests;
    for (const stage of stages) this.stats.push(new StageStats(stage, this.options.sketchAccuracy));
    if (this.options.warmup > 0) this.sim.scheduleAt(this.options.warmup, () => this.snapshotWarmup(), undefined, true);
    if (this.sink.interval) {
      this.seriesWindow = this.openWindow();
      this.scheduleTick();
    }
  }

  /** A new stream of intervals, the first starting now. */
  openWindow(): IntervalWindow {
    const w = new IntervalWindow(this.stats.map((s) => s.stage.name));
    this.resetWindow(w, this.sim.now);
    this.windows.push(w);
    return w;
  }

  private scheduleTick(): void {
    this.sim.scheduleAt(++this.ticks * this.options.interval, this.tick, undefined, true);
  }

  arrived(slot: number): void {
    this.inSystem.add(this.sim.now, 1);
    this.lastActivity = this.sim.now;
    for (const w of this.windows) w.arrived++;
    const requests = this.requests;
    if (requests.measured(slot)) {
      this.arrivedCount++;
      if (this.tenants) this.tenants[requests.tenant(slot)].arrived++;
    }
  }

  batchStarted(stage: ObservedStage, batch: ArrayLike<number>, size: number, serviceTime: number): void {
    const now = this.sim.now;
    const s = this.stats[stage.index];
    s.busy.add(now, 1);
    for (const w of this.windows) {
      w.stageBatches[stage.index]++;
      w.stageItems[stage.index] += size;
    }
    // NaN on a shared host: the service is known when the batch ends (batchServed).
    const timed = serviceTime === serviceTime;
    const requests = this.requests;
    for (let i = 0; i < size; i++) {
      const slot = batch[i];
      if (!requests.measured(slot)) continue;
      s.wait.add(now - requests.enqueuedAt(slot));
      if (timed) s.service.add(serviceTime);
    }
    if (now >= this.options.warmup) {
      s.batches++;
      s.batchItems += size;
    }
  }

  batchServed(stage: ObservedStage, batch: ArrayLike<number>, size: number, serviceTime: number): void {
    const s = this.stats[stage.index];
    for (let i = 0; i < size; i++) if (this.requests.measured(batch[i])) s.service.add(serviceTime);
  }

  batchFinished(stage: ObservedStage): void {
    this.stats[stage.index].busy.add(this.sim.now, -1);
  }

  replicasChanged(stage: ObservedStage): void {
    const now = this.sim.now;
    const s = this.stats[stage.index];
    const serving = stage.servingReplicas - s.serving.current;
    const cores = stage.provisionedCores - s.cores.current;
    if (serving !== 0) s.serving.add(now, serving);
    if (cores !== 0) s.cores.add(now, cores);
  }

  completed(slot: number): void {
    const requests = this.requests;
    const now = this.sim.now;
    const latency = now - requests.arrival(slot);
    const late = now > requests.deadline(slot);
    this.inSystem.add(now, -1);
    this.lastActivity = now;
    if (this.inSystem.current === 0) this.onEmpty();
    for (const w of this.windows) {
      w.completed++;
      w.latency.add(latency);
      if (late) w.late++;
    }
    if (requests.measured(slot)) {
      this.completedCount++;
      this.latency.add(latency);
      if (late) this.lateCount++;
      this.tenants?.[requests.tenant(slot)].complete(latency, late);
    }
    // The object is made only for a sink that asks for requests.
    this.sink.request?.(requests.request(slot), now, 'completed');
  }

  dropped(slot: number, reason: DropReason): void {
    const requests = this.requests;
    const now = this.sim.now;
    this.inSystem.add(now, -1);
    this.lastActivity = now;
    if (this.inSystem.current === 0) this.onEmpty();
    for (const w of this.windows) w.dropped++;
    if (requests.measured(slot)) {
      this.droppedByReason[reason]++;
      this.stats[requests.stage(slot)].dropped[reason]++;
      if (this.tenants) this.tenants[requests.tenant(slot)].dropped++;
    }
    this.sink.request?.(requests.request(slot), now, reason);
  }

  private snapshotWarmup(): void {
    const now = this.sim.now;
    this.inSystemAtWarmup = this.inSystem.areaAt(now);
    for (const s of this.stats) {
      s.busyAtWarmup = s.busy.areaAt(now);
      s.servingAtWarmup = s.serving.areaAt(now);
      s.coresAtWarmup = s.cores.areaAt(now);
    }
  }

  private emitSeries(now: number): void {
    const w = this.seriesWindow as IntervalWindow;
    if (now - w.start <= 0) return;
    this.closeWindow(w, now);
    this.sink.interval?.(w.row, w.stageRows);
  }

  /** Fill `w.row` and `w.stageRows` with the interval [w.start, now), then start the next interval at `now`. */
  closeWindow(w: IntervalWindow, now: number): void {
    const length = now - w.start;
    let cores = 0;
    this.stats.forEach((s, i) => {
      const busy = s.busy.areaAt(now) - w.stageBusyStart[i];
      const serving = s.serving.areaAt(now) - w.stageServingStart[i];
      const stageCores = s.cores.areaAt(now) - w.stageCoresStart[i];
      cores += stageCores;
      const row = w.stageRows[i];
      row.time = w.start;
      row.queue = s.stage.queue.size;
      row.replicas = serving / length;
      row.cores = stageCores / length;
      row.busy = busy / length;
      row.utilization = serving > 0 ? busy / serving : NaN;
      row.batches = w.stageBatches[i];
      row.meanBatch = w.stageBatches[i] > 0 ? w.stageItems[i] / w.stageBatches[i] : NaN;
    });
    w.latency.quantiles(WINDOW_QUANTILES, this.windowQuantiles);
    const row = w.row;
    row.time = w.start;
    row.end = now;
    row.arrived = w.arrived;
    row.completed = w.completed;
    row.dropped = w.dropped;
    row.late = w.late;
    row.latencyMean = w.latency.mean;
    row.latencyP50 = this.windowQuantiles[0];
    row.latencyP99 = this.windowQuantiles[1];
    row.inSystem = (this.inSystem.areaAt(now) - w.inSystemStart) / length;
    row.cores = cores / length;
    this.resetWindow(w, now);
  }

  private resetWindow(w: IntervalWindow, now: number): void {
    w.start = now;
    w.arrived = w.completed = w.dropped = w.late = 0;
    w.latency.clear();
    w.inSystemStart = this.inSystem.areaAt(now);
    this.stats.forEach((s, i) => {
      w.stageBatches[i] = 0;
      w.stageItems[i] = 0;
      w.stageBusyStart[i] = s.busy.areaAt(now);
      w.stageServingStart[i] = s.serving.areaAt(now);
      w.stageCoresStart[i] = s.cores.areaAt(now);
    });
  }

  /** Close the last (possibly partial) interval and summarise the measured requests at time `end`. */
  finish(end: number): RunSummary {
    if (this.seriesWindow) this.emitSeries(end);
    const warmup = Math.min(this.options.warmup, end);
    const measured = end - warmup;
    const dropped = DROP_REASONS.reduce((sum, r) => sum + this.droppedByReason[r], 0);
    const arrived = this.arrivedCount;
    const perSecond = (n: number) => (measured > 0 ? n / measured : null);
    const stages = this.stats.map((s): StageSummary => {
      const serving = measured > 0 ? s.serving.areaAt(end) - s.servingAtWarmup : 0;
      const coreSeconds = measured > 0 ? s.cores.areaAt(end) - s.coresAtWarmup : 0;
      return {
        name: s.stage.name,
        replicas: s.stage.servingReplicas,
        meanReplicas: perSecond(serving),
        meanCores: perSecond(coreSeconds),
        coreSeconds,
        wait: s.wait.summary(),
        service: s.service.summary(),
        utilization: serving > 0 ? (s.busy.areaAt(end) - s.busyAtWarmup) / serving : null,
        batches: s.batches,
        meanBatchSize: s.batches > 0 ? s.batchItems / s.batches : null,
        dropped: { ...s.dropped },
      };
    });
    const coreSeconds = stages.reduce((sum, s) => sum + s.coreSeconds, 0);
    const byTenant = this.tenants
      ? this.tenants.map((t, i) => t.summary(this.tenantNames[i], perSecond))
      : [summarizeTenant(this.tenantNames[0], { arrived, completed: this.completedCount, dropped, late: this.lateCount }, this.latency, perSecond)];
    return {
      simulated: { end, warmup, measured },
      requests: {
        arrived,
        completed: this.completedCount,
        dropped,
        inFlight: arrived - this.completedCount - dropped,
        late: this.lateCount,
        droppedByReason: { ...this.droppedByReason },
      },
      latency: this.latency.summary(),
      sloViolationRatio: arrived > 0 ? (this.lateCount + dropped) / arrived : null,
      arrivalRate: perSecond(arrived),
      throughput: perSecond(this.completedCount),
      goodput: perSecond(this.completedCount - this.lateCount),
      inSystem: { mean: measured > 0 ? (this.inSystem.areaAt(end) - this.inSystemAtWarmup) / measured : null },
      cost: { coreSeconds, meanCores: perSecond(coreSeconds) },
      stages,
      byTenant,
      events: this.sim.eventsProcessed,
    };
  }
}

