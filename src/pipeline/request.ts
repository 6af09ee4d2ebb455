import { FloatRows, RowRecord } from './rows.js';

/** Doubles per request in a RequestPool chunk: arrival, deadline, expiresAt, enqueuedAt. */
const FIELDS = 4;
const ARRIVAL = 0;
const DEADLINE = 1;
const EXPIRES = 2;
const ENQUEUED = 3;

/**
 * One inference request, moved from stage to stage. Its times live in a Float64Array (`times`,
 * from `base`), not in fields: a double field is a separate heap box in V8, and with tens of
 * thousands of requests in flight those boxes were most of the memory a batch completion
 * touched. A simulation reuses the object once the request has left the pipeline
 * (RequestPool): whoever holds one (a queue discipline) must let go of it when it leaves their
 * hands.
 */
export class Request extends RowRecord {
  /** Index of the stage it is in (or last was in). */
  stage = 0;
  /** Whether it is in the queue of stage `stage` (not in service, not gone). */
  waiting = false;
  /** Which of its stage's arrivals it was (a number the stage counts up): tells this visit from an earlier life of the object. */
  visit = 0;
  constructor(
    /** Arrival order, from 0. */
    public id: number,
    arrival: number,
    deadline: number,
    expiresAt: number,
    /** Tenant (application) index. */
    public tenant: number,
    /** Priority class: 0 is served first under the priority discipline. */
    public priority: number,
    /** False for requests that arrived during the warm-up period: they are served but left out of the summary. */
    public measured: boolean,
    /** A pool's rows, to take this request's from; a request made alone has its own. */
    rows?: FloatRows,
  ) {
    super(FIELDS, rows);
    this.setTimes(arrival, deadline, expiresAt);
  }

  /** Arrival time at the pipeline, seconds. */
  get arrival(): number {
    return this.times[this.base + ARRIVAL];
  }

  /** Absolute deadline (arrival + SLO), or Infinity when it has no SLO. */
  get deadline(): number {
    return this.times[this.base + DEADLINE];
  }

  /** When its age reaches the pipeline's drop limit (arrival + limit), or Infinity. */
  get expiresAt(): number {
    return this.times[this.base + EXPIRES];
  }

  /** When it entered the current stage's queue. */
  get enqueuedAt(): number {
    return this.times[this.base + ENQUEUED];
  }

  set enqueuedAt(time: number) {
    this.times[this.base + ENQUEUED] = time;
  }

  /** A new life for the object (RequestPool): another request arriving. */
  reuse(id: number, arrival: number, deadline: number, expiresAt: number, tenant: number, priority: number, measured: boolean): void {
    this.id = id;
    this.tenant = tenant;
    this.priority = priority;
    this.measured = measured;
    this.stage = 0;
    this.waiting = false;
    this.setTimes(arrival, deadline, expiresAt);
  }

  private setTimes(arrival: number, deadline: number, expiresAt: number): void {
    const { times, base } = this;
    times[base + ARRIVAL] = arrival;
    times[base + DEADLINE] = deadline;
    times[base + EXPIRES] = expiresAt;
    times[base + ENQUEUED] = arrival;
  }
}

/**
 * Request objects of one simulation, reused once they have left the pipeline, their times in
 * rows of shared chunks. A large cluster keeps tens of thousands of requests in flight;
 * allocating an object each made every young-generation collection copy them all, a cost that
 * grew with the replica count. Reused objects settle in the old generation and cost the
 * collector nothing.
 */
export class RequestPool {
  private readonly free: Request[] = [];
  private readonly rows = new FloatRows(FIELDS, 4096);

  take(id: number, arrival: number, deadline: number, expiresAt: number, tenant: number, priority: number, measured: boolean): Request {
    const r = this.free.pop();
    if (r === undefined) return new Request(id, arrival, deadline, expiresAt, tenant, priority, measured, this.rows);
    r.reuse(id, arrival, deadline, expiresAt, tenant, priority, measured);
    return r;
  }

  /** The request has left the pipeline (completed or dropped) and nothing refers to it any more. */
  release(request: Request): void {
    this.free.push(request);
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
