import type { Simulation } from '../engine/simulation.js';
import { RequestPool, type Request } from './request.js';
import { Stage, type StageConfig, type StageObserver, type StageTarget } from './stage.js';

/** What the pipeline reports at its ends; the monitor implements this with StageObserver. */
export interface PipelineObserver extends StageObserver {
  arrived(request: Request): void;
  completed(request: Request): void;
}

/** A chain of stages: a request enters the first and leaves from the last. */
export class Pipeline {
  readonly stages: Stage[];
  /** Where new requests come from (`requests.take`); those that leave, completed or dropped, go back. */
  readonly requests = new RequestPool();

  constructor(
    sim: Simulation,
    configs: readonly { config: StageConfig; initial: StageTarget }[],
    private readonly observer: PipelineObserver,
  ) {
    this.stages = configs.map(({ config, initial }, i) => new Stage(i, config, initial, sim, observer));
    for (let i = 0; i < this.stages.length - 1; i++) {
      const next = this.stages[i + 1];
      this.stages[i].onward = (request) => next.accept(request);
    }
    const pool = this.requests;
    this.stages[this.stages.length - 1].onward = (request) => {
      observer.completed(request);
      pool.release(request);
    };
    for (const stage of this.stages) stage.onDropped = (request) => pool.release(request);
  }

  inject(request: Request): void {
    this.observer.arrived(request);
    this.stages[0].accept(request);
  }
}
