/** Fewest buckets a queue has: below this, rebuilding costs more than a longer scan. */
const MIN_BUCKETS = 16;

/**
 * The engine's pending events, earliest first by (time, sequence number): a calendar queue
 * (R. Brown, "Calendar queues: a fast O(1) priority queue implementation for the simulation
 * event set problem", CACM 31(10), 1988). Events fall into `buckets` by time, each bucket a
 * day `width` seconds long in a year of `buckets` days; a bucket's events form a list sorted
 * by (time, sequence number). Taking the earliest scans forward from the current day; the
 * number of days and their width follow the number of events and their spacing, so an event
 * costs about the same whether ten or a hundred thousand are pending. A binary heap's cost
 * grows with the logarithm of the pending events, which grow with the number of busy replicas:
 * at tens of thousands a heap took twice as long per event (bench: event queue, hold model).
 *
 * Events live in slots of parallel typed arrays (no object per event); `take` returns the
 * earliest one's slot, whose fields the caller reads before `release`.
 */
export class EventQueue {
  /** Time, sequence number and day (floor(time / width)) of the event in each slot. */
  time = new Float64Array(64);
  seq = new Float64Array(64);
  private day = new Float64Array(64);
  /** The slot after this one in its bucket's sorted list, or -1. */
  private next = new Int32Array(64);
  handler: unknown[] = new Array(64);
  data: unknown[] = new Array(64);
  /** Slots not in use, as a stack. */
  private free = new Int32Array(64);
  private freeCount = 0;
  size = 0;

  /** First slot of each bucket's list, or -1; a power-of-two number of buckets, at least MIN_BUCKETS. */
  private heads = new Int32Array(MIN_BUCKETS).fill(-1);
  /** Last slot of each bucket's list (meaningless where the head is -1): most events go last in theirs. */
  private tails = new Int32Array(MIN_BUCKETS);
  private mask = MIN_BUCKETS - 1;
  private width = 1;
  private perWidth = 1;
  /** The day being scanned: no pending event is earlier. */
  private today = 0;
  /** Buckets passed over and list steps walked since the last check of the width. */
  private work = 0;
  private operations = 0;
  /** Operations between checks: doubled after a re-estimate that did not help (many events at one instant), reset after one that did. */
  private checkEvery = 1024;

  constructor() {
    for (let i = 63; i >= 0; i--) this.free[this.freeCount++] = i;
  }

  push(time: number, seq: number, handler: unknown, data: unknown): void {
    if (this.freeCount === 0) this.growSlots();
    const slot = this.free[--this.freeCount];
    this.time[slot] = time;
    this.seq[slot] = seq;
    this.handler[slot] = handler;
    this.data[slot] = data;
    this.insert(slot);
    if (++this.size > 2 * this.heads.length) this.rebuild(2 * this.heads.length);
    else this.count();
  }

  /** The earliest event's slot (the queue must not be empty); it stays in the queue. */
  peek(): number {
    const slot = this.find();
    this.today = this.day[slot];
    return slot;
  }

  /** Remove the earliest event and return its slot; read it, then `release` it. */
  take(): number {
    return this.removeFirst(this.peek());
  }

  /** Remove the event `peek` just returned (nothing pushed since), and return its slot. */
  removeFirst(slot: number): number {
    this.heads[this.day[slot] & this.mask] = this.next[slot];
    this.size--;
    return slot;
  }

  /** The slot `take` returned is read: free it for another event. */
  release(slot: number): void {
    this.handler[slot] = undefined;
    this.data[slot] = undefined;
    this.free[this.freeCount++] = slot;
    // Shrinking at an eighth, not at a half: a queue whose size swings by a factor of two does not rebuild back and forth.
    if (this.heads.length > MIN_BUCKETS && this.size < this.heads.length / 8) this.rebuild(this.heads.length / 2);
    else this.count();
  }

  /** Put `slot` in its bucket's list, after every event earlier by (time, sequence number). */
  private insert(slot: number): void {
    const t = this.time[slot];
    const q = this.seq[slot];
    const d = Math.floor(t * this.perWidth);
    this.day[slot] = d;
    if (this.size === 0 || d < this.today) this.today = d;
    const bucket = d & this.mask;
    const { time, seq, next, heads, tails } = this;
    const head = heads[bucket];
    if (head === -1) {
      heads[bucket] = slot;
      tails[bucket] = slot;
      next[slot] = -1;
      return;
    }
    // Most events are later than every other in their bucket (a burst at one instant, a clock
    // moving forward): they go last at once.
    const tail = tails[bucket];
    if (time[tail] < t || (time[tail] === t && seq[tail] < q)) {
      next[tail] = slot;
      next[slot] = -1;
      tails[bucket] = slot;
      return;
    }
    let previous = -1;
    let current = head;
    while (current !== -1 && (time[current] < t || (time[current] === t && seq[current] < q))) {
      previous = current;
      current = next[current];
      this.work++;
    }
    next[slot] = current;
    if (previous === -1) heads[bucket] = slot;
    else next[previous] = slot;
  }

  /** The earliest slot: the first head, from today on, that belongs to its day; else the earliest head of all. */
  private find(): number {
    const { heads, day, mask } = this;
    let d = this.today;
    for (let k = 0; k < heads.length; k++, d++) {
      const head = heads[d & mask];
      if (head !== -1 && day[head] === d) return head;
      this.work++;
    }
    // Nothing within a year from today: the earliest of the bucket heads.
    const { time, seq } = this;
    let best = -1;
    for (let b = 0; b < heads.length; b++) {
      const h = heads[b];
      if (h !== -1 && (best === -1 || time[h] < time[best] || (time[h] === time[best] && seq[h] < seq[best]))) best = h;
    }
    return best;
  }

  /**
   * Every `checkEvery` operations (1,024 at first): if they took more than 4 bucket visits or list steps each on
   * average, the day width no longer fits the events' spacing (the load changed): re-estimate it.
   */
  private count(): void {
    if (++this.operations < this.checkEvery) return;
    if (this.work > 4 * this.operations) {
      const width = this.width;
      this.rebuild(this.heads.length);
      // The same width again: the events are not spread in time (many at one instant), and
      // re-filing them cannot help; look again later, not after every 1,024 operations.
      this.checkEvery = this.width === width ? Math.min(2 * this.checkEvery, 1 << 24) : 1024;
    }
    this.operations = 0;
    this.work = 0;
  }

  /**
   * `buckets` buckets, a day as wide as three times the mean spacing of the earliest (up to 64)
   * events, as Brown estimates it; every event re-filed.
   */
  private rebuild(buckets: number): void {
    const slots: number[] = [];
    for (let b = 0; b < this.heads.length; b++) for (let s = this.heads[b]; s !== -1; s = this.next[s]) slots.push(s);
    const times = slots.map((s) => this.time[s]).sort((a, b) => a - b);
    const k = Math.min(times.length, 64);
    const spacing = k >= 2 ? (times[k - 1] - times[0]) / (k - 1) : 0;
    if (spacing > 0 && Number.isFinite(3 * spacing)) this.width = 3 * spacing;
    this.perWidth = 1 / this.width;
    this.heads = new Int32Array(buckets).fill(-1);
    this.tails = new Int32Array(buckets);
    this.mask = buckets - 1;
    const size = this.size;
    this.size = 0;
    for (const s of slots) {
      this.insert(s);
      this.size++;
    }
    this.size = size;
    this.operations = 0;
    this.work = 0;
  }

  private growSlots(): void {
    const capacity = 2 * this.time.length;
    const grow = <A extends Float64Array | Int32Array>(a: A, make: (n: number) => A): A => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.time = grow(this.time, (n) => new Float64Array(n));
    this.seq = grow(this.seq, (n) => new Float64Array(n));
    this.day = grow(this.day, (n) => new Float64Array(n));
    this.next = grow(this.next, (n) => new Int32Array(n));
    const free = new Int32Array(capacity);
    for (let i = capacity - 1; i >= this.time.length / 2; i--) free[this.freeCount++] = i;
    this.free = free;
  }
}
