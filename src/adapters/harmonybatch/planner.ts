import { InputError } from '../../errors.js';
import type { FunctionInstance, ServerlessModel } from '../../profiles/serverless.js';

/**
 * HarmonyBatch's provisioning, reproduced from its reference code (HarmonyBatch/HarmonyBatch at
 * c39a15ac; the facts are in ../shared/data/harmonybatch/MODEL.md), and its BATCH baseline.
 *
 * Applications share one model and differ in SLO and rate. HarmonyBatch groups them (sorted by
 * SLO) and gives each group a CPU function (vCPU, batch 1, singleton groups only) or a GPU
 * function (GPU memory, batch, one batching timeout per application: its SLO minus the tail
 * latency), minimising the rate-weighted cost per request. Quirks of the reference that this
 * reproduces on purpose (MODEL.md section 7): the equivalent-timeout exponent -(r1*t2 + t1); CPU
 * only for singletons at batch 1 with vCPU from a binary search on a cost proxy (option
 * `cpuSearch: 'exhaustive'` replaces the proxy with the cheapest grid value, a fix); GPU
 * duration billed in whole seconds; stage 1's scan restarting at i + 1 and its length-1 guard
 * that never fires; strict (<) merge acceptance and CPU kept on ties; the CPU-to-GPU rate
 * thresholds cached by SLO alone (per planner; one planner serves one model, so the
 * reference's cross-model leak, which depends on call order, cannot happen here). Where the
 * reference would fail an assertion (a merge with no feasible GPU function), the merge is
 * rejected instead.
 */

export interface Application {
  name: string;
  /** Latency SLO, seconds. */
  slo: number;
  /** Arrival rate, requests per second. */
  rate: number;
}

export type PlanAlgorithm = 'harmony' | 'batch';

export interface PlannerOptions {
  algorithm: PlanAlgorithm;
  /** How HarmonyBatch picks a singleton CPU function's vCPU: the reference's proxy search, or the cheapest grid value. */
  cpuSearch: 'proxy' | 'exhaustive';
}

export const DEFAULT_PLANNER_OPTIONS: PlannerOptions = { algorithm: 'harmony', cpuSearch: 'proxy' };

/** The function one group runs and what it costs. */
export interface FunctionConfig {
  function: FunctionInstance;
  /** Largest batch. */
  batch: number;
  /** Batching timeout of each application in the group (its order: ascending SLO), seconds. */
  timeouts: number[];
  /** The batch size the cost is computed at: min(batch, floor(R * T_eq) + 1). */
  expectedBatch: number;
  /** Expected cost per request. */
  costPerRequest: number;
}

export interface GroupPlan extends FunctionConfig {
  /** Indices of the applications (input order), ascending SLO. */
  apps: number[];
  /** The group's share of all requests. */
  share: number;
  /** The group's arrival rate. */
  rate: number;
}

export interface Plan {
  algorithm: PlanAlgorithm;
  model: string;
  groups: GroupPlan[];
  /** Sum over groups of share x cost per request: the expected cost of an average request. */
  totalCostPerRequest: number;
  /** The weighted cost after the initial grouping and after every accepted merge (HarmonyBatch only). */
  costHistory: number[];
}

/** The fold of (timeout, rate) pairs into one equivalent timeout, as HarmonyBatch's code computes it. */
export function equivalentTimeout(timeouts: readonly number[], rates: readonly number[]): { timeout: number; rate: number } {
  let pairs = timeouts.map((t, i) => ({ t, r: rates[i] }));
  while (pairs.length > 1) {
    pairs = [...pairs].sort((a, b) => a.t - b.t);
    const [first, second, ...rest] = pairs;
    const rate = first.r + second.r;
    pairs = [{ t: first.t + (second.r / rate) * Math.exp(-first.r * second.t - first.t), r: rate }, ...rest];
  }
  return { timeout: pairs[0].t, rate: pairs[0].r };
}

/** min(batch, floor(R * T_eq) + 1): the batch size expected when the timeout usually fires first. */
export function expectedBatch(batch: number, timeouts: readonly number[], rates: readonly number[]): number {
  if (batch === 1) return 1;
  const { timeout, rate } = equivalentTimeout(timeouts, rates);
  return Math.min(batch, Math.trunc(rate * timeout) + 1);
}

/** Values min, min + step, ... up to `upper` inclusive, each rounded to 2 decimals (the reference's vCPU grid). */
function grid(min: number, upper: number, step: number): number[] {
  const n = Math.round((upper - min) / step) + 1;
  return Array.from({ length: n }, (_, i) => Math.round((min + i * step) * 100) / 100);
}

/** One planner per model: it caches HarmonyBatch's CPU-to-GPU rate thresholds by SLO. */
export class HarmonyPlanner {
  private readonly thresholds = new Map<number, number>();
  readonly options: PlannerOptions;

  constructor(readonly model: ServerlessModel, options: Partial<PlannerOptions> = {}) {
    this.options = { ...DEFAULT_PLANNER_OPTIONS, ...options };
  }

  plan(apps: readonly Application[]): Plan {
    if (apps.length === 0) throw new InputError('no applications to plan for');
    for (const a of apps) {
      if (!(a.slo > 0) || !(a.rate > 0)) throw new InputError(`application ${a.name}: SLO and rate must be > 0 (got slo ${a.slo}, rate ${a.rate})`);
    }
    return this.options.algorithm === 'batch' ? this.planBatch(apps) : this.planHarmony(apps);
  }

  // ---------------------------------------------------------------- HarmonyBatch

  /**
   * The cheapest function for a group (apps in ascending SLO): a GPU function, or for a single
   * application also a CPU function, kept on ties. Undefined when nothing meets the SLOs.
   */
  configureGroup(apps: readonly Application[], allowCpu = true): FunctionConfig | undefined {
    const cpu = allowCpu && apps.length === 1 ? this.cpuForSingleton(apps[0]) : undefined;
    const gpu = this.gpuForGroup(apps);
    if (cpu === undefined) return gpu;
    return gpu !== undefined && gpu.costPerRequest < cpu.costPerRequest ? gpu : cpu;
  }

  private cpuForSingleton(app: Application): FunctionConfig | undefined {
    const m = this.model;
    const [alpha, beta, gamma] = m.spec.cpu.tail[0];
    // The fewest vCPU whose batch-1 tail latency meets the SLO, and the fewest memory allows.
    const forLatency = app.slo - gamma <= 0 ? Infinity : -beta * Math.log((app.slo - gamma) / alpha);
    const lowest = Math.max(forLatency, m.minCpuVcpu(1));
    const l = m.limits.cpu;
    // HarmonyBatch's vCPU list runs one whole vCPU past the configured maximum (its range bound is max + 1).
    const candidates = grid(l.vcpuMin, l.vcpuMax + 1 - l.vcpuStep, l.vcpuStep).filter((c) => c >= lowest);
    if (candidates.length === 0) return undefined;
    const vcpu = this.options.cpuSearch === 'exhaustive' ? this.cheapestCpu(candidates) : this.proxySearch(candidates);
    return this.cpuConfig(vcpu, app);
  }

  /**
   * The reference's choice: a binary search for the zero of h(c) = d/dc [c * L_avg(c)], the
   * derivative of a cost proxy that ignores memory, remembering the candidate with the smallest |h|.
   */
  private proxySearch(candidates: readonly number[]): number {
    const [alpha, beta, gamma] = this.model.spec.cpu.average[0];
    const h = (c: number) => alpha * (1 - c / beta) * Math.exp(-c / beta) + gamma;
    let best = candidates[0];
    let bestValue = Math.abs(h(best));
    let lo = 0;
    let hi = candidates.length - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const value = h(candidates[mid]);
      if (Math.abs(value) < bestValue) {
        best = candidates[mid];
        bestValue = Math.abs(value);
      }
      if (value < 0) lo = mid + 1;
      else hi = mid;
    }
    return best;
  }

  private cheapestCpu(candidates: readonly number[]): number {
    let best = candidates[0];
    let bestCost = Infinity;
    for (const c of candidates) {
      const f = this.model.cpuFunction(c, 1);
      if (f === undefined) continue;
      const cost = this.model.costPerRequest(f, this.model.cpuLatency(c, 1, 'average'), 1);
      if (cost < bestCost) {
        best = c;
        bestCost = cost;
      }
    }
    return best;
  }

  private cpuConfig(vcpu: number, app: Application): FunctionConfig | undefined {
    const m = this.model;
    const f = m.cpuFunction(vcpu, 1);
    if (f === undefined || app.slo - m.cpuLatency(vcpu, 1, 'tail') < 0) return undefined;
    return { function: f, batch: 1, timeouts: [0], expectedBatch: 1, costPerRequest: m.costPerRequest(f, m.cpuLatency(vcpu, 1, 'average'), 1) };
  }

  /**
   * For each GPU memory size (ascending), the largest batch whose tail latency leaves every SLO
   * some waiting time and that the group's arrivals can be expected to fill (1 + R * T_eq > b);
   * the cheapest over memory sizes (strictly cheaper replaces).
   */
  private gpuForGroup(apps: readonly Application[]): FunctionConfig | undefined {
    const m = this.model;
    const l = m.limits.gpu;
    const rates = apps.map((a) => a.rate);
    const total = rates.reduce((s, r) => s + r, 0);
    const tightest = Math.min(...apps.map((a) => a.slo));
    let best: FunctionConfig | undefined;
    for (let mem = l.memGbMin; mem <= l.memGbMax; mem++) {
      for (let b = l.batchMax; b >= 1; b--) {
        if (mem < m.minGpuMemGb(b)) continue;
        const f = m.gpuFunction(mem);
        if (f === undefined) break;
        const tail = m.gpuLatency(mem, b, 'tail', f.vcpu);
        if (tightest - tail < 0) continue;
        const timeouts = apps.map((a) => a.slo - tail);
        const { timeout } = equivalentTimeout(timeouts, rates);
        if (b !== 1 && !(1 + total * timeout > b)) continue;
        const k = expectedBatch(b, timeouts, rates);
        const cost = m.costPerRequest(f, m.gpuLatency(mem, k, 'average', f.vcpu), k);
        if (best === undefined || cost < best.costPerRequest) best = { function: f, batch: b, timeouts, expectedBatch: k, costPerRequest: cost };
        break;
      }
    }
    return best;
  }

  /**
   * The rate above which a single application with this SLO gets a GPU function: a bisection of
   * [0.01, 40] to a width of 0.001 (40 when it never does).
   */
  threshold(slo: number): number {
    const known = this.thresholds.get(slo);
    if (known !== undefined) return known;
    let lo = 0.01;
    let hi = 40;
    while (hi - lo > 0.001) {
      const rate = (hi + lo) / 2;
      const config = this.configureGroup([{ name: 'probe', slo, rate }]);
      if (config === undefined) throw new InputError(`no function meets an SLO of ${slo} s for this model`);
      if (config.function.kind === 'gpu') hi = rate;
      else lo = rate;
    }
    this.thresholds.set(slo, hi);
    return hi;
  }

  private planHarmony(input: readonly Application[]): Plan {
    const total = input.reduce((s, a) => s + a.rate, 0);
    // Stable sort by SLO; groups keep input indices.
    const order = input.map((_, i) => i).sort((a, b) => input[a].slo - input[b].slo);
    // A merged group's share is the sum of its parts' shares, as the reference adds them up.
    const make = (members: number[], allowCpu: boolean, share: number): Group | undefined => {
      const apps = members.map((i) => input[i]);
      const config = this.configureGroup(apps, allowCpu);
      if (config === undefined) return undefined;
      return { members, config, share, rate: apps.reduce((s, a) => s + a.rate, 0) };
    };
    let groups: Group[] = order.map((i) => {
      const g = make([i], true, input[i].rate / total);
      if (g === undefined) throw new InputError(`no function meets application ${input[i].name}'s SLO of ${input[i].slo} s`);
      return g;
    });
    for (const i of order) this.threshold(input[i].slo);
    const weighted = () => groups.reduce((s, g) => s + g.config.costPerRequest * g.share, 0);
    const costHistory = [weighted()];
    /** Replace groups[from, to) by one GPU group if that is strictly cheaper. */
    const tryMerge = (from: number, to: number): boolean => {
      const parts = groups.slice(from, to);
      const merged = make(
        parts.flatMap((g) => g.members),
        false,
        parts.reduce((s, g) => s + g.share, 0),
      );
      const before = groups.slice(from, to).reduce((s, g) => s + g.config.costPerRequest * g.share, 0);
      if (merged === undefined || !(merged.config.costPerRequest * merged.share < before)) return false;
      groups = [...groups.slice(0, from), merged, ...groups.slice(to)];
      costHistory.push(weighted());
      return true;
    };
    const isCpu = (g: Group) => g.config.function.kind === 'cpu';

    // Stage 1: a run of consecutive CPU groups whose rates add up past the first one's threshold
    // (or that ends at a GPU group) becomes one GPU group if that is cheaper.
    let start = 0;
    for (;;) {
      const run = this.nextCpuRun(groups, start, isCpu, (g) => this.threshold(input[g.members[0]].slo));
      if (run === undefined) break;
      start = tryMerge(run.start, run.end) ? run.start + 1 : run.end;
    }
    // Stage 2: a GPU group absorbs its right neighbour, and a CPU group its right GPU neighbour.
    start = 0;
    for (;;) {
      let found = -1;
      for (let i = start; i < groups.length - 1; i++) {
        if ((isCpu(groups[i]) && !isCpu(groups[i + 1])) || !isCpu(groups[i])) {
          found = i;
          break;
        }
      }
      if (found < 0) break;
      start = tryMerge(found, found + 2) ? found : found + 1;
    }
    return this.finish('harmony', groups, costHistory);
  }

  private nextCpuRun(groups: readonly Group[], from: number, isCpu: (g: Group) => boolean, threshold: (g: Group) => number): { start: number; end: number } | undefined {
    for (let i = from; i < groups.length; i++) {
      if (!isCpu(groups[i])) continue;
      const limit = threshold(groups[i]);
      let sum = 0;
      for (let j = i; j < groups.length; j++) {
        if (!isCpu(groups[j])) return { start: i, end: j };
        sum += groups[j].rate;
        if (sum > limit) return { start: i, end: j + 1 };
      }
      // The run reached the end without passing the threshold: look again from the next group.
    }
    return undefined;
  }

  // ---------------------------------------------------------------- BATCH

  /**
   * BATCH: one CPU function per application, the cheapest on the whole (vCPU, batch) grid by the
   * average latency model (used for the SLO too); when nothing fits, the largest vCPU at batch 1.
   */
  private planBatch(input: readonly Application[]): Plan {
    const total = input.reduce((s, a) => s + a.rate, 0);
    const m = this.model;
    const l = m.limits.cpu;
    const vcpus = grid(l.vcpuMin, l.vcpuMax, l.vcpuStep);
    const groups: Group[] = input.map((app, i) => {
      let best: FunctionConfig | undefined;
      for (const vcpu of vcpus) {
        for (let b = 1; b <= m.cpuBatchMax; b++) {
          if (m.minCpuVcpu(b) > vcpu) continue;
          const f = m.cpuFunction(vcpu, b);
          if (f === undefined) continue;
          let timeout = app.slo - m.cpuLatency(vcpu, b, 'average');
          if (timeout < 0) continue;
          if (b === 1) timeout = 0;
          const k = expectedBatch(b, [timeout], [app.rate]);
          const cost = m.costPerRequest(f, m.cpuLatency(vcpu, k, 'average'), k);
          if (best === undefined || cost < best.costPerRequest) best = { function: f, batch: b, timeouts: [timeout], expectedBatch: k, costPerRequest: cost };
        }
      }
      if (best === undefined) {
        const vcpu = vcpus[vcpus.length - 1];
        const f = m.cpuFunction(vcpu, 1) as FunctionInstance;
        best = { function: f, batch: 1, timeouts: [0], expectedBatch: 1, costPerRequest: m.costPerRequest(f, m.cpuLatency(vcpu, 1, 'average'), 1) };
      }
      return { members: [i], config: best, share: app.rate / total, rate: app.rate };
    });
    return this.finish('batch', groups, []);
  }

  private finish(algorithm: PlanAlgorithm, groups: readonly Group[], costHistory: number[]): Plan {
    const plans = groups.map((g) => ({ apps: g.members, share: g.share, rate: g.rate, ...g.config }));
    return {
      algorithm,
      model: this.model.name,
      groups: plans,
      totalCostPerRequest: plans.reduce((s, g) => s + g.costPerRequest * g.share, 0),
      costHistory,
    };
  }
}

interface Group {
  members: number[];
  config: FunctionConfig;
  share: number;
  rate: number;
}
