// Child process of bench/run.js: the hold model (pop the earliest event, push one
// later) on one event-queue implementation, in a fresh process so that neither
// implementation's code has seen other element shapes. Prints seconds per run as JSON.
import { PriorityQueue } from 'js-sdsl';
import { RandomStreams } from '../dist/engine/random.js';
import { EventHeap } from './event-heap.js';

const [implementation, sizeText, repsText] = process.argv.slice(2);
const size = Number(sizeText);
const OPERATIONS = 2_000_000;
const make = implementation === 'js-sdsl' ? () => new PriorityQueue([], (a, b) => a.time - b.time || a.seq - b.seq, false) : () => new EventHeap();
const seconds = [];
for (let rep = 0; rep < Number(repsText); rep++) {
  const rng = new RandomStreams(1).stream('hold');
  const queue = make();
  let seq = 0;
  for (let i = 0; i < size; i++) queue.push({ time: rng.random(), seq: seq++ });
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPERATIONS; i++) {
    const e = queue.pop();
    queue.push({ time: e.time + rng.exponential(1), seq: seq++ });
  }
  seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
}
process.stdout.write(JSON.stringify({ operations: OPERATIONS, seconds }) + '\n');
