import type { ServerlessDecision } from '../../adapters/harmonybatch/adapters.js';
import { SERVERLESS_ADAPTERS } from '../../adapters/harmonybatch/adapters.js';
import type { Application, GroupPlan, Plan } from '../../adapters/harmonybatch/planner.js';
import { RandomStreams, type RandomStream } from '../../engine/random.js';
import { Simulation, type Timer } from '../../engine/simulation.js';
import type { DistributionSummary } from '../../metrics/distribution.js';
import { TenantStats } from '../../metrics/tenant.js';
import { lognormalCvForP99 } from '../../pipeline/service.js';
import { loadServerlessModel, type FunctionInstance, type ServerlessModel } from '../../profiles/serverless.js';
import { InputError } from '../../errors.js';
import { buildWorkload, type Workload } from '../../workload/build.js';
import type { ServerlessScenario } from './schema.js';

/**
 * Serverless serving as HarmonyBatch plans it: each application sends requests to its group's
 * batch queue; a batch leaves when it holds the group's batch size or when the earliest
 * deadline of its members (arrival + that application's timeout) comes; every batch is one
 * invocation on its own function instance (a warm idle one, or a new one after the cold
 * start), lasting a draw from the function's latency model for that batch size, and billed as
 * the model says. Every interval the adapter re-plans from the applications' rates; the old
 * groups' waiting batches leave at once and new requests go to the new groups.
 */

/** One request's journey. */
interface ServerlessRequest {
  app: number;
  arrival: number;
  measured: boolean;
  /** The planned cost per request of its group when it arrived. */
  plannedCost: number;
}

export interface AppStats {
  name: string;
  slo: number;
  arrived: number;
  completed: number;
  /** Completed later than arrival + SLO. */
  violations: number;
  violationRatio: number | null;
  latency: DistributionSummary;
  /** Cost per completed request: each invocation's price shared equally by its batch. */
  costPerRequest: number | null;
  /** The planner's expected cost per request of this application's group, averaged over its requests. */
  plannedCostPerRequest: number | null;
}

export interface ServerlessSummary {
  simulated: { end: number; warmup: number; measured: number };
  requests: { arrived: number; completed: number; inFlight: number; violations: number };
  violationRatio: number | null;
  cost: { total: number; perRequest: number | null; plannedPerRequest: number | null };
  invocations: number;
  coldStarts: number;
  meanBatchSize: number | null;
  plans: number;
  apps: AppStats[];
  events: number;
}

/** One planning interval: the plan in force during [time, end) and what it cost. */
export interface PlanStep {
  step: number;
  time: number;
  end: number;
  /** Rates the plan was made for, per application. */
  plannedRates: number[];
  /** Arrival rate observed over the step, per application. */
  observedRates: number[];
  plan: Plan;
  arrived: number;
  violations: number;
  /** Price of the invocations dispatched during the step, per request that arrived in it. */
  costPerRequest: number;
}

export interface ServerlessResult {
  summary: ServerlessSummary;
  steps: PlanStep[];
}

export interface ServerlessOptions {
  /** Receives every request when it completes. */
  request?: (app: number, arrival: number, end: number, batch: number, cost: number) => void;
}

/** An application's requests, and what they cost against what the planner expected. */
class AppAccount extends TenantStats {
  cost = 0;
  planned = 0;
}

/** An idle, warm function instance. */
interface Instance {
  idleSince: number;
}

/** The batch queue and instances of one planned group. */
class Group {
  private queue: ServerlessRequest[] = [];
  private deadline = Infinity;
  private timer: Timer<undefined> | undefined;
  /** Warm idle instances of this group's function configuration (shared with later plans that keep it). */
  private readonly idle: Instance[];
  /** Timeout of each application in the group, by application index. */
  private readonly timeouts = new Map<number, number>();

  constructor(
    readonly plan: GroupPlan,
    /** Identifies the group across plans: its applications, function, batch size and timeouts. */
    readonly key: string,
    private readonly run: ServerlessRun,
  ) {
    plan.apps.forEach((app, k) => this.timeouts.set(app, plan.timeouts[k]));
    this.idle = run.pool(`${plan.apps.join('+')} ${functionKey(plan.function)}`);
  }

  accept(request: ServerlessRequest): void {
    const now = this.run.sim.now;
    this.queue.push(request);
    const due = now + (this.timeouts.get(request.app) as number);
    if (this.queue.length >= this.plan.batch) {
      this.dispatch();
      return;
    }
    if (due < this.deadline) {
      this.deadline = due;
      if (this.timer !== undefined) this.run.sim.cancel(this.timer);
      this.timer = this.run.sim.timerAt(due, this.expire, undefined);
    }
  }

  private readonly expire = () => {
    this.timer = undefined;
    this.dispatch();
  };

  /** Send the waiting requests as one batch now (also when the group is replaced). */
  dispatch(): void {
    if (this.timer !== undefined) this.run.sim.cancel(this.timer);
    this.timer = undefined;
    this.deadline = Infinity;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const now = this.run.sim.now;
    // A warm instance if one is idle (the most recently used), else a new one after the cold start.
    let start = now;
    let instance: Instance | undefined;
    while (this.idle.length > 0) {
      const candidate = this.idle.pop() as Instance;
      if (now - candidate.idleSince <= this.run.keepAlive) {
        instance = candidate;
        break;
      }
    }
    if (instance === undefined) {
      instance = { idleSince: now };
      start += this.run.coldStart;
      if (this.run.coldStart > 0) this.run.coldStarts++;
    }
    const f = this.plan.function;
    const duration = this.run.duration(f, batch.length);
    const cost = this.run.model.invocationCost(f, duration);
    this.run.invoked(batch, start + duration, cost);
    const done = instance;
    this.run.sim.scheduleAt(start + duration, () => {
      done.idleSince = this.run.sim.now;
      this.idle.push(done);
    }, undefined);
  }
}

function functionKey(f: FunctionInstance): string {
  return f.kind === 'gpu' ? `gpu:${f.gpuMemGb}` : `cpu:${f.vcpu}:${f.memGb}`;
}

function groupKey(g: GroupPlan): string {
  return `${g.apps.join('+')} ${functionKey(g.function)} b${g.batch} t${g.timeouts.join(',')}`;
}

/** The state of one serverless run. */
class ServerlessRun {
  readonly sim = new Simulation();
  readonly model: ServerlessModel;
  readonly coldStart: number;
  readonly keepAlive: number;
  coldStarts = 0;
  invocations = 0;
  batchItems = 0;
  totalCost = 0;
  private readonly serviceRng: RandomStream;
  private readonly lognormal: boolean;
  readonly accounts: AppAccount[];
  step!: PlanStep;

  constructor(readonly scenario: ServerlessScenario, streams: RandomStreams) {
    const s = scenario.serverless;
    this.model = loadServerlessModel(s.model, s.catalog);
    this.coldStart = s.coldStart;
    this.keepAlive = s.keepAlive;
    this.serviceRng = streams.stream('service');
    this.lognormal = s.serviceTime === 'lognormal';
    this.accounts = s.apps.map(() => new AppAccount(scenario.metrics.sketchAccuracy));
  }

  /** An invocation's duration for a batch of k: a draw around the average with the tail's spread. */
  duration(f: FunctionInstance, k: number): number {
    const mean = this.model.latency(f, k, 'average');
    const tail = this.model.latency(f, k, 'tail');
    if (this.lognormal) return this.serviceRng.lognormal(mean, lognormalCvForP99(tail / mean));
    // HarmonyBatch's simulator: normal with the tail at z = 2.33, never negative.
    return Math.max(0, mean + ((tail - mean) / 2.33) * this.serviceRng.normal());
  }

  /** When the last request finished. */
  lastCompletion = 0;

  invoked(batch: readonly ServerlessRequest[], end: number, cost: number): void {
    this.invocations++;
    this.batchItems += batch.length;
    this.totalCost += cost;
    this.step.costPerRequest += cost;
    this.sim.scheduleAt(end, () => {
      this.lastCompletion = end;
      const share = cost / batch.length;
      for (const r of batch) {
        const latency = end - r.arrival;
        const late = latency > this.scenario.serverless.apps[r.app].slo;
        if (late) this.step.violations++;
        if (r.measured) {
          const a = this.accounts[r.app];
          a.complete(latency, late);
          a.cost += share;
          a.planned += r.plannedCost;
        }
        this.completed(r.app, r.arrival, end, batch.length, share);
      }
    }, undefined);
  }

  private readonly pools = new Map<string, Instance[]>();

  /** The idle instances of one function (a group's applications on one configuration): a later plan that keeps it keeps them warm. */
  pool(key: string): Instance[] {
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = [];
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Called for every request when its batch finishes. */
  completed: NonNullable<ServerlessOptions['request']> = () => {};
}

/** Expected requests of a workload in [from, to), when it can be known in advance. */
function expectedCount(w: Workload, spec: ServerlessScenario['serverless']['apps'][number]['arrivals'], from: number, to: number): number | undefined {
  if (spec.kind === 'poisson' || spec.kind === 'constant') return spec.rate * (to - from);
  if (w.counts === undefined) return undefined;
  const bin = w.bin ?? 1;
  let n = 0;
  for (let i = Math.max(0, Math.floor(from / bin)); i < w.counts.length && i * bin < to; i++) {
    const overlap = Math.min(to, (i + 1) * bin) - Math.max(from, i * bin);
    if (overlap > 0) n += (w.counts[i] * overlap) / bin;
  }
  return n;
}

/** The rates the first plan of a scenario is made for (what `pipesim harmony plan SCENARIO` plans). */
export function initialRates(scenario: ServerlessScenario): number[] {
  const streams = new RandomStreams(scenario.seed);
  const interval = scenario.adaptation.interval;
  return scenario.serverless.apps.map((a, i) => {
    if (a.rate !== undefined) return a.rate;
    const n = expectedCount(buildWorkload(a.arrivals, streams, `arrivals:${a.name ?? `app${i}`}`), a.arrivals, 0, interval);
    if (n === undefined) throw new InputError(`application ${a.name ?? `app${i}`}: give its rate: it cannot be known from its arrivals in advance`);
    return Math.max(n / interval, 1 / interval);
  });
}

/** Simulate a serverless scenario. Pure in its inputs: the same scenario gives the same result. */
export function simulateServerless(scenario: ServerlessScenario, options: ServerlessOptions = {}): ServerlessResult {
  const streams = new RandomStreams(scenario.seed);
  const run = new ServerlessRun(scenario, streams);
  const sim = run.sim;
  const appSpecs = scenario.serverless.apps;
  const names = appSpecs.map((a, i) => a.name ?? `app${i}`);
  const workloads = appSpecs.map((a, i) => buildWorkload(a.arrivals, streams, `arrivals:${names[i]}`));
  const { interval, adapter: adapterSpec, rates: rateSource } = scenario.adaptation;
  const { kind, ...adapterOptions } = adapterSpec;
  const adapter = SERVERLESS_ADAPTERS.find((a) => a.kind === kind) as (typeof SERVERLESS_ADAPTERS)[number];
  const duration = scenario.duration ?? Infinity;
  const naturalEnd = Math.max(...workloads.map((w) => w.length ?? Infinity));
  const horizon = Math.min(duration, naturalEnd);
  const warmup = scenario.metrics.warmup;

  let groups: Group[] = [];
  let groupOf: Group[] = [];
  let plan: Plan | undefined;
  const steps: PlanStep[] = [];
  let stepArrivals = appSpecs.map(() => 0);
  let inSystem = 0;
  let arrivalsOpen = appSpecs.length;

  /** The rates to plan [now, now + interval) for; an application without any gets one request per interval. */
  const ratesFor = (now: number): number[] =>
    appSpecs.map((a, i) => {
      let rate: number | undefined;
      if (now === 0 && a.rate !== undefined) rate = a.rate;
      else if (rateSource === 'observed' && now > 0) rate = stepArrivals[i] / (now - steps[steps.length - 1].time);
      else {
        const n = expectedCount(workloads[i], a.arrivals, now, now + interval);
        if (n === undefined) throw new InputError(`application ${names[i]}: its rate over a coming interval cannot be known from a timestamp trace: use adaptation.rates: observed`);
        rate = n / interval;
      }
      return Math.max(rate, 1 / interval);
    });

  const replan = () => {
    const now = sim.now;
    const rates = ratesFor(now);
    if (steps.length > 0) {
      const last = steps[steps.length - 1];
      last.end = now;
      last.observedRates = stepArrivals.map((n) => n / (now - last.time));
    }
    const apps: Application[] = appSpecs.map((a, i) => ({ name: names[i], slo: a.slo, rate: rates[i] }));
    const decision: ServerlessDecision = adapter.decide({ apps, current: plan, model: run.model }, adapterOptions as never);
    plan = decision.plan;
    // A group the new plan keeps as it was keeps its queue; the others send what waits at once.
    const kept = new Map(groups.map((g) => [g.key, g]));
    const next = plan.groups.map((gp) => {
      const key = groupKey(gp);
      const old = kept.get(key);
      kept.delete(key);
      return old ?? new Group(gp, key, run);
    });
    for (const g of kept.values()) g.dispatch();
    groups = next;
    groupOf = [];
    groups.forEach((g) => g.plan.apps.forEach((a) => (groupOf[a] = g)));
    run.step = { step: steps.length, time: now, end: now, plannedRates: rates, observedRates: [], plan, arrived: 0, violations: 0, costPerRequest: 0 };
    steps.push(run.step);
    stepArrivals = appSpecs.map(() => 0);
  };
  const active = () => (duration !== Infinity ? sim.now < duration : arrivalsOpen > 0 || inSystem > 0);
  const tick = () => {
    // No plan past the end of the workload: what is still in flight finishes on the last one.
    if (!active() || sim.now >= horizon) return;
    replan();
    sim.scheduleAt(sim.now + interval, tick, undefined, true);
  };
  replan();
  sim.scheduleAt(interval, tick, undefined, true);

  // Each application's arrivals, merged by the event queue.
  workloads.forEach((w, i) => {
    const source = w.source;
    const arrive = () => {
      const now = sim.now;
      const group = groupOf[i];
      const measured = now >= warmup;
      stepArrivals[i]++;
      run.step.arrived++;
      if (measured) run.accounts[i].arrived++;
      inSystem++;
      group.accept({ app: i, arrival: now, measured, plannedCost: group.plan.costPerRequest });
      next();
    };
    const next = () => {
      if (source.next() && source.time < duration) sim.scheduleAt(source.time, arrive, undefined);
      else arrivalsOpen--;
    };
    next();
  });
  run.completed = (app, arrival, end, batch, cost) => {
    inSystem--;
    options.request?.(app, arrival, end, batch, cost);
  };

  sim.run(duration);
  const end = duration !== Infinity ? duration : Math.max(run.lastCompletion, horizon);
  const last = steps[steps.length - 1];
  last.end = end;
  last.observedRates = stepArrivals.map((n) => (end > last.time ? n / (end - last.time) : 0));
  for (const s of steps) s.costPerRequest = s.arrived > 0 ? s.costPerRequest / s.arrived : 0;

  const measured = end - Math.min(warmup, end);
  const apps: AppStats[] = run.accounts.map((a, i) => ({
    name: names[i],
    slo: appSpecs[i].slo,
    arrived: a.arrived,
    completed: a.completed,
    violations: a.late,
    violationRatio: a.completed > 0 ? a.late / a.completed : null,
    latency: a.latency.summary(),
    costPerRequest: a.completed > 0 ? a.cost / a.completed : null,
    plannedCostPerRequest: a.completed > 0 ? a.planned / a.completed : null,
  }));
  const sum = (f: (a: AppAccount) => number) => run.accounts.reduce((s, a) => s + f(a), 0);
  const completed = sum((a) => a.completed);
  const arrived = sum((a) => a.arrived);
  const violations = sum((a) => a.late);
  return {
    summary: {
      simulated: { end, warmup: Math.min(warmup, end), measured },
      requests: { arrived, completed, inFlight: arrived - completed, violations },
      violationRatio: completed > 0 ? violations / completed : null,
      cost: {
        total: run.totalCost,
        perRequest: completed > 0 ? sum((a) => a.cost) / completed : null,
        plannedPerRequest: completed > 0 ? sum((a) => a.planned) / completed : null,
      },
      invocations: run.invocations,
      coldStarts: run.coldStarts,
      meanBatchSize: run.invocations > 0 ? run.batchItems / run.invocations : null,
      plans: steps.length,
      apps,
      events: sim.eventsProcessed,
    },
    steps,
  };
}
