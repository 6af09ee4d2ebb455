import type { Timer } from '../engine/simulation.js';
import type { ServiceTime } from './service.js';

/**
 * What one replica runs: a model variant on a number of cores. Objects are shared: two
 * replicas run the same model exactly when they hold the same ReplicaModel object.
 */
export interface ReplicaModel {
  variant: string;
  cores: number;
  /** Seconds from starting a replica until it can serve (loading the model). */
  loadTime: number;
  service: ServiceTime;
  /** Per-tenant service times (by tenant index) where tenants differ; others use `service`. */
  tenantServices?: readonly (ServiceTime | undefined)[];
}

/** The service time of a tenant's requests on `model`. */
export function serviceOf(model: ReplicaModel, tenant: number): ServiceTime {
  return model.tenantServices?.[tenant] ?? model.service;
}

/**
 * Life of a replica: `starting` (loading its model, not serving, but paid for), `active`,
 * `draining` (removed, still taking batches until its drain time is up), then `retired`:
 * it takes no more batches and leaves the stage as soon as it is not mid-batch.
 */
export type ReplicaState = 'starting' | 'active' | 'draining' | 'retired';

/** A replica's state as its record keeps it: the index into STATE_NAMES. */
export const STARTING = 0;
export const ACTIVE = 1;
export const DRAINING = 2;
export const RETIRED = 3;
const STATE_NAMES: readonly ReplicaState[] = ['starting', 'active', 'draining', 'retired'];

/** Doubles per record in `times`: busy time, serving since, batch start. */
const TIMES = 3;
const BUSY_TIME = 0;
const SERVING_SINCE = 1;
const BATCH_START = 2;

/** Most requests a batch keeps in its replica's record; a larger batch gets an array of its own (a batch limit may be in the millions). */
export const BATCH_ROOM = 64;

/**
 * A stage's replicas, each a record: an index into typed arrays, not an object. A batch's end
 * names its replica's record, and everything the stage reads then (state, busy flag, times, the
 * batch's request slots) sits at known offsets in a few arrays: independent loads the CPU
 * overlaps, where an object led to its batch array, that to its storage and that to the
 * requests, one cache miss after another (tens of thousands of replicas have long left the
 * caches between two batches on one). Records of replicas that left are reused, most recent
 * first. Routers, plug-ins and tests see `Replica` objects: views of records (`list`).
 *
 * Positions are the replicas' order of creation among those present (`order`, `list`): what
 * round-robin walks and routers receive. A replica's record stays put while it is present; its
 * position moves down as earlier replicas leave.
 */
export class ReplicaTable {
  /** Replicas present. */
  size = 0;
  /** Record of the replica at each position (the first `size` entries). */
  order: Int32Array;
  /** View of the replica at each position. */
  readonly list: Replica[] = [];

  /** By record: the replica's id (unique within the stage, in order of creation). */
  private ids: Float64Array;
  /** By record: its state (STARTING, ACTIVE, DRAINING or RETIRED). */
  states: Uint8Array;
  /** By record: 1 while it serves a batch. */
  busy: Uint8Array;
  /** By record: 1 when it takes batches (active or draining) and has none. */
  idle: Uint8Array;
  /** By record: requests in its batch (0 while idle). */
  sizes: Int32Array;
  /** By record, TIMES doubles each: busy time, when it started serving, when its batch started. */
  times: Float64Array;
  /** By record: its model. */
  readonly models: ReplicaModel[] = [];
  /** By record: its pending start-up or drain timer. */
  readonly timers: (Timer<number> | undefined)[] = [];
  /**
   * By record, `stride` entries each: the slots (in the simulation's RequestTable) of its batch
   * in service, when the batch has at most BATCH_ROOM requests; `big` holds larger ones.
   */
  slots: Int32Array;
  /** Entries per record in `slots`: the stage's largest batch limit so far, up to BATCH_ROOM. */
  stride: number;
  /** By record: a batch of more than BATCH_ROOM requests, in an array the record keeps for the next. */
  readonly big: (Int32Array | undefined)[] = [];

  private capacity: number;
  /** Records in use or once used. */
  private made = 0;
  /** Records of replicas that left, to reuse (most recent last). */
  private readonly free: number[] = [];

  /** A table for batches of up to `maxBatch` requests, with room for `replicas` records before it grows. */
  constructor(maxBatch: number, replicas: number) {
    const capacity = Math.max(16, replicas);
    this.capacity = capacity;
    this.order = new Int32Array(capacity);
    this.idle = new Uint8Array(capacity);
    this.ids = new Float64Array(capacity);
    this.states = new Uint8Array(capacity);
    this.busy = new Uint8Array(capacity);
    this.sizes = new Int32Array(capacity);
    this.times = new Float64Array(capacity * TIMES);
    this.stride = Math.min(maxBatch, BATCH_ROOM);
    this.slots = new Int32Array(capacity * this.stride);
  }

  /** Add a replica after every present one; returns its record. */
  add(id: number, model: ReplicaModel, state: number): number {
    let record = this.free.pop();
    if (record === undefined) {
      if (this.made === this.capacity) this.grow();
      record = this.made++;
    }
    this.ids[record] = id;
    this.states[record] = state;
    this.busy[record] = 0;
    this.idle[record] = state === ACTIVE ? 1 : 0;
    this.sizes[record] = 0;
    this.times.fill(0, record * TIMES, (record + 1) * TIMES);
    this.models[record] = model;
    this.timers[record] = undefined;
    if (this.size === this.order.length) this.order = grown(this.order, 2 * this.order.length);
    this.order[this.size++] = record;
    this.list.push(new Replica(this, record, id, model));
    return record;
  }

  /** The replica with `record` leaves; returns the position it had (those after it move down by one). */
  remove(record: number): number {
    const position = this.positionOf(this.ids[record]);
    this.order.copyWithin(position, position + 1, this.size);
    this.size--;
    this.list.splice(position, 1);
    this.timers[record] = undefined;
    this.free.push(record);
    return position;
  }

  /** Make every record hold batches of up to `maxBatch` requests in `slots` (up to BATCH_ROOM). */
  fitBatches(maxBatch: number): void {
    const stride = Math.min(maxBatch, BATCH_ROOM);
    if (stride <= this.stride) return;
    const slots = new Int32Array(this.capacity * stride);
    for (let r = 0; r < this.made; r++) slots.set(this.slots.subarray(r * this.stride, (r + 1) * this.stride), r * stride);
    this.slots = slots;
    this.stride = stride;
  }

  /** The batch in the first `size` entries of `batch` starts now on `record`, which keeps its slots. */
  startBatch(record: number, batch: Int32Array, size: number, now: number): void {
    this.busy[record] = 1;
    this.times[record * TIMES + BATCH_START] = now;
    this.sizes[record] = size;
    if (size <= BATCH_ROOM) {
      // A loop, not set(subarray): no object made for every batch.
      const slots = this.slots;
      const from = record * this.stride;
      for (let i = 0; i < size; i++) slots[from + i] = batch[i];
    } else {
      let own = this.big[record];
      if (own === undefined || own.length < size) this.big[record] = own = new Int32Array(size);
      own.set(batch.subarray(0, size));
    }
  }

  /** The array holding `record`'s batch in service: `slots` or its own (see `batchFrom`). */
  batchArray(record: number): Int32Array {
    return this.sizes[record] > BATCH_ROOM ? (this.big[record] as Int32Array) : this.slots;
  }

  /** Where `record`'s batch in service starts in `batchArray(record)`; its `sizes[record]` entries follow. */
  batchFrom(record: number): number {
    return this.sizes[record] > BATCH_ROOM ? 0 : record * this.stride;
  }

  busyTime(record: number): number {
    return this.times[record * TIMES + BUSY_TIME];
  }

  servingSince(record: number): number {
    return this.times[record * TIMES + SERVING_SINCE];
  }

  batchStart(record: number): number {
    return this.times[record * TIMES + BATCH_START];
  }

  /** `record` starts serving now. */
  setServingSince(record: number, now: number): void {
    this.times[record * TIMES + SERVING_SINCE] = now;
  }

  /** `record`'s batch ends now (read it first): no longer busy, its time in service joins its busy time; returns that time. */
  endBatch(record: number, now: number): number {
    this.busy[record] = 0;
    this.sizes[record] = 0;
    const at = record * TIMES;
    const served = now - this.times[at + BATCH_START];
    this.times[at + BUSY_TIME] += served;
    return served;
  }

  /** Whether `replica` is a view of a replica present here (not of one that has left, whose record another may hold since). */
  holds(replica: Replica): boolean {
    if (!replica.belongsTo(this) || this.ids[replica.record] !== replica.id) return false;
    const position = this.positionOf(replica.id);
    return position < this.size && this.order[position] === replica.record;
  }

  /** Where the replica with `id` is among those present, which are in order of id. */
  private positionOf(id: number): number {
    const { order, ids } = this;
    let low = 0;
    let high = this.size - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (ids[order[mid]] < id) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private grow(): void {
    const capacity = 2 * this.capacity;
    this.ids = grown(this.ids, capacity);
    this.states = grown(this.states, capacity);
    this.busy = grown(this.busy, capacity);
    this.idle = grown(this.idle, capacity);
    this.sizes = grown(this.sizes, capacity);
    this.times = grown(this.times, capacity * TIMES);
    this.slots = grown(this.slots, capacity * this.stride);
    this.capacity = capacity;
  }
}

/** A copy of `array` with room for `length` entries. */
function grown<A extends Int32Array | Uint8Array | Float64Array>(array: A, length: number): A {
  const copy = new (array.constructor as new (length: number) => A)(length);
  copy.set(array);
  return copy;
}

/**
 * A replica of a stage, as routers and plug-ins see it: a view of its record in the stage's
 * ReplicaTable, valid while the replica is present (a record is reused after its replica leaves).
 */
export class Replica {
  constructor(
    private readonly table: ReplicaTable,
    /** @internal Its record in the stage's ReplicaTable. */
    readonly record: number,
    /** Unique within the stage, in order of creation. */
    readonly id: number,
    readonly model: ReplicaModel,
  ) {}

  /** @internal Whether this is a view of one of `table`'s records. */
  belongsTo(table: ReplicaTable): boolean {
    return this.table === table;
  }

  get state(): ReplicaState {
    return STATE_NAMES[this.table.states[this.record]];
  }

  /** Serving a batch. */
  get busy(): boolean {
    return this.table.busy[this.record] === 1;
  }

  /** Requests in its batch in service (0 while idle). */
  get batchSize(): number {
    return this.table.sizes[this.record];
  }

  /** Total seconds spent serving batches. */
  get busyTime(): number {
    return this.table.busyTime(this.record);
  }

  /** When it started serving (0 for the initial replicas). */
  get servingSince(): number {
    return this.table.servingSince(this.record);
  }

  /** When its batch in service started. */
  get batchStart(): number {
    return this.table.batchStart(this.record);
  }

  /** Takes new batches: active, or draining and not yet retired. */
  get serving(): boolean {
    const state = this.table.states[this.record];
    return state === ACTIVE || state === DRAINING;
  }
}
