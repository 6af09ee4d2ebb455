// Child process of bench/run.js: a yardstick for the replica-scaling figures. bench/replicas.js's
// model (2 stages, first-come-first-served, batches of up to 4 with a 5 ms timeout, exponential
// service of 4 ms + 2 ms per further request, Poisson arrivals at 330/s per replica) written
// with no object per request or replica: a request is two doubles (arrival, time it joined its
// queue) in one Float64Array, a replica a 64-byte record holding its batch's request indices,
// idle replicas flags in a byte array, events in the engine's calendar queue. No metrics but the
// mean latency. It shows what the model's own memory traffic costs as the cluster grows, with
// the least state a request and a replica can have: pipesim keeps more (a 64-byte row per
// request, the fields plug-ins and metrics read; replica records over a few arrays) and does
// more per request (metrics, sketches), and its growth is to be read against this one's.
// Prints seconds, requests, utilisation and mean latency as JSON.
import { RandomStreams } from '../dist/engine/random.js';
import { Simulation } from '../dist/engine/simulation.js';

const [replicas, requests] = process.argv.slice(2).map(Number);
const MAX_BATCH = 4;
const TIMEOUT = 0.005;
const sim = new Simulation();
const streams = new RandomStreams(1);
const arrivals = streams.stream('arrivals');

/** Request records: arrival at 2i, time it joined its current queue at 2i + 1; freed indices reused last-in first-out. */
let capacity = 1 << 16;
let times = new Float64Array(2 * capacity);
let made = 0;
const free = [];
function newRequest(now) {
  let i = free.pop();
  if (i === undefined) {
    if (made === capacity) {
      const grown = new Float64Array(4 * capacity);
      grown.set(times);
      times = grown;
      capacity *= 2;
    }
    i = made++;
  }
  times[2 * i] = now;
  times[2 * i + 1] = now;
  return i;
}

/** Replica record: busy time, batch start, batch size, then the batch's request indices. */
const RECORD = 8;
const BUSY = 0;
const START = 1;
const SIZE = 2;
const ITEMS = 3;

class Stage {
  queue = new Int32Array(1 << 20);
  head = 0;
  waiting = 0;
  records = new Float64Array(replicas * RECORD);
  idleFlags = new Uint8Array(replicas).fill(1);
  idle = replicas;
  next = 0;
  timerArmed = false;
  /** @type {(request: number) => void} */
  onward = () => {};
  constructor(name) {
    this.service = streams.stream(`service:${name}`);
    this.done = (r) => this.finish(r);
    this.timerFired = () => {
      this.timerArmed = false;
      this.dispatch();
    };
  }

  accept(i) {
    if (this.waiting === this.queue.length) throw new Error('value-layout: more requests waiting than its queue holds');
    times[2 * i + 1] = sim.now;
    this.queue[(this.head + this.waiting++) & (this.queue.length - 1)] = i;
    if (this.idle > 0) this.dispatch();
  }

  dispatch() {
    while (this.idle > 0 && this.waiting > 0) {
      const due = times[2 * this.queue[this.head] + 1] + TIMEOUT;
      if (this.waiting < MAX_BATCH && sim.now < due) {
        if (!this.timerArmed) {
          this.timerArmed = true;
          sim.scheduleAt(due, this.timerFired, undefined);
        }
        return;
      }
      let r = this.next;
      while (this.idleFlags[r] === 0) r = r + 1 === replicas ? 0 : r + 1;
      this.next = r + 1 === replicas ? 0 : r + 1;
      this.idleFlags[r] = 0;
      this.idle--;
      const at = r * RECORD;
      let size = 0;
      while (size < MAX_BATCH && this.waiting > 0) {
        this.records[at + ITEMS + size++] = this.queue[this.head];
        this.head = (this.head + 1) & (this.queue.length - 1);
        this.waiting--;
      }
      this.records[at + SIZE] = size;
      this.records[at + START] = sim.now;
      sim.schedule(this.service.exponential(0.004 + 0.002 * (size - 1)), this.done, r);
    }
  }

  finish(r) {
    const at = r * RECORD;
    this.records[at + BUSY] += sim.now - this.records[at + START];
    this.idleFlags[r] = 1;
    this.idle++;
    const size = this.records[at + SIZE];
    for (let k = 0; k < size; k++) this.onward(this.records[at + ITEMS + k]);
    this.dispatch();
  }

  utilization() {
    let busy = 0;
    for (let r = 0; r < replicas; r++) busy += this.records[r * RECORD + BUSY];
    return busy / replicas / sim.now;
  }
}

const first = new Stage('a');
const second = new Stage('b');
let completed = 0;
let latency = 0;
first.onward = (i) => second.accept(i);
second.onward = (i) => {
  completed++;
  latency += sim.now - times[2 * i];
  free.push(i);
};
let arrived = 0;
const arrive = () => {
  first.accept(newRequest(sim.now));
  if (++arrived < requests) sim.schedule(arrivals.exponential(1 / (330 * replicas)), arrive, undefined);
};
sim.schedule(0, arrive, undefined);
const start = process.hrtime.bigint();
sim.run();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({ replicas, requests: completed, seconds, utilization: [first.utilization(), second.utilization()], meanLatency: latency / completed }) + '\n');
