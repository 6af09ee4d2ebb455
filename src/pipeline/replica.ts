import type { Timer } from '../engine/simulation.js';
import type { Request } from './request.js';
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

export class Replica {
  busy = false;
  /** Total seconds spent serving batches. */
  busyTime = 0;
  /** When it started serving (0 for the initial replicas). */
  servingSince = 0;
  batchStart = 0;
  /** The batch in service; empty while idle (the stage reuses the array: see Stage.forming). */
  batch: Request[] = [];
  /** The pending start-up or drain timer. */
  timer: Timer<Replica> | undefined;
  constructor(
    /** Unique within the stage, in order of creation. */
    readonly id: number,
    readonly model: ReplicaModel,
    public state: ReplicaState,
  ) {}

  /** Takes new batches: active, or draining and not yet retired. */
  get serving(): boolean {
    return this.state === 'active' || this.state === 'draining';
  }
}
