import { PriorityQueue } from 'js-sdsl';

/** Life cycle of a ScheduledEvent: PENDING until it runs (DONE) or is cancelled (CANCELLED). */
const PENDING = 0;
const DONE = 1;
const CANCELLED = 2;

/** Heap order: a negative result puts `a` nearer the top. */
function earlierFirst(a: ScheduledEvent<any>, b: ScheduledEvent<any>): number {
  return a.time - b.time || a.seq - b.seq;
}

/** A callback run when its event comes due; `data` is whatever was passed to `schedule`. */
export type EventHandler<T> = (data: T) => void;

/**
 * A scheduled event. Returned by `schedule` so the caller can cancel it.
 * Handlers are plain functions bound once by their owner, and the per-event
 * payload travels in `data`, so scheduling allocates one small object and no closure.
 */
export class ScheduledEvent<T = unknown> {
  state: number = PENDING;
  constructor(
    public readonly time: number,
    public readonly seq: number,
    public readonly handler: EventHandler<T>,
    public readonly data: T,
  ) {}
}

/**
 * The simulation clock and its event queue.
 *
 * Time is a float64 number of seconds. Events due at the same time run in
 * the order they were scheduled. Cancelling marks the event; it is discarded
 * when it reaches the front of the queue (lazy deletion keeps scheduling O(log n)
 * without tracking heap positions).
 */
export class Simulation {
  /**
   * Pending events, earliest first, ties by scheduling order. js-sdsl's binary heap:
   * a hand-written one was only 1.06x faster on the M/M/c engine benchmark, not
   * enough to own one (docs/ARCHITECTURE.md).
   */
  private readonly heap = new PriorityQueue<ScheduledEvent<any>>([], earlierFirst, false);
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
  schedule<T>(delay: number, handler: EventHandler<T>, data: T): ScheduledEvent<T> {
    return this.scheduleAt(this._now + delay, handler, data);
  }

  /**
   * Schedule `handler(data)` at absolute time `time` (not before now). A `boundary` event runs
   * before every ordinary event due at the same time (boundaries among themselves in scheduling
   * order). Interval boundaries use it (metric windows, adaptation steps) so that an arrival at
   * exactly t = 10 falls in the window [10, 20) and meets the configuration chosen at 10.
   */
  scheduleAt<T>(time: number, handler: EventHandler<T>, data: T, boundary = false): ScheduledEvent<T> {
    if (!(time >= this._now)) {
      throw new RangeError(`cannot schedule at ${time}: the clock is at ${this._now}`);
    }
    const event = new ScheduledEvent(time, boundary ? this.boundarySeq++ : this.seq++, handler, data);
    this.heap.push(event);
    this.live++;
    return event;
  }

  /** Cancel a pending event. Cancelling one that already ran or was cancelled does nothing. */
  cancel(event: ScheduledEvent<any>): void {
    if (event.state !== PENDING) return;
    event.state = CANCELLED;
    this.live--;
  }

  /** Time of the next pending event, or Infinity when none is left. */
  peekTime(): number {
    this.dropCancelledHead();
    const head = this.heap.top();
    return head === undefined ? Infinity : head.time;
  }

  /**
   * Run events in order until the queue is empty, `stop()` is called, or the
   * next event is later than `until`; then the clock is advanced to `until`
   * (if finite and later). Returns the number of events run by this call.
   */
  run(until = Infinity): number {
    this.stopped = false;
    const heap = this.heap;
    const start = this.eventsProcessed;
    let processed = start;
    while (!this.stopped) {
      const event = heap.top();
      if (event === undefined || event.time > until) break;
      heap.pop();
      if (event.state === CANCELLED) continue;
      event.state = DONE;
      this.live--;
      this._now = event.time;
      processed++;
      event.handler(event.data);
    }
    this.eventsProcessed = processed;
    if (!this.stopped && until !== Infinity && until > this._now) this._now = until;
    return processed - start;
  }

  /** Make `run` return after the event being handled. */
  stop(): void {
    this.stopped = true;
  }

  private dropCancelledHead(): void {
    for (let head = this.heap.top(); head !== undefined && head.state === CANCELLED; head = this.heap.top()) {
      this.heap.pop();
    }
  }
}
