/**
 * The candidate the engine's event queue (js-sdsl's PriorityQueue) is measured
 * against in bench/run.js: a hand-written binary min-heap on (time, seq) with
 * the comparison inlined and sifting by moving a hole instead of swapping.
 * It stays out of src/ because it was not clearly faster (docs/ARCHITECTURE.md).
 */
export class EventHeap {
  items = [];

  get size() {
    return this.items.length;
  }

  peek() {
    return this.items[0];
  }

  push(event) {
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

  pop() {
    const items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0];
    const last = items.pop();
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

  clear() {
    this.items.length = 0;
  }
}
