import type { Simulation } from '../engine/simulation.js';
import { BATCH_ROOM } from './replica.js';
import { RequestTable } from './request.js';
import { Stage, type StageConfig, type StageObserver, type StageTarget } from './stage.js';

/** Most rows the request table starts with (it grows past them as needed). */
const MAX_INITIAL_ROWS = 1 << 20;

/** What the pipeline reports at its ends, requests by their slot in `Pipeline.requests`; the monitor implements this with StageObserver. */
export interface PipelineObserver extends StageObserver {
  arrived(request: number): void;
  completed(request: number): void;
}

/** A chain of stages: a request enters the first and leaves from the last. */
export class Pipeline {
  readonly stages: Stage[];
  /** Where new requests come from (`requests.take`); those that leave, completed or dropped, go back. */
  readonly requests: RequestTable;

  constructor(
    sim: Simulation,
    configs: readonly { config: StageConfig; initial: StageTarget }[],
    private readonly observer: PipelineObserver,
    // Room from the start for the requests the initial replicas serve at once (their batch limit
    // up to 64 each): a large cluster's table would otherwise double its way up, copying every row
    // each time. At most 2^20 rows (64 MiB, reserved, touched only as used), so that a system that
    // commits memory strictly does not refuse a million-replica scenario before it starts.
    requests = new RequestTable(Math.min(MAX_INITIAL_ROWS, Math.max(4096, configs.reduce((n, { initial }) => n + initial.replicas * Math.min(initial.maxBatch, BATCH_ROOM), 0)))),
  ) {
    this.requests = requests;
    this.stages = configs.map(({ config, initial }, i) => new Stage(i, config, initial, sim, observer, requests));
    for (let i = 0; i < this.stages.length - 1; i++) {
      const next = this.stages[i + 1];
      this.stages[i].onward = (request) => next.accept(request);
    }
    this.stages[this.stages.length - 1].onward = (request) => {
      observer.completed(request);
      requests.release(request);
    };
    for (const stage of this.stages) stage.onDropped = (request) => requests.release(request);
  }

  /** A request (its slot, from `requests.take`) arrives at the first stage. */
  inject(request: number): void {
    this.observer.arrived(request);
    this.stages[0].accept(request);
  }
}
