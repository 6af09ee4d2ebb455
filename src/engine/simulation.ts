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
 * The queue is a 4-ary min-heap on (time, sequence number): `keys` holds each event's time and
 * sequence number side by side in a Float64Array, `entries` its handler and data side by side,
 * so a node's four children are one 64-byte stretch of keys, and a 4-ary heap is half as deep as
 * a binary one. The pending events grow with the number of busy replicas (tens of thousands in
 * a large cluster); a heap of event objects spent its time there in cache misses and in the
 * garbage collector (docs/ARCHITECTURE.md).
 */
export class Simulation {
  /** Time and sequence number of the event at heap position i: keys[2i], keys[2i + 1]. */
  private keys = new Float64Array(2 * 64);
  /** Handler and data of the event at heap position i: entries[2i], entries[2i + 1]. */
  private entries: unknown[] = [];
  private size = 0;
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
    while (this.size > 0 && this.headCancelled()) this.pop();
    return this.size === 0 ? Infinity : this.keys[0];
  }

  /**
   * Run events in order until the queue is empty, `stop()` is called, or the
   * next event is later than `until`; then the clock is advanced to `until`
   * (if finite and later). Returns the number of events run by this call.
   */
  run(until = Infinity): number {
    this.stopped = false;
    const start = this.eventsProcessed;
    let processed = start;
    while (!this.stopped && this.size > 0) {
      const time = this.keys[0];
      if (time > until) break;
      const entries = this.entries;
      const handler = entries[0] as EventHandler<unknown>;
      const data = entries[1];
      const cancelled = this.headCancelled();
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

  private headCancelled(): boolean {
    return this.entries[0] === runTimer && (this.entries[1] as Timer).state === CANCELLED;
  }

  private push(time: number, seq: number, handler: EventHandler<any>, data: unknown): void {
    if (2 * this.size === this.keys.length) {
      const grown = new Float64Array(2 * this.keys.length);
      grown.set(this.keys);
      this.keys = grown;
    }
    const { keys, entries } = this;
    let i = this.size++;
    // Sift up: move parents down into the hole until the new event's place is found.
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = keys[2 * parent];
      if (pt < time || (pt === time && keys[2 * parent + 1] < seq)) break;
      keys[2 * i] = pt;
      keys[2 * i + 1] = keys[2 * parent + 1];
      entries[2 * i] = entries[2 * parent];
      entries[2 * i + 1] = entries[2 * parent + 1];
      i = parent;
    }
    keys[2 * i] = time;
    keys[2 * i + 1] = seq;
    entries[2 * i] = handler;
    entries[2 * i + 1] = data;
  }

  /** Remove the earliest event: the last one fills the hole at the top and sifts down. */
  private pop(): void {
    const { keys, entries } = this;
    const n = --this.size;
    const time = keys[2 * n];
    const seq = keys[2 * n + 1];
    const handler = entries[2 * n];
    const data = entries[2 * n + 1];
    // Let go of the last slot's references (the handler's data may be large).
    entries[2 * n] = undefined;
    entries[2 * n + 1] = undefined;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let child = first;
      let ct = keys[2 * first];
      let cs = keys[2 * first + 1];
      const end = first + 4 < n ? first + 4 : n;
      for (let k = first + 1; k < end; k++) {
        const kt = keys[2 * k];
        if (kt < ct || (kt === ct && keys[2 * k + 1] < cs)) {
          child = k;
          ct = kt;
          cs = keys[2 * k + 1];
        }
      }
      if (time < ct || (time === ct && seq < cs)) break;
      keys[2 * i] = ct;
      keys[2 * i + 1] = cs;
      entries[2 * i] = entries[2 * child];
      entries[2 * i + 1] = entries[2 * child + 1];
      i = child;
    }
    keys[2 * i] = time;
    keys[2 * i + 1] = seq;
    entries[2 * i] = handler;
    entries[2 * i + 1] = data;
  }
}
