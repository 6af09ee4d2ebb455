import type { EventHandler, Simulation, Timer } from '../engine/simulation.js';

/** A batch in service on the host: its replica, the threads it keeps busy, and its work left. */
interface Job<T> {
  owner: T;
  threads: number;
  /** Seconds it would still take with a core per thread. */
  remaining: number;
  timer: Timer<Job<T>> | undefined;
  done: EventHandler<T>;
}

/**
 * One machine whose cores the replicas of every stage share, as the serving testbed's replicas
 * share its cores. A batch in service keeps its replica's threads busy; while the busy threads
 * outnumber the cores, each runs at cores/threads of a core (processor sharing, the operating
 * system's time slicing in the mean), so every batch in service takes longer. Without a host, every
 * replica has cores of its own. Each change of speed moves the end of every batch in service:
 * the cost per batch start or end is linear in the batches in service, so a host is meant for
 * one machine's handful of replicas.
 */
export class SharedHost<T> {
  private readonly jobs: Job<T>[] = [];
  private busyThreads = 0;
  private since = 0;

  constructor(
    private readonly sim: Simulation,
    readonly cores: number,
  ) {}

  /** The speed of every thread now: 1 while there are enough cores, cores/threads past that. */
  get speed(): number {
    return this.busyThreads <= this.cores ? 1 : this.cores / this.busyThreads;
  }

  /** Start `work` seconds of service (as timed with a core per thread) on `threads` threads; `done(owner)` runs when it is over. */
  begin(owner: T, threads: number, work: number, done: EventHandler<T>): void {
    this.advance();
    const before = this.speed;
    const job: Job<T> = { owner, threads, remaining: work, timer: undefined, done };
    this.jobs.push(job);
    this.busyThreads += threads;
    if (this.speed !== before) this.reschedule();
    else job.timer = this.sim.timer(work / before, this.finished, job);
  }

  private readonly finished = (job: Job<T>) => {
    this.advance();
    const before = this.speed;
    this.jobs.splice(this.jobs.indexOf(job), 1);
    this.busyThreads -= job.threads;
    if (this.speed !== before) this.reschedule();
    job.done(job.owner);
  };

  /** Take the work done since the last change off every batch in service. */
  private advance(): void {
    const now = this.sim.now;
    const done = (now - this.since) * this.speed;
    if (done > 0) for (const job of this.jobs) job.remaining -= done;
    this.since = now;
  }

  /** The speed changed: move every batch's end. */
  private reschedule(): void {
    const speed = this.speed;
    for (const job of this.jobs) {
      if (job.timer !== undefined) this.sim.cancel(job.timer);
      job.timer = this.sim.timer(Math.max(0, job.remaining) / speed, this.finished, job);
    }
  }
}
