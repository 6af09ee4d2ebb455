import { lineAlignedBuffer } from '../engine/aligned.js';

/**
 * A request's row in a RequestTable: 8 doubles, 64 bytes, one cache line (the table's
 * memory starts on a line: `lineAlignedBuffer`). Six doubles, then four 32-bit integers in the last 16 bytes.
 */
const ROW = 8;
const ARRIVAL = 0;
const DEADLINE = 1;
const EXPIRES = 2;
const ENQUEUED = 3;
const ID = 4;
const VISIT = 5;
/** Int32 offsets within a row (twice the double offsets). */
const STAGE = 12;
const FLAGS = 13;
const TENANT = 14;
const PRIORITY = 15;
const WAITING_FLAG = 1;
const MEASURED_FLAG = 2;

/**
 * The requests of one simulation, each a row in one Float64Array and known by its row's index
 * (its slot): the stages, their batches and the monitor pass slots, not objects. With tens of
 * thousands of requests in flight, a finished batch's requests were last touched long ago and
 * every cache line of them is a miss: an object and a row of times made each request two
 * dependent misses over about three lines, a slot is one miss over one line. A slot is reused
 * once its request has left the pipeline (completed or dropped); `take` gives out the most
 * recently freed first, whose row is still in the caches.
 *
 * Plug-ins (queue disciplines, request sinks) see `Request` objects: one per slot, made when
 * first asked for (`request(slot)`), reading the row. Like the slot, the object stands for
 * another request once its own has left.
 */
export class RequestTable {
  /** Rows of doubles, and the same memory as 32-bit integers. */
  private f64: Float64Array;
  private i32: Int32Array;
  private capacity: number;
  private used = 0;
  private free: number[] = [];
  private readonly objects: (Request | undefined)[] = [];

  constructor(
    capacity = 4096,
    /** False: never reuse a slot (for tests comparing reuse with fresh requests). */
    private readonly reuse = true,
  ) {
    this.capacity = capacity;
    this.f64 = new Float64Array(lineAlignedBuffer(ROW * 8 * capacity), 0, ROW * capacity);
    this.i32 = new Int32Array(this.f64.buffer, 0, 2 * ROW * capacity);
  }

  /** A slot for a new request. */
  take(id: number, arrival: number, deadline: number, expiresAt: number, tenant: number, priority: number, measured: boolean): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.used === this.capacity) this.grow();
      slot = this.used++;
    }
    const f64 = this.f64;
    const at = slot * ROW;
    f64[at + ARRIVAL] = arrival;
    f64[at + DEADLINE] = deadline;
    f64[at + EXPIRES] = expiresAt;
    f64[at + ENQUEUED] = arrival;
    f64[at + ID] = id;
    f64[at + VISIT] = 0;
    const i32 = this.i32;
    const ints = 2 * at;
    i32[ints + STAGE] = 0;
    i32[ints + FLAGS] = measured ? MEASURED_FLAG : 0;
    i32[ints + TENANT] = tenant;
    i32[ints + PRIORITY] = priority;
    return slot;
  }

  /** The request in `slot` has left the pipeline: the slot may be taken again. */
  release(slot: number): void {
    if (this.reuse) this.free.push(slot);
  }

  /** The object plug-ins see for the request in `slot`. */
  request(slot: number): Request {
    // Filled up to the slot, not written past its end: an array with a gap becomes a slow dictionary.
    while (this.objects.length <= slot) this.objects.push(undefined);
    let r = this.objects[slot];
    if (r === undefined) {
      r = new Request(this, slot);
      this.objects[slot] = r;
    }
    return r;
  }

  id(slot: number): number {
    return this.f64[slot * ROW + ID];
  }

  arrival(slot: number): number {
    return this.f64[slot * ROW + ARRIVAL];
  }

  deadline(slot: number): number {
    return this.f64[slot * ROW + DEADLINE];
  }

  expiresAt(slot: number): number {
    return this.f64[slot * ROW + EXPIRES];
  }

  enqueuedAt(slot: number): number {
    return this.f64[slot * ROW + ENQUEUED];
  }

  visit(slot: number): number {
    return this.f64[slot * ROW + VISIT];
  }

  stage(slot: number): number {
    return this.i32[2 * slot * ROW + STAGE];
  }

  waiting(slot: number): boolean {
    return (this.i32[2 * slot * ROW + FLAGS] & WAITING_FLAG) !== 0;
  }

  measured(slot: number): boolean {
    return (this.i32[2 * slot * ROW + FLAGS] & MEASURED_FLAG) !== 0;
  }

  tenant(slot: number): number {
    return this.i32[2 * slot * ROW + TENANT];
  }

  priority(slot: number): number {
    return this.i32[2 * slot * ROW + PRIORITY];
  }

  /** The request reaches stage `stage` at `now`. */
  enter(slot: number, stage: number, now: number): void {
    this.f64[slot * ROW + ENQUEUED] = now;
    this.i32[2 * slot * ROW + STAGE] = stage;
  }

  /** The request joins its stage's queue as that stage's `visit`-th arrival. */
  joinQueue(slot: number, visit: number): void {
    this.f64[slot * ROW + VISIT] = visit;
    this.i32[2 * slot * ROW + FLAGS] |= WAITING_FLAG;
  }

  /** The request leaves its queue (into a batch, or dropped). */
  leaveQueue(slot: number): void {
    this.i32[2 * slot * ROW + FLAGS] &= ~WAITING_FLAG;
  }

  private grow(): void {
    const f64 = new Float64Array(lineAlignedBuffer(2 * ROW * 8 * this.capacity), 0, 2 * ROW * this.capacity);
    f64.set(this.f64);
    this.f64 = f64;
    this.i32 = new Int32Array(f64.buffer, 0, 4 * ROW * this.capacity);
    this.capacity *= 2;
  }
}

/**
 * One inference request as plug-ins see it: a read-only view of its row in the simulation's RequestTable.
 * The simulation reuses the object for another request once this one has left the pipeline
 * (completed or dropped): whoever holds one (a queue discipline) must let go of it then.
 */
export class Request {
  constructor(
    private readonly table: RequestTable,
    /** Its row in the table. */
    readonly slot: number,
  ) {}

  /** Arrival order, from 0. */
  get id(): number {
    return this.table.id(this.slot);
  }

  /** Arrival time at the pipeline, seconds. */
  get arrival(): number {
    return this.table.arrival(this.slot);
  }

  /** Absolute deadline (arrival + SLO), or Infinity when it has no SLO. */
  get deadline(): number {
    return this.table.deadline(this.slot);
  }

  /** When its age reaches the pipeline's drop limit (arrival + limit), or Infinity. */
  get expiresAt(): number {
    return this.table.expiresAt(this.slot);
  }

  /** When it entered the current stage's queue. */
  get enqueuedAt(): number {
    return this.table.enqueuedAt(this.slot);
  }

  /** Index of the stage it is in (or last was in). */
  get stage(): number {
    return this.table.stage(this.slot);
  }

  /** Whether it is in the queue of stage `stage` (not in service, not gone). */
  get waiting(): boolean {
    return this.table.waiting(this.slot);
  }

  /** Which of its stage's arrivals it was (a number the stage counts up). */
  get visit(): number {
    return this.table.visit(this.slot);
  }

  /** Tenant (application) index. */
  get tenant(): number {
    return this.table.tenant(this.slot);
  }

  /** Priority class: 0 is served first under the priority discipline. */
  get priority(): number {
    return this.table.priority(this.slot);
  }

  /** False for requests that arrived during the warm-up period: they are served but left out of the summary. */
  get measured(): boolean {
    return this.table.measured(this.slot);
  }
}

/**
 * Why a request left the pipeline without completing: `capacity` (the queue was full),
 * `deadline` (its SLO had passed when a batch was formed, with dropExpired), `age` (it reached
 * the pipeline's drop limit, checked before and after each stage), `abandoned` (with queue.abandon:
 * when taken from the queue it could no longer finish in time, now + expected service > deadline).
 */
export type DropReason = 'capacity' | 'deadline' | 'age' | 'abandoned';
export const DROP_REASONS: readonly DropReason[] = ['capacity', 'deadline', 'age', 'abandoned'];
