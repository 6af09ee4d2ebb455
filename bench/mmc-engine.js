// M/M/c written directly on pipesim's engine (clock, event queue, random streams):
// the counterpart of bench/simpy_mmc.py, for the engine-alone comparison.
import { Simulation } from '../dist/engine/simulation.js';
import { RandomStreams } from '../dist/engine/random.js';
import { Fifo } from '../dist/pipeline/fifo.js';

export function mmcEngine(customers, servers, lambda, mu, seed) {
  const sim = new Simulation();
  const streams = new RandomStreams(seed);
  const arrivals = streams.stream('arrivals');
  const service = streams.stream('service');
  const waiting = new Fifo();
  let busy = 0;
  let arrived = 0;
  let served = 0;
  let waitSum = 0;
  const depart = () => {
    served++;
    if (waiting.size > 0) {
      waitSum += sim.now - waiting.shift();
      sim.schedule(service.exponential(1 / mu), depart, undefined);
    } else busy--;
  };
  const arrive = () => {
    if (busy < servers) {
      busy++;
      sim.schedule(service.exponential(1 / mu), depart, undefined);
    } else waiting.push(sim.now);
    if (++arrived < customers) sim.schedule(arrivals.exponential(1 / lambda), arrive, undefined);
  };
  sim.schedule(0, arrive, undefined);
  const start = process.hrtime.bigint();
  sim.run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { customers: served, events: sim.eventsProcessed, seconds, meanWait: waitSum / served };
}
