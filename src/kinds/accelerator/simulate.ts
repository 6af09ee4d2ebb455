import { RandomStreams } from '../../engine/random.js';
import { Simulation, type Timer } from '../../engine/simulation.js';
import { TenantStats, type TenantSummary } from '../../metrics/tenant.js';
import { KeyedQueue } from '../../pipeline/discipline.js';
import { InputError } from '../../errors.js';
import { buildWorkload } from '../../workload/build.js';
import type { AcceleratorScenario } from './schema.js';
import { Interference, loadDnnCatalog, type CoRunner, type DnnModel } from './model.js';

/**
 * Services sharing one accelerator. Queries that run at the same time slow each other down by
 * the interference model; every launch or finish changes who runs with whom, so each running
 * query progresses through its solo work at 1 / its current slowdown (remaining work is carried
 * over at every change, as in processor sharing with unequal rates).
 *
 * FCFS, SJF and EDF launch the next query of one global queue whenever fewer than
 * maxConcurrent run: overlap is whatever the arrivals make it. The headroom policy, in the spirit
 * of Abacus's controller, predicts before every launch: it takes the query with the least headroom
 * (deadline minus solo latency) or, failing that, one of the next few in that order, whose
 * co-location keeps its own and every running query's predicted finish (remaining solo work x the
 * new group's slowdown) within their deadlines; on an idle device the first query always runs.
 * With abandonment it drops queries that could not make their deadline even alone.
 */

interface Query extends CoRunner {
  id: number;
  service: number;
  arrival: number;
  deadline: number;
  measured: boolean;
  solo: number;
}

interface Running {
  query: Query;
  /** Solo seconds of work left at `updated`. */
  remaining: number;
  /** Solo seconds done per second now. */
  rate: number;
  updated: number;
  done: Timer<Running> | undefined;
}

export interface AcceleratorSummary {
  simulated: { end: number; warmup: number; measured: number };
  requests: { arrived: number; completed: number; dropped: number; late: number; inFlight: number };
  violationRatio: number | null;
  /** Time-average number of queries running. */
  meanConcurrency: number | null;
  /** Share of the measured time with at least one query running. */
  busy: number | null;
  byTenant: TenantSummary[];
  events: number;
}

export interface AcceleratorOptions {
  request?: (service: number, arrival: number, end: number, outcome: 'completed' | 'abandoned') => void;
}

/** Simulate an accelerator scenario. Pure in its inputs: the same scenario gives the same result. */
export function simulateAccelerator(scenario: AcceleratorScenario, options: AcceleratorOptions = {}): { summary: AcceleratorSummary } {
  const a = scenario.accelerator;
  const catalog = loadDnnCatalog(a.catalog);
  const models: DnnModel[] = a.services.map((svc) => {
    const m = catalog.get(svc.model);
    if (m === undefined) throw new InputError(`accelerator.services: unknown model "${svc.model}" (the catalog has ${[...catalog.keys()].join(', ')})`);
    return m;
  });
  const names = a.services.map((svc) => svc.name ?? svc.model);
  const interference = new Interference(a.interference.alpha, a.interference.measured);
  const maxConcurrent = a.maxConcurrent ?? a.services.length;
  const sim = new Simulation();
  const streams = new RandomStreams(scenario.seed);
  const warmup = scenario.metrics.warmup;
  const duration = scenario.duration ?? Infinity;
  const limit = scenario.queries ?? Infinity;
  const stats = a.services.map(() => new TenantStats(scenario.metrics.sketchAccuracy));

  const running: Running[] = [];
  let concurrencyArea = 0;
  let busyArea = 0;
  let lastChange = 0;
  let warmArea = { concurrency: 0, busy: 0 };
  const account = () => {
    const now = sim.now;
    concurrencyArea += running.length * (now - lastChange);
    if (running.length > 0) busyArea += now - lastChange;
    lastChange = now;
  };
  if (warmup > 0) {
    sim.scheduleAt(warmup, () => {
      account();
      warmArea = { concurrency: concurrencyArea, busy: busyArea };
    }, undefined, true);
  }

  /** Bring every running query's remaining work to now and re-time its finish for the current group. */
  const regroup = () => {
    const now = sim.now;
    const group = running.map((r) => r.query);
    running.forEach((r, i) => {
      r.remaining = Math.max(0, r.remaining - (now - r.updated) * r.rate);
      r.updated = now;
      r.rate = 1 / interference.slowdown(group, i);
      if (r.done !== undefined) sim.cancel(r.done);
      r.done = sim.timer(r.remaining / r.rate, finish, r);
    });
  };
  let lastCompletion = 0;
  const finish = (r: Running) => {
    account();
    running.splice(running.indexOf(r), 1);
    const q = r.query;
    const now = sim.now;
    lastCompletion = now;
    const latency = now - q.arrival;
    if (q.measured) stats[q.service].complete(latency, now > q.deadline);
    options.request?.(q.service, q.arrival, now, 'completed');
    regroup();
    dispatch();
  };
  const launch = (group: Query[]) => {
    account();
    for (const query of group) running.push({ query, remaining: query.solo, rate: 1, updated: sim.now, done: undefined });
    regroup();
  };
  const abandon = (q: Query) => {
    if (q.measured) stats[q.service].dropped++;
    options.request?.(q.service, q.arrival, sim.now, 'abandoned');
  };
  /** Predicted latency of member i of `group` launched now: its solo time stretched by the group's slowdown. */
  const predictedEnd = (group: readonly Query[], i: number) => sim.now + group[i].solo * interference.slowdown(group, i);

  const headroom = a.policy === 'headroom';
  const queue = new KeyedQueue<Query>((q) => {
    switch (a.policy) {
      case 'fcfs':
        return q.arrival;
      case 'sjf':
        return q.solo;
      case 'edf':
        return q.deadline;
      case 'headroom':
        return q.deadline - q.solo;
    }
  });
  /** Candidates the headroom policy examines per launch beyond the first (bounds its cost). */
  const search = 2 * maxConcurrent;
  /** Would launching `q` now keep it and every running query within their deadlines, by the table? */
  const fits = (q: Query): boolean => {
    const now = sim.now;
    const group = [...running.map((r) => r.query), q];
    for (let i = 0; i < running.length; i++) {
      const r = running[i];
      const left = Math.max(0, r.remaining - (now - r.updated) * r.rate);
      if (now + left * interference.slowdown(group, i) > r.query.deadline) return false;
    }
    return predictedEnd(group, group.length - 1) <= q.deadline;
  };
  const dispatch = () => {
    while (running.length < maxConcurrent && queue.size > 0) {
      if (!headroom) {
        const q = queue.shift() as Query;
        // The disciplines know only a query's solo latency; interference is the headroom policy's to predict.
        if (a.abandon && sim.now + q.solo > q.deadline) abandon(q);
        else launch([q]);
        continue;
      }
      // Headroom: the least-headroom query that fits with what runs (a few candidates in key
      // order); alone on an idle device whatever its prediction; hopeless ones abandoned.
      const skipped: Query[] = [];
      let chosen: Query | undefined;
      for (let k = 0; k <= search && queue.size > 0 && chosen === undefined; k++) {
        const q = queue.shift() as Query;
        if (a.abandon && sim.now + q.solo > q.deadline) {
          abandon(q);
          k--;
        } else if (running.length === 0 || fits(q)) chosen = q;
        else skipped.push(q);
      }
      for (const q of skipped) queue.push(q);
      if (chosen === undefined) return;
      launch([chosen]);
    }
  };

  // Arrivals: each service's own stream, merged by the event queue, up to `queries` in all.
  let nextId = 0;
  a.services.forEach((svc, i) => {
    const source = buildWorkload(svc.arrivals, streams, `arrivals:${names[i]}`).source;
    const arrive = () => {
      // Services schedule their next arrival independently: the limit is enforced on arrival.
      if (nextId >= limit) return;
      const now = sim.now;
      const q: Query = { id: nextId++, service: i, arrival: now, deadline: now + svc.slo, measured: now >= warmup, solo: models[i].soloLatency(svc.batch), model: models[i], batch: svc.batch };
      if (q.measured) stats[i].arrived++;
      queue.push(q);
      dispatch();
      next();
    };
    const next = () => {
      if (nextId < limit && source.next() && source.time < duration) sim.scheduleAt(source.time, arrive, undefined);
    };
    next();
  });

  sim.run(duration);
  const end = duration !== Infinity ? duration : Math.max(sim.now, lastCompletion);
  account();
  const measured = end - Math.min(warmup, end);
  const perSecond = (n: number) => (measured > 0 ? n / measured : null);
  const byTenant: TenantSummary[] = stats.map((s, i) => s.summary(names[i], perSecond));
  const total = (f: (s: TenantStats) => number) => stats.reduce((sum, s) => sum + f(s), 0);
  const arrived = total((s) => s.arrived);
  return {
    summary: {
      simulated: { end, warmup: Math.min(warmup, end), measured },
      requests: { arrived, completed: total((s) => s.completed), dropped: total((s) => s.dropped), late: total((s) => s.late), inFlight: arrived - total((s) => s.completed + s.dropped) },
      violationRatio: arrived > 0 ? total((s) => s.late + s.dropped) / arrived : null,
      meanConcurrency: perSecond(concurrencyArea - warmArea.concurrency),
      busy: perSecond(busyArea - warmArea.busy),
      byTenant,
      events: sim.eventsProcessed,
    },
  };
}
