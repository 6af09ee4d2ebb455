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
 * (lazy deletion keeps scheduling O(log n) without tracking heap positions).
 *
 * The queue is a 4-ary min-heap on (time, sequence number) in parallel arrays: comparisons read
 * unboxed doubles from contiguous memory, and a 4-ary heap is half as deep as a binary one. That
 * keeps the cost per event nearly flat as the pending events grow with the number of busy
 * replicas (tens of thousands in a large cluster), where a heap of event objects spent its time
 * in cache misses and in the garbage collector (docs/ARCHITECTURE.md).
 */
export class Simulation {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly handlers: EventHandler<any>[] = [];
  private readonly payloads: unknown[] = [];
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
    this.push(time, boundary ? this.boundarySeq++ : this.seq++, handler, data);
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
    while (this.handlers.length > 0 && this.isCancelled(0)) this.pop();
    return this.handlers.length === 0 ? Infinity : this.times[0];
  }

  /**
   * Run events in order until the queue is empty, `stop()` is called, or the
   * next event is later than `until`; then the clock is advanced to `until`
   * (if finite and later). Returns the number of events run by this call.
   */
  run(until = Infinity): number {
    this.stopped = false;
    const { times, handlers, payloads } = this;
    const start = this.eventsProcessed;
    let processed = start;
    while (!this.stopped && handlers.length > 0) {
      const time = times[0];
      if (time > until) break;
      const handler = handlers[0];
      const data = payloads[0];
      const cancelled = this.isCancelled(0);
      this.pop();
      if (cancelled) continue;
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

  private isCancelled(i: number): boolean {
    return this.handlers[i] === runTimer && (this.payloads[i] as Timer).state === CANCELLED;
  }

  private push(time: number, seq: number, handler: EventHandler<any>, data: unknown): void {
    const { times, seqs, handlers, payloads } = this;
    let i = times.length;
    times.push(time);
    seqs.push(seq);
    handlers.push(handler);
    payloads.push(data);
    // Sift up: move parents down into the hole until the new event's place is found.
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = times[parent];
      if (pt < time || (pt === time && seqs[parent] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      handlers[i] = handlers[parent];
      payloads[i] = payloads[parent];
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    handlers[i] = handler;
    payloads[i] = data;
  }

  /** Remove the earliest event: the last one fills the hole at the top and sifts down. */
  private pop(): void {
    const { times, seqs, handlers, payloads } = this;
    const time = times.pop() as number;
    const seq = seqs.pop() as number;
    const handler = handlers.pop() as EventHandler<any>;
    const data = payloads.pop();
    const n = times.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let child = first;
      let ct = times[first];
      let cs = seqs[first];
      const end = first + 4 < n ? first + 4 : n;
      for (let k = first + 1; k < end; k++) {
        const kt = times[k];
        if (kt < ct || (kt === ct && seqs[k] < cs)) {
          child = k;
          ct = kt;
          cs = seqs[k];
        }
      }
      if (time < ct || (time === ct && seq < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      handlers[i] = handlers[child];
      payloads[i] = payloads[child];
      i = child;
    }
    times[i] = time;
    seqs[i] = seq;
    handlers[i] = handler;
    payloads[i] = data;
  }
}
