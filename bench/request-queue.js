// Child process of bench/run.js: an EDF request queue under the hold model (take the earliest
// deadline, add a request with a later one), on pipesim's KeyedQueue or on js-sdsl's
// PriorityQueue with a (deadline, order) comparator, each in a fresh process. Prints seconds per run.
import { PriorityQueue } from 'js-sdsl';
import { RandomStreams } from '../dist/engine/random.js';
import { KeyedQueue } from '../dist/pipeline/discipline.js';
import { RequestTable } from '../dist/pipeline/request.js';

const [implementation, sizeText, repsText] = process.argv.slice(2);
const size = Number(sizeText);
const OPERATIONS = 2_000_000;
const make = () => {
  if (implementation === 'keyed') return new KeyedQueue((r) => r.deadline);
  const pq = new PriorityQueue([], (a, b) => a.deadline - b.deadline || a.id - b.id, false);
  return { push: (r) => pq.push(r), shift: () => pq.pop() };
};
const seconds = [];
for (let rep = 0; rep < Number(repsText); rep++) {
  const rng = new RandomStreams(1).stream('hold');
  const queue = make();
  // Requests as a simulation makes them: slots of a table, the one taken out reused for the next.
  const table = new RequestTable();
  let id = 0;
  const request = (deadline) => table.request(table.take(id++, 0, deadline, Infinity, 0, 0, true));
  for (let i = 0; i < size; i++) queue.push(request(rng.random()));
  const start = process.hrtime.bigint();
  for (let i = 0; i < OPERATIONS; i++) {
    const r = queue.shift();
    const deadline = r.deadline + rng.exponential(1);
    table.release(r.slot);
    queue.push(request(deadline));
  }
  seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
}
process.stdout.write(JSON.stringify({ operations: OPERATIONS, seconds }) + '\n');
