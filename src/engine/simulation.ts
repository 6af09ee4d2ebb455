import { EventQueue } from './event-queue.js';

/** Life cycle of a Timer: PENDING until it runs (DONE) or is cancelled (CANCELLED). */
const PENDING = 0;
const DONE = 1;
const CANCELLED = 2;

/** A callback run when its event comes due; `data` is whatever was passed to `schedule`. */
export type EventHandler<T> = (data: T) => void;

/** A cancellable event (`Simulation.timer`): start-up, drain and keep-alive timers, rescheduled completions. */
export class Timer<T = unknown> {
  state: number = PENDING;
  constructor(
    readonly time: number,
    readonly handler: EventHandler<T>,
    readonly data: T,
  ) {}
}

/** Runs a timer's handler unless it was cancelled; the queue's handler for every Timer. */
function runTimer(timer: Timer<any>): void {
  timer.state = DONE;
  timer.handler(timer.data);
}

/**
 * The simulation clock and its event queue.
 *
 * Time is a float64 number of seconds. Events due at the same time run in the order they were
 * scheduled. Most events are never cancelled (arrivals, batch completions, ticks): `schedule`
 * stores their handler and data in the queue itself and allocates nothing. The few that may be
 * cancelled are `timer`s: a cancelled one is marked, and discarded when it reaches the front
 * (lazy deletion: nothing tracks where an event sits in the queue). The queue is a calendar
 * queue (EventQueue), whose cost per event does not grow with the number pending.
 */
export class Simulation {
  private readonly queue = new EventQueue();
  private seq = 0;
  /** Sequence numbers of boundary events: far below every ordinary one, still increasing. */
  private boundarySeq = -Number.MAX_SAFE_INTEGER;
  private live = 0;
  private stopped = false;
  private _now = 0;
  /** Number of events whose handlers have run. */
  eventsProcessed = 0;

  get now(): number {
    return this._now;
  }

  /** Events scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.live;
  }

  /** Schedule `handler(data)` to run `delay` seconds from now. */
  schedule<T>(delay: number, handler: EventHandler<T>, data: T): void {
    this.scheduleAt(this._now + delay, handler, data);
  }

  /**
   * Schedule `handler(data)` at absolute time `time` (not before now). A `boundary` event runs
   * before every ordinary event due at the same time (boundaries among themselves in scheduling
   * order). Interval boundaries use it (metric windows, adaptation steps) so that an arrival at
   * exactly t = 10 falls in the window [10, 20) and meets the configuration chosen at 10.
   */
  scheduleAt<T>(time: number, handler: EventHandler<T>, data: T, boundary = false): void {
    if (!(time >= this._now)) {
      throw new RangeError(`cannot schedule at ${time}: the clock is at ${this._now}`);
    }
    this.queue.push(time, boundary ? this.boundarySeq++ : this.seq++, handler, data);
    this.live++;
  }

  /** Like `scheduleAt`, but returns a Timer that `cancel` can take back. */
  timerAt<T>(time: number, handler: EventHandler<T>, data: T): Timer<T> {
    const timer = new Timer(time, handler, data);
    this.scheduleAt(time, runTimer, timer);
    return timer;
  }

  /** Like `schedule`, but returns a Timer that `cancel` can take back. */
  timer<T>(delay: number, handler: EventHandler<T>, data: T): Timer<T> {
    return this.timerAt(this._now + delay, handler, data);
  }

  /** Cancel a pending timer. Cancelling one that already ran or was cancelled does nothing. */
  cancel(timer: Timer<any>): void {
    if (timer.state !== PENDING) return;
    timer.state = CANCELLED;
    this.live--;
  }

  /** Time of the next pending event, or Infinity when none is left. */
  peekTime(): number {
    const queue = this.queue;
    while (queue.size > 0) {
      const slot = queue.peek();
      if (!cancelled(queue, slot)) return queue.time[slot];
      queue.release(queue.take());
    }
    return Infinity;
  }

  /**
   * Run events in order until the queue is empty, `stop()` is called, or the
   * next event is later than `until`; then the clock is advanced to `until`
   * (if finite and later). Returns the number of events run by this call.
   */
  run(until = Infinity): number {
    this.stopped = false;
    const queue = this.queue;
    const start = this.eventsProcessed;
    let processed = start;
    while (!this.stopped && queue.size > 0) {
      const slot = queue.peek();
      const time = queue.time[slot];
      if (time > until) break;
      queue.removeFirst(slot);
      const handler = queue.handler[slot] as EventHandler<unknown>;
      const data = queue.data[slot];
      const skip = cancelled(queue, slot);
      queue.release(slot);
      if (skip) continue;
      this.live--;
      this._now = time;
      processed++;
      handler(data);
    }
    this.eventsProcessed = processed;
    if (!this.stopped && until !== Infinity && until > this._now) this._now = until;
    return processed - start;
  }

  /** Make `run` return after the event being handled. */
  stop(): void {
    this.stopped = true;
  }
}

/** Whether the event in `slot` is a cancelled timer. */
function cancelled(queue: EventQueue, slot: number): boolean {
  return queue.handler[slot] === runTimer && (queue.data[slot] as Timer).state === CANCELLED;
}
