import { optionsSchema, type OptionsOf, type OptionsSchema } from '../plugins/options.js';
import type { PluginDefinition } from '../plugins/registry.js';
import type { Request } from './request.js';

/**
 * Queue disciplines: the order in which a stage takes waiting requests into batches. The
 * built-in ones (fcfs, sjf, edf, priority: disciplines/) and a user's are made with
 * defineDiscipline. Ties go to the request that joined the queue first.
 */

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

/** What a discipline's queue is built from, besides its options. */
export interface DisciplineContext {
  /** Mean service time of a request alone (batch 1) on the stage's current model: SJF's key, and what abandonment allows for. */
  expectedService(request: Request): number;
}

export interface DisciplineDefinition<Options extends OptionsSchema = OptionsSchema> extends PluginDefinition<'discipline'> {
  readonly options: Options;
  /**
   * Whether its queue serves in order of joining, so that its head is the oldest waiting request:
   * the stage then needs no separate record of the oldest (for the batch timeout), and drop-oldest
   * overflow is possible.
   */
  readonly fifo: boolean;
  create(options: OptionsOf<Options>, context: DisciplineContext): RequestQueue;
}

/** Define a queue discipline a scenario can name under `pipeline.stages[].queue.discipline`. */
export function defineDiscipline<Options extends OptionsSchema = OptionsSchema>(definition: {
  kind: string;
  description?: string;
  options?: Options;
  fifo?: boolean;
  create(options: OptionsOf<Options>, context: DisciplineContext): RequestQueue;
}): DisciplineDefinition<Options> {
  return {
    ...definition,
    family: 'discipline',
    description: definition.description ?? '',
    fifo: definition.fifo ?? false,
    options: optionsSchema(definition.options, `discipline ${definition.kind}`) as Options,
  };
}
