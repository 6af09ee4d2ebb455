// Child process of bench/run.js: the hold model (take the earliest event, schedule one later)
// on one event queue, in a fresh process so that neither implementation's code has seen the
// other's shapes. `engine` is pipesim's Simulation (a calendar queue in typed arrays, each event
// run through its handler); `js-sdsl` is the PriorityQueue of event objects the engine used
// before. Prints seconds per repetition as JSON.
import { PriorityQueue } from 'js-sdsl';
import { RandomStreams } from '../dist/engine/random.js';
import { Simulation } from '../dist/engine/simulation.js';

const [implementation, sizeText, repsText] = process.argv.slice(2);
const size = Number(sizeText);
const OPERATIONS = 2_000_000;

function holdEngine(rng) {
  const sim = new Simulation();
  let left = OPERATIONS;
  const hold = () => {
    if (--left === 0) sim.stop();
    sim.schedule(rng.exponential(1), hold, undefined);
  };
  for (let i = 0; i < size; i++) sim.scheduleAt(rng.random(), hold, undefined);
  return () => sim.run();
}

function holdSdsl(rng) {
  const queue = new PriorityQueue([], (a, b) => a.time - b.time || a.seq - b.seq, false);
  let seq = 0;
  for (let i = 0; i < size; i++) queue.push({ time: rng.random(), seq: seq++ });
  return () => {
    for (let i = 0; i < OPERATIONS; i++) {
      const e = queue.pop();
      queue.push({ time: e.time + rng.exponential(1), seq: seq++ });
    }
  };
}

const seconds = [];
for (let rep = 0; rep < Number(repsText); rep++) {
  const run = (implementation === 'js-sdsl' ? holdSdsl : holdEngine)(new RandomStreams(1).stream('hold'));
  const start = process.hrtime.bigint();
  run();
  seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
}
process.stdout.write(JSON.stringify({ operations: OPERATIONS, seconds }) + '\n');
