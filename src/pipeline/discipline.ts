import { Fifo } from './fifo.js';
import type { Request } from './request.js';

/**
 * Queue disciplines: the order in which a stage takes waiting requests into batches.
 * - `fcfs`: order of joining the queue;
 * - `sjf`: shortest expected service first (the mean latency of the request's model at batch 1);
 * - `edf`: earliest deadline (arrival + SLO) first;
 * - `priority`: lowest priority class first (0 before 1).
 * Ties go to the request that joined the queue first. Every discipline costs O(log n) per
 * push and shift (FCFS O(1)).
 */
export const DISCIPLINES = ['fcfs', 'sjf', 'edf', 'priority'] as const;
export type Discipline = (typeof DISCIPLINES)[number];

/** A stage's waiting line. */
export interface RequestQueue {
  readonly size: number;
  push(request: Request): void;
  /** Remove and return the next request in the discipline's order. */
  shift(): Request | undefined;
  peek(): Request | undefined;
}

/**
 * A binary min-heap on (key, order of joining), the key computed once at push. Parallel arrays
 * of numbers keep comparisons on unboxed doubles.
 */
export class KeyedQueue<T = Request> {
  private readonly items: T[] = [];
  private readonly keys: number[] = [];
  private readonly seqs: number[] = [];
  private seq = 0;

  constructor(private readonly key: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(request: T): void {
    const key = this.key(request);
    const seq = this.seq++;
    const { items, keys, seqs } = this;
    let i = items.length;
    items.push(request);
    keys.push(key);
    seqs.push(seq);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] < key || (keys[parent] === key && seqs[parent] < seq)) break;
      items[i] = items[parent];
      keys[i] = keys[parent];
      seqs[i] = seqs[parent];
      i = parent;
    }
    items[i] = request;
    keys[i] = key;
    seqs[i] = seq;
  }

  shift(): T | undefined {
    const { items, keys, seqs } = this;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0];
    const lastItem = items.pop() as T;
    const lastKey = keys.pop() as number;
    const lastSeq = seqs.pop() as number;
    if (n === 1) return top;
    const size = n - 1;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && (keys[right] < keys[child] || (keys[right] === keys[child] && seqs[right] < seqs[child]))) child = right;
      if (lastKey < keys[child] || (lastKey === keys[child] && lastSeq < seqs[child])) break;
      items[i] = items[child];
      keys[i] = keys[child];
      seqs[i] = seqs[child];
      i = child;
    }
    items[i] = lastItem;
    keys[i] = lastKey;
    seqs[i] = lastSeq;
    return top;
  }
}

/** A queue for `discipline`; `expectedService` gives SJF its key. */
export function createQueue(discipline: Discipline, expectedService: (request: Request) => number): RequestQueue {
  switch (discipline) {
    case 'fcfs':
      return new Fifo<Request>();
    case 'sjf':
      return new KeyedQueue<Request>(expectedService);
    case 'edf':
      return new KeyedQueue<Request>((r) => r.deadline);
    case 'priority':
      return new KeyedQueue<Request>((r) => r.priority);
  }
}
