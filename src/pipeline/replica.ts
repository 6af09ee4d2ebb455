import type { Timer } from '../engine/simulation.js';
import { RowRecord, type FloatRows } from './rows.js';
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

/** Doubles per replica in its row: busyTime, servingSince, batchStart. */
export const REPLICA_FIELDS = 3;
const BUSY_TIME = 0;
const SERVING_SINCE = 1;
const BATCH_START = 2;

/** A replica of a stage. Its times are in a row of a shared Float64Array (FloatRows), not in boxed fields. */
export class Replica extends RowRecord {
  busy = false;
  batchSize = 0;
  /** The pending start-up or drain timer. */
  timer: Timer<Replica> | undefined;
  constructor(
    /** Unique within the stage, in order of creation. */
    readonly id: number,
    readonly model: ReplicaModel,
    public state: ReplicaState,
    /**
     * The batch in service: its requests' slots (in the simulation's RequestTable) are the first
     * `batchSize` entries (0 while idle). Entries past those are stale: the stage reuses the
     * array for later batches (see Stage.forming).
     */
    public batch: number[],
    /** A stage's rows, to take this replica's from; a replica made alone has its own. */
    rows?: FloatRows,
  ) {
    super(REPLICA_FIELDS, rows);
  }

  /** Total seconds spent serving batches. */
  get busyTime(): number {
    return this.times[this.base + BUSY_TIME];
  }

  set busyTime(seconds: number) {
    this.times[this.base + BUSY_TIME] = seconds;
  }

  /** When it started serving (0 for the initial replicas). */
  get servingSince(): number {
    return this.times[this.base + SERVING_SINCE];
  }

  set servingSince(time: number) {
    this.times[this.base + SERVING_SINCE] = time;
  }

  /** When its batch in service started. */
  get batchStart(): number {
    return this.times[this.base + BATCH_START];
  }

  set batchStart(time: number) {
    this.times[this.base + BATCH_START] = time;
  }

  /** Takes new batches: active, or draining and not yet retired. */
  get serving(): boolean {
    return this.state === 'active' || this.state === 'draining';
  }
}
