/** One inference request, plain data moved from stage to stage. */
export class Request {
  /** When it entered the current stage's queue. */
  enqueuedAt: number;
  /** Index of the stage it is in (or last was in). */
  stage = 0;
  /** Whether it is in the queue of stage `stage` (not in service, not gone). */
  waiting = false;

  constructor(
    /** Arrival order, from 0. */
    readonly id: number,
    /** Arrival time at the pipeline, seconds. */
    readonly arrival: number,
    /** Absolute deadline (arrival + SLO), or Infinity when it has no SLO. */
    readonly deadline: number,
    /** When its age reaches the pipeline's drop limit (arrival + limit), or Infinity. */
    readonly expiresAt: number,
    /** Tenant (application) index. */
    readonly tenant: number,
    /** Priority class: 0 is served first under the priority discipline. */
    readonly priority: number,
    /** False for requests that arrived during the warm-up period: they are served but left out of the summary. */
    readonly measured: boolean,
  ) {
    this.enqueuedAt = arrival;
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
