/**
 * A binary min-heap of scheduled events ordered by (time, seq).
 *
 * `seq` is the insertion counter of the simulation, so two events at the same
 * time come out in the order they were scheduled. This is the only ordering
 * rule of the engine, and it is what makes runs reproducible.
 *
 * Hand-written rather than js-sdsl's PriorityQueue: with the comparison inlined
 * and sifting by moving a hole instead of swapping, it is about 1.8x faster on
 * the hold-model benchmark (see docs/ARCHITECTURE.md, `npm run bench`).
 */
export interface HeapEvent {
  time: number;
  seq: number;
}

export class EventHeap<E extends HeapEvent> {
  private items: E[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): E | undefined {
    return this.items[0];
  }

  push(event: E): void {
    const items = this.items;
    let hole = items.length;
    items.push(event);
    const t = event.time;
    const s = event.seq;
    while (hole > 0) {
      const parentIndex = (hole - 1) >> 1;
      const parent = items[parentIndex];
      if (parent.time < t || (parent.time === t && parent.seq < s)) break;
      items[hole] = parent;
      hole = parentIndex;
    }
    items[hole] = event;
  }

  pop(): E | undefined {
    const items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0];
    const last = items.pop() as E;
    if (n === 1) return top;
    const size = n - 1;
    const t = last.time;
    const s = last.seq;
    let hole = 0;
    for (;;) {
      let child = 2 * hole + 1;
      if (child >= size) break;
      let c = items[child];
      const right = child + 1;
      if (right < size) {
        const r = items[right];
        if (r.time < c.time || (r.time === c.time && r.seq < c.seq)) {
          child = right;
          c = r;
        }
      }
      if (t < c.time || (t === c.time && s < c.seq)) break;
      items[hole] = c;
      hole = child;
    }
    items[hole] = last;
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
