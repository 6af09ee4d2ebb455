import { InputError } from '../errors.js';
import type { Simulation, Timer } from '../engine/simulation.js';
import type { DisciplineDefinition, RequestQueue } from './discipline.js';
import { fcfsDiscipline } from './disciplines/fcfs.js';
import { Fifo } from './fifo.js';
import { ACTIVE, BATCH_ROOM, DRAINING, Replica, ReplicaTable, RETIRED, serviceOf, STARTING, type ReplicaModel } from './replica.js';
import type { SharedHost } from './host.js';
import type { DropReason, RequestTable } from './request.js';
import type { Router } from './router.js';
import { RoundRobin } from './routers/round-robin.js';
import type { ServiceTime } from './service.js';

export const OVERFLOWS = ['drop-newest', 'drop-oldest'] as const;
export type Overflow = (typeof OVERFLOWS)[number];

/** The settings of a stage that no adapter changes. */
export interface StageConfig {
  name: string;
  /** Longest the oldest queued request waits for a batch to fill, seconds. */
  batchTimeout: number;
  /** Most requests waiting in the queue (not counting those in service). */
  capacity: number;
  overflow: Overflow;
  /** Drop requests whose deadline has passed when a batch is formed. */
  dropExpired: boolean;
  /** The order in which waiting requests are taken (drop-oldest overflow needs a fifo discipline), and its options. */
  discipline: { definition: DisciplineDefinition; options: unknown };
  /** Drop a request taken from the queue when now + its expected service passes its deadline. */
  abandon: boolean;
  /** Which idle replica gets the next batch: a router made for this stage alone. */
  router: Router;
  /** Seconds a removed replica keeps taking batches before it goes. */
  drain: number;
  /** The machine whose cores this stage's replicas share with other stages' (absent: each replica has cores of its own); its batches are known by their replica's record. */
  host?: SharedHost<number>;
}

/** What an adapter sets on a stage: the model of its replicas, how many, and the largest batch. */
export interface StageTarget {
  model: ReplicaModel;
  replicas: number;
  maxBatch: number;
}

/** What a stage reports as requests move through it and replicas come and go; the monitor implements this. */
export interface StageObserver {
  /**
   * A batch starts on a replica: the requests in the first `size` slots of `batch` (the array
   * holds stale entries after them, and is reused once this returns), served in `serviceTime`
   * seconds; NaN when the stage shares a host, where how long it takes depends on what else
   * runs (then `batchServed` says).
   */
  batchStarted(stage: Stage, batch: ArrayLike<number>, size: number, serviceTime: number): void;
  /** On a shared host: the batch (its first `size` slots) took `serviceTime` seconds (called when it ends, before `batchFinished`). */
  batchServed?(stage: Stage, batch: ArrayLike<number>, size: number, serviceTime: number): void;
  /** The replica finished its batch (before the requests move on). */
  batchFinished(stage: Stage): void;
  /** The request in `slot` left the pipeline without completing. */
  dropped(slot: number, reason: DropReason): void;
  /** The set of replicas, or their states, changed: `stage.servingReplicas` or `stage.provisionedCores` may differ. */
  replicasChanged(stage: Stage): void;
}

/**
 * One pipeline stage: a queue in its discipline's order, a batcher and a set of replicas.
 *
 * Batching rule: a batch is formed when a replica is idle and either the
 * queue holds `maxBatch` requests, or the oldest waiting request (by time of
 * joining, whatever the discipline) has waited `batchTimeout`; the batch takes
 * up to `maxBatch` requests from the head in the discipline's order. With a
 * zero timeout a batch leaves as soon as a replica is free. Requests arriving
 * at the same instant join one at a time, so a free replica with timeout 0
 * takes the first alone.
 *
 * Requests that reach `expiresAt` (the pipeline's drop limit) are dropped when a batch is
 * formed and when a batch finishes: IPA's check before and after each stage.
 *
 * Reconfiguration (`reconfigure`) takes effect as a real deployment would: new replicas serve
 * after their model's load time; removed replicas keep serving for the drain period, then
 * finish the batch in hand and go; a new largest batch applies to the next batch formed.
 */
export class Stage {
  /** The waiting requests' slots, in the discipline's order. */
  readonly queue: SlotQueue;
  /**
   * Under a discipline that is not first-come-first-served, with a batch timeout, the requests'
   * slots in order of joining, with their `visit` numbers in `joinedVisits`; those no longer
   * waiting here (or whose slot has since been reused) are skipped lazily: the batch timeout
   * runs from the oldest. With no timeout a batch never waits, and who came first never matters.
   */
  private readonly joined: Fifo<number> | undefined;
  private readonly joinedVisits: Fifo<number> | undefined;
  /** Every replica that has not left, as records: starting, active, draining, or retired and finishing a batch. */
  private readonly table: ReplicaTable;
  /** The stage's router when it is the built-in round-robin, which walks the table's idle flags itself. */
  private readonly roundRobin: RoundRobin | undefined;
  /** The model new replicas get. */
  model: ReplicaModel;
  maxBatch: number;
  /** Serving replicas that are not busy. */
  private idleReplicas = 0;
  /**
   * Replicas serving or finishing a batch (`servingReplicas`), and those starting or active
   * (`target`), kept as counts: a large cluster scaled down drains tens of thousands of
   * replicas, each telling the observer, and recounting them all every time was quadratic.
   */
  private serving = 0;
  private heading = 0;
  private nextReplicaId = 0;
  private timerArmed = false;
  private cores = 0;
  /** Where the next batch is formed (its slots), before the replica taking it keeps a copy: room for the largest batch so far. */
  private forming: Int32Array;
  /** Where finished requests (their slots) go: the next stage, or the pipeline's exit. */
  onward: (request: number) => void = () => {
    throw new Error('stage is not connected');
  };
  /** Told of each request this stage drops, after the observer: it has left the pipeline. */
  onDropped: (request: number) => void = () => {};
  /** Arrivals so far: each request's `visit` here, recorded beside it in `joined`. */
  private visits = 0;

  private readonly batchDone = (record: number) => this.finishBatch(record);
  private readonly timerFired = () => {
    this.timerArmed = false;
    this.dispatch();
  };
  private readonly replicaReady = (record: number) => {
    const table = this.table;
    table.timers[record] = undefined;
    table.states[record] = ACTIVE;
    table.idle[record] = 1;
    table.setServingSince(record, this.sim.now);
    this.idleReplicas++;
    this.serving++;
    this.observer.replicasChanged(this);
    this.dispatch();
  };
  private readonly drainOver = (record: number) => {
    const table = this.table;
    table.timers[record] = undefined;
    table.states[record] = RETIRED;
    if (table.busy[record] === 0) {
      table.idle[record] = 0;
      this.idleReplicas--;
      this.leave(record);
    }
    this.observer.replicasChanged(this);
  };
  /** Round-robin's test of the replica at a position: idle. */
  private readonly idleAt = (position: number) => this.table.idle[this.table.order[position]] === 1;

  constructor(
    readonly index: number,
    readonly config: StageConfig,
    initial: StageTarget,
    private readonly sim: Simulation,
    private readonly observer: StageObserver,
    /** The simulation's requests, which this stage moves by slot. */
    private readonly requests: RequestTable,
  ) {
    this.model = initial.model;
    this.maxBatch = initial.maxBatch;
    this.table = new ReplicaTable(initial.maxBatch, initial.replicas);
    this.forming = new Int32Array(Math.min(initial.maxBatch, BATCH_ROOM));
    this.roundRobin = config.router instanceof RoundRobin ? config.router : undefined;
    const { definition, options } = config.discipline;
    // First come, first served needs no objects: a ring of slots. Any other discipline, a
    // user's too, orders the Request objects it is given.
    this.queue =
      definition === fcfsDiscipline
        ? new Fifo<number>()
        : new DisciplineQueue(definition.create(options, { expectedService: (r) => this.expectedServiceOf(r.tenant) }), requests);
    const joinOrder = !definition.fifo && config.batchTimeout > 0;
    this.joined = joinOrder ? new Fifo<number>() : undefined;
    this.joinedVisits = joinOrder ? new Fifo<number>() : undefined;
    // The initial replicas are deployed before the run starts: serving at time 0.
    for (let i = 0; i < initial.replicas; i++) this.addReplica(initial.model, ACTIVE);
    this.idleReplicas = initial.replicas;
    this.serving = initial.replicas;
  }

  get name(): string {
    return this.config.name;
  }

  /** Every replica that has not left (starting, active, draining, or retired and finishing a batch), in order of creation: views, valid while the replica is present. */
  get replicas(): readonly Replica[] {
    return this.table.list;
  }

  /** Replicas that take batches (active or draining) or are finishing one (retired): the utilisation's denominator. */
  get servingReplicas(): number {
    return this.serving;
  }

  /** Cores of every replica present, whatever its state: what is paid for. */
  get provisionedCores(): number {
    return this.cores;
  }

  /** The configuration this stage is heading for: new replicas' model, the replicas that are not being removed, the largest batch. */
  get target(): StageTarget {
    return { model: this.model, replicas: this.heading, maxBatch: this.maxBatch };
  }

  /** Mean service time of a `tenant`'s request alone (batch 1) on the current model: SJF's key, and what abandonment allows for. */
  private expectedServiceOf(tenant: number): number {
    return serviceOf(this.model, tenant).mean(1, this.model.cores);
  }

  /**
   * Move towards `target`. A different model replaces every replica: the old ones drain while
   * the new ones start. The same model with another count starts new replicas, or removes the
   * newest first: starting ones at once (they never served), then active ones by draining.
   * Asking for the current target changes nothing.
   */
  reconfigure(target: StageTarget): void {
    if (!Number.isInteger(target.replicas) || target.replicas < 1) throw new InputError(`stage ${this.name}: replicas must be a positive integer, got ${target.replicas}`);
    if (!Number.isInteger(target.maxBatch) || target.maxBatch < 1) throw new InputError(`stage ${this.name}: batch must be a positive integer, got ${target.maxBatch}`);
    this.maxBatch = target.maxBatch;
    this.table.fitBatches(target.maxBatch);
    const table = this.table;
    if (target.model !== this.model) {
      this.model = target.model;
      for (const record of table.order.slice(0, table.size)) this.remove(record);
      for (let i = 0; i < target.replicas; i++) this.startReplica(target.model);
    } else {
      let excess = this.target.replicas - target.replicas;
      for (let i = table.size - 1; i >= 0 && excess > 0; i--) {
        const record = table.order[i];
        const state = table.states[record];
        if (state === STARTING || state === ACTIVE) {
          this.remove(record);
          excess--;
        }
      }
      for (; excess < 0; excess++) this.startReplica(target.model);
    }
    this.observer.replicasChanged(this);
    if (this.idleReplicas > 0) this.dispatch();
  }

  /** The request in `slot` arrives at this stage. */
  accept(slot: number): void {
    this.requests.enter(slot, this.index, this.sim.now);
    const queue = this.queue;
    if (queue.size >= this.config.capacity) {
      if (this.config.overflow === 'drop-newest') {
        this.drop(slot, 'capacity');
        return;
      }
      this.drop(this.shiftWaiting(), 'capacity');
    }
    const visit = ++this.visits;
    this.requests.joinQueue(slot, visit);
    queue.push(slot);
    if (this.joined !== undefined) {
      this.joined.push(slot);
      (this.joinedVisits as Fifo<number>).push(visit);
    }
    if (this.idleReplicas > 0) this.dispatch();
  }

  /** Add a replica in `state`; returns its record. */
  private addReplica(model: ReplicaModel, state: number): number {
    const record = this.table.add(this.nextReplicaId++, model, state);
    this.cores += model.cores;
    this.heading++;
    return record;
  }

  private startReplica(model: ReplicaModel): void {
    const record = this.addReplica(model, STARTING);
    this.table.timers[record] = this.sim.timer(model.loadTime, this.replicaReady, record);
  }

  private remove(record: number): void {
    const table = this.table;
    const state = table.states[record];
    if (state === STARTING) {
      this.heading--;
      this.sim.cancel(table.timers[record] as Timer<number>);
      this.leave(record);
    } else if (state === ACTIVE) {
      this.heading--;
      table.states[record] = DRAINING;
      table.timers[record] = this.sim.timer(this.config.drain, this.drainOver, record);
    }
  }

  private leave(record: number): void {
    const table = this.table;
    if (table.states[record] !== STARTING) this.serving--;
    this.cores -= table.models[record].cores;
    // Not inside `left?.(...)`: for a router without `left`, the argument would not be evaluated.
    const position = table.remove(record);
    this.config.router.left?.(position);
  }

  /** Start as many batches as the batching rule allows on idle replicas. */
  private dispatch(): void {
    const queue = this.queue;
    const { batchTimeout } = this.config;
    while (this.idleReplicas > 0 && queue.size > 0) {
      // With no timeout, the oldest request's wait is up at once: a batch leaves whatever its size.
      if (batchTimeout > 0) {
        const due = this.oldestWaitingSince() + batchTimeout;
        if (queue.size < this.maxBatch && this.sim.now < due) {
          if (!this.timerArmed) {
            this.timerArmed = true;
            this.sim.scheduleAt(due, this.timerFired, undefined);
          }
          return;
        }
      }
      const size = this.takeBatch(this.maxBatch);
      if (size > 0) this.start(this.pickReplica(), size);
    }
  }

  /** Put up to `maxBatch` requests from the queue first in `forming`, dropping those past their limits; returns how many. */
  private takeBatch(maxBatch: number): number {
    const queue = this.queue;
    const now = this.sim.now;
    let batch = this.forming;
    let size = 0;
    const requests = this.requests;
    while (size < maxBatch && queue.size > 0) {
      const slot = this.shiftWaiting();
      if (now >= requests.expiresAt(slot)) this.drop(slot, 'age');
      else if (this.config.dropExpired && now > requests.deadline(slot)) this.drop(slot, 'deadline');
      else if (this.config.abandon && now + this.expectedServiceOf(requests.tenant(slot)) > requests.deadline(slot)) this.drop(slot, 'abandoned');
      else {
        if (size === batch.length) {
          const larger = new Int32Array(Math.min(2 * size, maxBatch));
          larger.set(batch);
          this.forming = batch = larger;
        }
        batch[size++] = slot;
      }
    }
    return size;
  }

  private drop(slot: number, reason: DropReason): void {
    this.observer.dropped(slot, reason);
    this.onDropped(slot);
  }

  /** The next request in the discipline's order (the queue is not empty), no longer waiting. */
  private shiftWaiting(): number {
    const slot = this.queue.shift() as number;
    this.requests.leaveQueue(slot);
    return slot;
  }

  /** When the request waiting longest here joined the queue (the queue is not empty; batches have a timeout). */
  private oldestWaitingSince(): number {
    const requests = this.requests;
    const joined = this.joined;
    if (joined === undefined) return requests.enqueuedAt(this.queue.peek() as number);
    const visits = this.joinedVisits as Fifo<number>;
    for (;;) {
      const slot = joined.peek() as number;
      if (requests.waiting(slot) && requests.stage(slot) === this.index && requests.visit(slot) === visits.peek()) return requests.enqueuedAt(slot);
      joined.shift();
      visits.shift();
    }
  }

  /** The record of the idle serving replica the router picks for the next batch. */
  private pickReplica(): number {
    const table = this.table;
    if (this.roundRobin !== undefined) return table.order[this.roundRobin.turn(table.size, this.idleAt)];
    const picked = this.config.router.pick(table.list, this.sim.now);
    if (!(picked instanceof Replica && table.holds(picked) && table.idle[picked.record] === 1)) {
      // A router from a plug-in file: the user's code, so an input error, not pipesim's bug.
      throw new InputError(`stage ${this.name}: the router picked ${picked instanceof Replica ? `replica ${picked.id}, which is not an idle serving replica of this stage` : 'something that is not one of the replicas it was given'}`);
    }
    return picked.record;
  }

  /** Start the batch in `forming` (its first `size` slots) on the replica with `record`. */
  private start(record: number, size: number): void {
    const table = this.table;
    const batch = this.forming;
    const model = table.models[record];
    const duration = this.batchService(model, batch, size).sample(size, model.cores);
    table.idle[record] = 0;
    table.startBatch(record, batch, size, this.sim.now);
    this.idleReplicas--;
    const host = this.config.host;
    if (host === undefined) {
      this.observer.batchStarted(this, batch, size, duration);
      this.sim.schedule(duration, this.batchDone, record);
    } else {
      // `duration` is the batch's time with its cores to itself; the host stretches it while its cores are oversubscribed.
      this.observer.batchStarted(this, batch, size, NaN);
      host.begin(record, model.cores, duration, this.batchDone);
    }
  }

  /** A batch (the first `size` of `batch`) takes as long as its slowest tenant's model would for the whole batch. */
  private batchService(model: ReplicaModel, batch: Int32Array, size: number): ServiceTime {
    if (model.tenantServices === undefined) return model.service;
    const requests = this.requests;
    let slowest = serviceOf(model, requests.tenant(batch[0]));
    for (let i = 1; i < size; i++) {
      const s = serviceOf(model, requests.tenant(batch[i]));
      if (s !== slowest && s.mean(size, model.cores) > slowest.mean(size, model.cores)) slowest = s;
    }
    return slowest;
  }

  private finishBatch(record: number): void {
    const table = this.table;
    // The batch stays in the record's keeping while its requests move on: a record that left is
    // reused only by a replica added in a reconfiguration, never during this call.
    const batch = table.batchArray(record);
    const from = table.batchFrom(record);
    const size = table.sizes[record];
    const now = this.sim.now;
    const served = table.endBatch(record, now);
    if (this.config.host !== undefined) this.observer.batchServed?.(this, batch.subarray(from, from + size), size, served);
    if (table.states[record] === RETIRED) {
      this.leave(record);
      this.observer.replicasChanged(this);
    } else {
      table.idle[record] = 1;
      this.idleReplicas++;
    }
    this.observer.batchFinished(this);
    // Touch every request of the batch before moving any on: independent loads that the CPU
    // overlaps, where the loop below would wait for each in turn behind the work of the one
    // before. In a large cluster these requests have long left the caches: with this loop the
    // 10,000-replica bench model ran 1.4x faster (medians of 6, bench/replicas.js's model).
    const requests = this.requests;
    let oldest = Infinity;
    const end = from + size;
    for (let i = from; i < end; i++) oldest = Math.min(oldest, requests.expiresAt(batch[i]));
    for (let i = from; i < end; i++) {
      const slot = batch[i];
      if (now >= oldest && now >= requests.expiresAt(slot)) this.drop(slot, 'age');
      else this.onward(slot);
    }
    this.dispatch();
  }
}

/** A stage's waiting line of request slots. */
export interface SlotQueue {
  readonly size: number;
  push(slot: number): void;
  /** The next slot in the discipline's order. */
  shift(): number | undefined;
  peek(): number | undefined;
}

/** A discipline's queue of Request objects, taking and giving slots. */
class DisciplineQueue implements SlotQueue {
  constructor(
    private readonly queue: RequestQueue,
    private readonly requests: RequestTable,
  ) {}

  get size(): number {
    return this.queue.size;
  }

  push(slot: number): void {
    this.queue.push(this.requests.request(slot));
  }

  shift(): number | undefined {
    return this.queue.shift()?.slot;
  }

  peek(): number | undefined {
    return this.queue.peek()?.slot;
  }
}

