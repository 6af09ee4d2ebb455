import type { EventHandler, Simulation, Timer } from '../engine/simulation.js';

/** A batch in service on the host: its replica, the threads it keeps busy, and its work left. */
interface Job<T> {
  owner: T;
  threads: number;
  /** Seconds it would still take alone on the host with a core per thread. */
  remaining: number;
  /** Its progress per second now (1: as fast as alone). */
  speed: number;
  timer: Timer<Job<T>> | undefined;
  done: EventHandler<T>;
}

/**
 * One machine whose cores the replicas of every stage share, as the serving testbed's replicas
 * share its cores. A batch in service keeps its replica's threads busy, and runs slower for two
 * reasons:
 * - processor sharing: while the busy threads outnumber the cores, each runs at cores/threads of
 *   a core (the operating system's time slicing in the mean);
 * - interference: every core the other batches keep busy slows it by the factor `interference`
 *   (1 + interference x those cores, at most the cores it leaves them): shared caches, memory
 *   bandwidth and hyper-threads, which a batch measured alone never meets.
 * Without a host, every replica has cores of its own. Each change moves the end of every batch
 * in service: the cost per batch start or end is linear in the batches in service, so a host is
 * meant for one machine's handful of replicas.
 */
export class SharedHost<T> {
  private readonly jobs: Job<T>[] = [];
  private busyThreads = 0;
  private since = 0;

  constructor(
    private readonly sim: Simulation,
    readonly cores: number,
    /** Slow-down per core the other batches keep busy (0: none, processor sharing alone). */
    readonly interference = 0,
  ) {}

  /** Start `work` seconds of service (as timed alone, with a core per thread) on `threads` threads; `done(owner)` runs when it is over. */
  begin(owner: T, threads: number, work: number, done: EventHandler<T>): void {
    this.advance();
    this.jobs.push({ owner, threads, remaining: work, speed: 0, timer: undefined, done });
    this.busyThreads += threads;
    this.reschedule();
  }

  private readonly finished = (job: Job<T>) => {
    this.advance();
    this.jobs.splice(this.jobs.indexOf(job), 1);
    this.busyThreads -= job.threads;
    this.reschedule();
    job.done(job.owner);
  };

  /** A job's progress per second with the threads now busy. */
  private speedOf(job: Job<T>): number {
    const share = this.busyThreads <= this.cores ? 1 : this.cores / this.busyThreads;
    const others = Math.min(this.busyThreads - job.threads, Math.max(0, this.cores - job.threads));
    return share / (1 + this.interference * others);
  }

  /** Take the work done since the last change off every batch in service. */
  private advance(): void {
    const elapsed = this.sim.now - this.since;
    if (elapsed > 0) for (const job of this.jobs) job.remaining -= elapsed * job.speed;
    this.since = this.sim.now;
  }

  /** The threads busy changed: give every batch its new speed, and move its end where the speed did. */
  private reschedule(): void {
    for (const job of this.jobs) {
      const speed = this.speedOf(job);
      if (speed === job.speed && job.timer !== undefined) continue;
      job.speed = speed;
      if (job.timer !== undefined) this.sim.cancel(job.timer);
      job.timer = this.sim.timer(Math.max(0, job.remaining) / speed, this.finished, job);
    }
  }
}
