// Child process of bench/run.js: a yardstick for the replica-scaling figures. bench/replicas.js's
// model (2 stages, first-come-first-served, batches of up to 4 with a 5 ms timeout, exponential
// service of 4 ms + 2 ms per further request, Poisson arrivals at 330/s per replica) written
// with the least memory traffic the model allows: a request is nothing but its arrival time,
// carried by value. It waits as (arrival, time it joined) in its stage's ring, and rides in its
// replica's 64-byte record while served, so a finishing batch reads one record and no request
// row (a request row read after service is a cache miss in a large cluster, where tens of
// thousands of others were touched in between). Idle replicas are flags in a byte array, events
// go in the engine's calendar queue; no metrics but the mean latency. pipesim keeps more: a
// 64-byte row per request (the fields plug-ins, disciplines and metrics read), replica records
// over a few arrays; and does more per request (metrics, sketches). Its growth with the cluster
// is to be read against this one's.
// Prints seconds, requests, utilisation and mean latency as JSON.
import { RandomStreams } from '../dist/engine/random.js';
import { Simulation } from '../dist/engine/simulation.js';

const [replicas, requests] = process.argv.slice(2).map(Number);
const MAX_BATCH = 4;
const TIMEOUT = 0.005;
const sim = new Simulation();
const streams = new RandomStreams(1);
const arrivals = streams.stream('arrivals');

/** Replica record: busy time, batch start, batch size, then the arrival times of the batch's requests. */
const RECORD = 8;
const BUSY = 0;
const START = 1;
const SIZE = 2;
const ITEMS = 3;

class Stage {
  /** Waiting requests as (arrival, time joined) pairs in a power-of-two ring that doubles when full. */
  ring = new Float64Array(2 * 4096);
  room = 4096;
  head = 0;
  waiting = 0;
  records = new Float64Array(replicas * RECORD);
  idleFlags = new Uint8Array(replicas).fill(1);
  idle = replicas;
  next = 0;
  timerArmed = false;
  /** @type {(arrival: number) => void} */
  onward = () => {};
  constructor(name) {
    this.service = streams.stream(`service:${name}`);
    this.done = (r) => this.finish(r);
    this.timerFired = () => {
      this.timerArmed = false;
      this.dispatch();
    };
  }

  accept(arrival) {
    if (this.waiting === this.room) this.grow();
    const at = 2 * ((this.head + this.waiting++) & (this.room - 1));
    this.ring[at] = arrival;
    this.ring[at + 1] = sim.now;
    if (this.idle > 0) this.dispatch();
  }

  grow() {
    const grown = new Float64Array(4 * this.room);
    for (let k = 0; k < this.waiting; k++) {
      const from = 2 * ((this.head + k) & (this.room - 1));
      grown[2 * k] = this.ring[from];
      grown[2 * k + 1] = this.ring[from + 1];
    }
    this.ring = grown;
    this.head = 0;
    this.room *= 2;
  }

  dispatch() {
    while (this.idle > 0 && this.waiting > 0) {
      const due = this.ring[2 * this.head + 1] + TIMEOUT;
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
        this.records[at + ITEMS + size++] = this.ring[2 * this.head];
        this.head = (this.head + 1) & (this.room - 1);
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
first.onward = (arrival) => second.accept(arrival);
second.onward = (arrival) => {
  completed++;
  latency += sim.now - arrival;
};
let arrived = 0;
const arrive = () => {
  first.accept(sim.now);
  if (++arrived < requests) sim.schedule(arrivals.exponential(1 / (330 * replicas)), arrive, undefined);
};
sim.schedule(0, arrive, undefined);
const start = process.hrtime.bigint();
sim.run();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(JSON.stringify({ replicas, requests: completed, seconds, utilization: [first.utilization(), second.utilization()], meanLatency: latency / completed }) + '\n');
