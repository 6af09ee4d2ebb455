/** One inference request, plain data moved from stage to stage. */
export class Request {
  /** When it entered the current stage's queue. */
  enqueuedAt: number;
  /** Index of the stage it is in (or last was in). */
  stage = 0;

  constructor(
    /** Arrival order, from 0. */
    readonly id: number,
    /** Arrival time at the pipeline, seconds. */
    readonly arrival: number,
    /** Absolute deadline (arrival + SLO), or Infinity when it has no SLO. */
    readonly deadline: number,
    /** Tenant (application) index. */
    readonly tenant: number,
    /** False for requests that arrived during the warm-up period: they are served but left out of the summary. */
    readonly measured: boolean,
  ) {
    this.enqueuedAt = arrival;
  }
}

/** Why a request left the pipeline without completing. */
export type DropReason = 'capacity' | 'deadline';
export const DROP_REASONS: readonly DropReason[] = ['capacity', 'deadline'];
