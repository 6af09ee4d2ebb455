import type { Simulation } from '../engine/simulation.js';
import { Fifo } from './fifo.js';
import type { DropReason, Request } from './request.js';
import type { ServiceTime } from './service.js';

export const ROUTINGS = ['round-robin', 'least-loaded'] as const;
export type Routing = (typeof ROUTINGS)[number];
export const OVERFLOWS = ['drop-newest', 'drop-oldest'] as const;
export type Overflow = (typeof OVERFLOWS)[number];

export interface StageConfig {
  name: string;
  replicas: number;
  cores: number;
  maxBatch: number;
  /** Longest the oldest queued request waits for a batch to fill, seconds. */
  batchTimeout: number;
  /** Most requests waiting in the queue (not counting those in service). */
  capacity: number;
  overflow: Overflow;
  /** Drop requests whose deadline has passed when a batch is formed. */
  dropExpired: boolean;
  routing: Routing;
}

/** What a stage reports as requests move through it; the monitor implements this. */
export interface StageObserver {
  /** A batch starts on a replica: `batch` requests, served in `serviceTime` seconds. */
  batchStarted(stage: Stage, batch: readonly Request[], serviceTime: number): void;
  /** The replica finished the batch (before the requests move on). */
  batchFinished(stage: Stage, batch: readonly Request[]): void;
  dropped(request: Request, reason: DropReason): void;
}

const NO_BATCH: readonly Request[] = [];

export class Replica {
  busy = false;
  /** Total seconds spent serving batches. */
  busyTime = 0;
  batchStart = 0;
  batch: readonly Request[] = NO_BATCH;
  constructor(readonly index: number, readonly cores: number) {}
}

/**
 * One pipeline stage: a FCFS queue, a batcher and a set of replicas.
 *
 * Batching rule: a batch is formed when a replica is idle and either the
 * queue holds `maxBatch` requests, or the oldest queued request has waited
 * `batchTimeout`; the batch takes up to `maxBatch` requests from the head.
 * With a zero timeout a batch leaves as soon as a replica is free.
 */
export class Stage {
  readonly queue = new Fifo<Request>();
  readonly replicas: Replica[] = [];
  private idle = 0;
  private nextRoundRobin = 0;
  private timerArmed = false;
  /** Where finished requests go: the next stage, or the pipeline's exit. */
  onward: (request: Request) => void = () => {
    throw new Error('stage is not connected');
  };

  private readonly batchDone = (replica: Replica) => this.finishBatch(replica);
  private readonly timerFired = () => {
    this.timerArmed = false;
    this.dispatch();
  };

  constructor(
    readonly index: number,
    readonly config: StageConfig,
    private readonly sim: Simulation,
    private readonly service: ServiceTime,
    private readonly observer: StageObserver,
  ) {
    for (let i = 0; i < config.replicas; i++) this.replicas.push(new Replica(i, config.cores));
    this.idle = config.replicas;
  }

  get name(): string {
    return this.config.name;
  }

  /** Replicas currently serving a batch. */
  get busyReplicas(): number {
    return this.replicas.length - this.idle;
  }

  /** Mean service time of a batch of `batch` on this stage's replicas (for policies that plan ahead). */
  expectedServiceTime(batch: number): number {
    return this.service.mean(batch, this.config.cores);
  }

  accept(request: Request): void {
    request.stage = this.index;
    request.enqueuedAt = this.sim.now;
    const queue = this.queue;
    if (queue.size >= this.config.capacity) {
      if (this.config.overflow === 'drop-newest') {
        this.observer.dropped(request, 'capacity');
        return;
      }
      this.observer.dropped(queue.shift() as Request, 'capacity');
    }
    queue.push(request);
    if (this.idle > 0) this.dispatch();
  }

  /** Start as many batches as the batching rule allows on idle replicas. */
  private dispatch(): void {
    const queue = this.queue;
    const { maxBatch, batchTimeout } = this.config;
    while (this.idle > 0 && queue.size > 0) {
      const due = (queue.peek() as Request).enqueuedAt + batchTimeout;
      if (queue.size < maxBatch && this.sim.now < due) {
        if (!this.timerArmed) {
          this.timerArmed = true;
          this.sim.scheduleAt(due, this.timerFired, undefined);
        }
        return;
      }
      const batch = this.takeBatch(maxBatch);
      if (batch.length > 0) this.start(this.pickReplica(), batch);
    }
  }

  private takeBatch(maxBatch: number): Request[] {
    const queue = this.queue;
    const now = this.sim.now;
    const batch: Request[] = [];
    while (batch.length < maxBatch && queue.size > 0) {
      const request = queue.shift() as Request;
      if (this.config.dropExpired && now > request.deadline) this.observer.dropped(request, 'deadline');
      else batch.push(request);
    }
    return batch;
  }

  private pickReplica(): Replica {
    const replicas = this.replicas;
    const n = replicas.length;
    if (this.config.routing === 'least-loaded') {
      let best: Replica | undefined;
      for (const r of replicas) if (!r.busy && (best === undefined || r.busyTime < best.busyTime)) best = r;
      return best as Replica;
    }
    for (let k = 0; k < n; k++) {
      const r = replicas[(this.nextRoundRobin + k) % n];
      if (!r.busy) {
        this.nextRoundRobin = (r.index + 1) % n;
        return r;
      }
    }
    throw new Error(`stage ${this.name}: no idle replica although ${this.idle} counted idle`);
  }

  private start(replica: Replica, batch: Request[]): void {
    const duration = this.service.sample(batch.length, replica.cores);
    replica.busy = true;
    replica.batch = batch;
    replica.batchStart = this.sim.now;
    this.idle--;
    this.observer.batchStarted(this, batch, duration);
    this.sim.schedule(duration, this.batchDone, replica);
  }

  private finishBatch(replica: Replica): void {
    const batch = replica.batch;
    replica.busy = false;
    replica.busyTime += this.sim.now - replica.batchStart;
    replica.batch = NO_BATCH;
    this.idle++;
    this.observer.batchFinished(this, batch);
    for (let i = 0; i < batch.length; i++) this.onward(batch[i]);
    this.dispatch();
  }
}
