import type { Simulation } from '../engine/simulation.js';
import type { PipelineObserver } from '../pipeline/pipeline.js';
import { DROP_REASONS, type DropReason, type Request } from '../pipeline/request.js';
import type { Stage } from '../pipeline/stage.js';
import { Distribution, WindowSample, type DistributionSummary } from './distribution.js';
import { TimeIntegral } from './time-integral.js';

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
}

/** One row of stage_timeseries.csv: one stage during [time, end). */
export interface StageIntervalRow {
  time: number;
  stage: string;
  queue: number;
  replicas: number;
  busy: number;
  utilization: number;
  batches: number;
  meanBatch: number;
}

/**
 * Receives finished intervals and per-request records as the run goes, so
 * nothing grows with run length. The row objects passed to `interval` are
 * reused for the next interval: copy what must outlive the call.
 */
export interface MonitorSink {
  interval?(row: IntervalRow, stages: readonly StageIntervalRow[]): void;
  request?(request: Request, end: number, outcome: 'completed' | DropReason): void;
}

export interface StageSummary {
  name: string;
  replicas: number;
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
  stages: StageSummary[];
  events: number;
}

const WINDOW_QUANTILES = [0.5, 0.99];

class StageStats {
  readonly wait: Distribution;
  readonly service: Distribution;
  readonly busy: TimeIntegral;
  readonly provisioned: TimeIntegral;
  readonly dropped = zeroDrops();
  batches = 0;
  batchItems = 0;
  // Interval window
  windowBatches = 0;
  windowItems = 0;
  windowBusyStart = 0;
  windowProvisionedStart = 0;
  // Warm-up snapshot
  busyAtWarmup = 0;
  provisionedAtWarmup = 0;
  /** Reused for every interval row of this stage. */
  readonly row: StageIntervalRow;

  constructor(readonly stage: Stage, accuracy: number) {
    this.wait = new Distribution(accuracy);
    this.service = new Distribution(accuracy);
    this.busy = new TimeIntegral(0);
    this.provisioned = new TimeIntegral(0, stage.replicas.length);
    this.row = { time: 0, stage: stage.name, queue: 0, replicas: 0, busy: 0, utilization: NaN, batches: 0, meanBatch: NaN };
  }
}

function zeroDrops(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}

/**
 * The one place that observes a run and owns its metrics: cumulative
 * statistics of the measured requests (those arriving after warm-up) for the
 * summary, and per-interval windows streamed to a sink for the time series.
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

  private windowStart = 0;
  private windowArrived = 0;
  private windowCompleted = 0;
  private windowDropped = 0;
  private windowLate = 0;
  private readonly windowLatency = new WindowSample();
  private readonly windowQuantiles = [NaN, NaN];
  private readonly row: IntervalRow = {
    time: 0, end: 0, arrived: 0, completed: 0, dropped: 0, late: 0, latencyMean: NaN, latencyP50: NaN, latencyP99: NaN, inSystem: 0,
  };
  private stageRows: StageIntervalRow[] = [];
  private windowInSystemStart = 0;
  /** Time of the last arrival, completion or drop. */
  lastActivity = 0;
  /** Number of interval boundaries passed; the next is at (ticks + 1) * interval, free of summed rounding. */
  private ticks = 0;
  private tick = () => {
    // Past the end of the run, the last (partial) interval is closed by finish() instead.
    if (this.active()) {
      this.closeWindow(this.sim.now);
      this.scheduleTick();
    }
  };

  constructor(
    private readonly sim: Simulation,
    private readonly options: MonitorOptions,
    private readonly sink: MonitorSink,
    /** Asked at each interval tick whether the run still has work; ticks stop when it says no. */
    private readonly active: () => boolean,
  ) {
    this.latency = new Distribution(options.sketchAccuracy);
  }

  /** Requests in the pipeline right now. */
  get inSystemNow(): number {
    return this.inSystem.current;
  }

  /** Start observing `stages` (call once, at time 0, before the first arrival). */
  attach(stages: readonly Stage[]): void {
    for (const stage of stages) this.stats.push(new StageStats(stage, this.options.sketchAccuracy));
    this.stageRows = this.stats.map((s) => s.row);
    if (this.options.warmup > 0) this.sim.scheduleAt(this.options.warmup, () => this.snapshotWarmup(), undefined, true);
    if (this.sink.interval) this.scheduleTick();
  }

  private scheduleTick(): void {
    this.sim.scheduleAt(++this.ticks * this.options.interval, this.tick, undefined, true);
  }

  arrived(request: Request): void {
    this.inSystem.add(this.sim.now, 1);
    this.lastActivity = this.sim.now;
    this.windowArrived++;
    if (request.measured) this.arrivedCount++;
  }

  batchStarted(stage: Stage, batch: readonly Request[], serviceTime: number): void {
    const now = this.sim.now;
    const s = this.stats[stage.index];
    s.busy.add(now, 1);
    s.windowBatches++;
    s.windowItems += batch.length;
    for (let i = 0; i < batch.length; i++) {
      const request = batch[i];
      if (!request.measured) continue;
      s.wait.add(now - request.enqueuedAt);
      s.service.add(serviceTime);
    }
    if (now >= this.options.warmup) {
      s.batches++;
      s.batchItems += batch.length;
    }
  }

  batchFinished(stage: Stage): void {
    this.stats[stage.index].busy.add(this.sim.now, -1);
  }

  completed(request: Request): void {
    const now = this.sim.now;
    const latency = now - request.arrival;
    const late = now > request.deadline;
    this.inSystem.add(now, -1);
    this.lastActivity = now;
    this.windowCompleted++;
    this.windowLatency.add(latency);
    if (late) this.windowLate++;
    if (request.measured) {
      this.completedCount++;
      this.latency.add(latency);
      if (late) this.lateCount++;
    }
    this.sink.request?.(request, now, 'completed');
  }

  dropped(request: Request, reason: DropReason): void {
    const now = this.sim.now;
    this.inSystem.add(now, -1);
    this.lastActivity = now;
    this.windowDropped++;
    if (request.measured) {
      this.droppedByReason[reason]++;
      this.stats[request.stage].dropped[reason]++;
    }
    this.sink.request?.(request, now, reason);
  }

  private snapshotWarmup(): void {
    const now = this.sim.now;
    this.inSystemAtWarmup = this.inSystem.areaAt(now);
    for (const s of this.stats) {
      s.busyAtWarmup = s.busy.areaAt(now);
      s.provisionedAtWarmup = s.provisioned.areaAt(now);
    }
  }

  /** Emit the interval that ends at `now`. */
  private closeWindow(now: number): void {
    const length = now - this.windowStart;
    if (length <= 0) return;
    const inSystemArea = this.inSystem.areaAt(now);
    for (const s of this.stats) {
      const busyArea = s.busy.areaAt(now);
      const provisionedArea = s.provisioned.areaAt(now);
      const busy = busyArea - s.windowBusyStart;
      const provisioned = provisionedArea - s.windowProvisionedStart;
      const row = s.row;
      row.time = this.windowStart;
      row.queue = s.stage.queue.size;
      row.replicas = provisioned / length;
      row.busy = busy / length;
      row.utilization = provisioned > 0 ? busy / provisioned : NaN;
      row.batches = s.windowBatches;
      row.meanBatch = s.windowBatches > 0 ? s.windowItems / s.windowBatches : NaN;
      s.windowBusyStart = busyArea;
      s.windowProvisionedStart = provisionedArea;
      s.windowBatches = 0;
      s.windowItems = 0;
    }
    const w = this.windowLatency;
    w.quantiles(WINDOW_QUANTILES, this.windowQuantiles);
    const row = this.row;
    row.time = this.windowStart;
    row.end = now;
    row.arrived = this.windowArrived;
    row.completed = this.windowCompleted;
    row.dropped = this.windowDropped;
    row.late = this.windowLate;
    row.latencyMean = w.mean;
    row.latencyP50 = this.windowQuantiles[0];
    row.latencyP99 = this.windowQuantiles[1];
    row.inSystem = (inSystemArea - this.windowInSystemStart) / length;
    this.sink.interval?.(row, this.stageRows);
    this.windowStart = now;
    this.windowInSystemStart = inSystemArea;
    this.windowArrived = this.windowCompleted = this.windowDropped = this.windowLate = 0;
    w.clear();
  }

  /** Close the last (possibly partial) interval and summarise the measured requests at time `end`. */
  finish(end: number): RunSummary {
    if (this.sink.interval) this.closeWindow(end);
    const warmup = Math.min(this.options.warmup, end);
    const measured = end - warmup;
    const dropped = DROP_REASONS.reduce((sum, r) => sum + this.droppedByReason[r], 0);
    const arrived = this.arrivedCount;
    const perSecond = (n: number) => (measured > 0 ? n / measured : null);
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
      stages: this.stats.map((s) => {
        const provisioned = measured > 0 ? s.provisioned.areaAt(end) - s.provisionedAtWarmup : 0;
        return {
          name: s.stage.name,
          replicas: s.stage.replicas.length,
          wait: s.wait.summary(),
          service: s.service.summary(),
          utilization: provisioned > 0 ? (s.busy.areaAt(end) - s.busyAtWarmup) / provisioned : null,
          batches: s.batches,
          meanBatchSize: s.batches > 0 ? s.batchItems / s.batches : null,
          dropped: { ...s.dropped },
        };
      }),
      events: this.sim.eventsProcessed,
    };
  }
}
