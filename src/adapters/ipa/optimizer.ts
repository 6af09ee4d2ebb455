import { InputError } from '../../errors.js';
import { combineAccuracy, stageAccuracies, type AccuracyMethod, type AccuracyNormalization } from '../../profiles/accuracy.js';
import type { PipelineProfile } from '../../profiles/pipeline-profile.js';

/**
 * IPA's configuration problem, solved exactly.
 *
 * Choose for every stage s a variant v_s, a batch size b_s and a replica count n_s to maximise
 *
 *   alpha * A(v) - beta * sum_s n_s * cores(v_s) - gamma * sum_s b_s
 *
 * subject to   sum_s [ latency(v_s, b_s) + (b_s - 1) / rate ] <= sla        (end-to-end latency)
 *              n_s * throughput(v_s, b_s) >= rate          for every s       (no stage is a bottleneck)
 *              1 <= n_s <= replicaCap,  b_s <= batchCap,  b_s a profiled batch size,
 *
 * where latency is the p99 batch latency, (b - 1) / rate the time the first request of a batch
 * waits for the batch to fill, and A combines the stage accuracies (sum, average or product).
 *
 * Mode `scale` (the FA2 baselines) locks each stage's variant; mode `switch` (RIM) locks its
 * replica count. Both are constraints on the same search.
 *
 * Method: for a given (variant, batch) the objective only falls with more replicas, so the
 * best replica count is the smallest that carries the rate (or the locked one). That leaves a
 * few options per stage; options dominated in every criterion are dropped, and a depth-first
 * search over stages prunes on the latency budget and on an upper bound of the objective.
 * Every complete plan is scored by the same function as the brute-force reference.
 *
 * Ties (equal objective) are broken deterministically, in this order: lower cost, smaller
 * total batch, higher total accuracy, lower end-to-end latency, then the earlier variant, batch
 * and replica count in profile order, stage by stage.
 */
export type PlanMode = 'ipa' | 'scale' | 'switch';

export interface PlanOptions {
  rate: number;
  sla: number;
  mode: PlanMode;
  alpha: number;
  beta: number;
  gamma: number;
  accuracyMethod: AccuracyMethod;
  normalize: AccuracyNormalization;
  batchCap: number;
  replicaCap: number;
  /** The current configuration, one entry per stage: the variant `scale` locks and the replicas `switch` locks. */
  locked?: readonly { variant: string; replicas: number }[];
}

export interface StagePlan {
  name: string;
  variant: string;
  batch: number;
  replicas: number;
  /** Cores of all replicas. */
  cores: number;
  /** p99 latency of one batch. */
  modelLatency: number;
  /** (batch - 1) / rate: waiting for the batch to fill. */
  queueing: number;
  /** modelLatency + queueing. */
  latency: number;
  /** Throughput of all replicas, requests per second. */
  throughput: number;
  /** The variant's accuracy as the objective sees it. */
  accuracy: number;
}

export interface FeasiblePlan {
  feasible: true;
  objective: number;
  accuracy: number;
  cost: number;
  /** End-to-end latency bound: sum of stage latencies. */
  latency: number;
  batchSum: number;
  stages: StagePlan[];
}

export interface InfeasiblePlan {
  feasible: false;
  reason: string;
  /** Smallest SLA for which this rate has a plan (Infinity if no SLA would do: some stage cannot carry the rate). */
  minimumSla: number;
  /** Largest rate that has a plan under this SLA (0 if none). */
  maximumRate: number;
}

export type Plan = FeasiblePlan | InfeasiblePlan;

/** One candidate configuration of one stage. */
interface Option {
  variantIndex: number;
  batchIndex: number;
  batch: number;
  replicas: number;
  cost: number;
  modelLatency: number;
  latency: number;
  throughput: number;
  accuracy: number;
}

/** Check options and report the first problem in terms of the user's flags. */
export function validatePlanOptions(profile: PipelineProfile, o: PlanOptions): void {
  const bad = (what: string) => {
    throw new InputError(what);
  };
  if (!(o.rate >= 0) || !Number.isFinite(o.rate)) bad(`rate must be a number >= 0, got ${o.rate}`);
  if (!(o.sla > 0)) bad(`sla must be > 0 seconds, got ${o.sla}`);
  if (!Number.isInteger(o.batchCap) || o.batchCap < 1) bad(`batch cap must be a positive integer, got ${o.batchCap}`);
  if (!Number.isInteger(o.replicaCap) || o.replicaCap < 1) bad(`replica cap must be a positive integer, got ${o.replicaCap}`);
  for (const k of ['alpha', 'beta', 'gamma'] as const) if (!(o[k] >= 0)) bad(`${k} must be >= 0, got ${o[k]}`);
  if (o.mode !== 'ipa') {
    if (!o.locked || o.locked.length !== profile.stages.length) bad(`mode ${o.mode} needs the current variant and replicas of all ${profile.stages.length} stages`);
    o.locked!.forEach((l, s) => {
      if (!profile.stages[s].variants.some((v) => v.name === l.variant)) {
        bad(`stage ${profile.stages[s].name} has no variant ${l.variant} (has ${profile.stages[s].variants.map((v) => v.name).join(', ')})`);
      }
      if (!Number.isInteger(l.replicas) || l.replicas < 1) bad(`stage ${profile.stages[s].name}: locked replicas must be a positive integer, got ${l.replicas}`);
    });
  }
}

/** Queueing term (b - 1) / rate; at zero rate a batch of more than one never fills. */
function queueingDelay(batch: number, rate: number): number {
  if (batch === 1) return 0;
  return rate > 0 ? (batch - 1) / rate : Infinity;
}

/** All options of one stage that can carry the rate, replicas at their best (smallest or locked) value. */
function stageOptions(profile: PipelineProfile, s: number, o: PlanOptions, accuracies: number[]): Option[] {
  const stage = profile.stages[s];
  const options: Option[] = [];
  stage.variants.forEach((variant, vi) => {
    if (o.mode === 'scale' && variant.name !== o.locked![s].variant) return;
    variant.batches.forEach((b, bi) => {
      if (b.size > o.batchCap) return;
      let replicas: number;
      if (o.mode === 'switch') {
        replicas = o.locked![s].replicas;
        if (replicas * b.throughput < o.rate) return;
      } else {
        replicas = Math.max(1, Math.ceil(o.rate / b.throughput));
        // ceil can land one short through rounding of rate/throughput; make the constraint exact.
        while (replicas * b.throughput < o.rate) replicas++;
        if (replicas > o.replicaCap) return;
      }
      const queueing = queueingDelay(b.size, o.rate);
      options.push({
        variantIndex: vi,
        batchIndex: bi,
        batch: b.size,
        replicas,
        cost: replicas * variant.cores,
        modelLatency: b.latency,
        latency: b.latency + queueing,
        throughput: replicas * b.throughput,
        accuracy: accuracies[vi],
      });
    });
  });
  return options;
}

/** A complete choice (one option per stage) scored exactly as the brute-force reference scores it. */
export interface Scored {
  objective: number;
  cost: number;
  batchSum: number;
  accuracySum: number;
  latency: number;
  accuracy: number;
}

export function scoreChoice(choice: readonly Option[], o: PlanOptions): Scored {
  let cost = 0;
  let batchSum = 0;
  let accuracySum = 0;
  let latency = 0;
  const accs: number[] = [];
  for (const opt of choice) {
    cost += opt.cost;
    batchSum += opt.batch;
    accuracySum += opt.accuracy;
    latency += opt.latency;
    accs.push(opt.accuracy);
  }
  const accuracy = combineAccuracy(accs, o.accuracyMethod);
  return { objective: o.alpha * accuracy - o.beta * cost - o.gamma * batchSum, cost, batchSum, accuracySum, latency, accuracy };
}

/** True if plan a is preferred to plan b (see the tie-break order above). */
function better(a: Scored, aChoice: readonly Option[], b: Scored, bChoice: readonly Option[]): boolean {
  if (a.objective !== b.objective) return a.objective > b.objective;
  if (a.cost !== b.cost) return a.cost < b.cost;
  if (a.batchSum !== b.batchSum) return a.batchSum < b.batchSum;
  if (a.accuracySum !== b.accuracySum) return a.accuracySum > b.accuracySum;
  if (a.latency !== b.latency) return a.latency < b.latency;
  for (let s = 0; s < aChoice.length; s++) {
    const x = aChoice[s];
    const y = bChoice[s];
    if (x.variantIndex !== y.variantIndex) return x.variantIndex < y.variantIndex;
    if (x.batchIndex !== y.batchIndex) return x.batchIndex < y.batchIndex;
    if (x.replicas !== y.replicas) return x.replicas < y.replicas;
  }
  return false;
}

/**
 * Drop options that another option of the same stage beats or equals in latency, accuracy,
 * cost and batch, and beats in at least one: such an option can never be in the preferred plan
 * (swapping it for its dominator keeps the plan feasible and wins the objective or a tie-break).
 * For the product method this holds only when no accuracy is negative, so it is skipped then.
 */
function pruneDominated(options: Option[]): Option[] {
  return options.filter(
    (o) =>
      !options.some(
        (p) =>
          p !== o &&
          p.latency <= o.latency &&
          p.accuracy >= o.accuracy &&
          p.cost <= o.cost &&
          p.batch <= o.batch &&
          (p.latency < o.latency || p.accuracy > o.accuracy || p.cost < o.cost || p.batch < o.batch),
      ),
  );
}

export function planIpa(profile: PipelineProfile, o: PlanOptions): Plan {
  validatePlanOptions(profile, o);
  const S = profile.stages.length;
  const accuracies = profile.stages.map((st) => stageAccuracies(st, o.normalize));
  const negative = accuracies.some((a) => a.some((x) => x < 0));
  const canPrune = o.accuracyMethod !== 'product' || !negative;
  const perStage = profile.stages.map((_, s) => {
    const all = stageOptions(profile, s, o, accuracies[s]);
    const kept = canPrune ? pruneDominated(all) : all;
    return kept.sort((a, b) => a.latency - b.latency);
  });
  if (perStage.some((opts) => opts.length === 0) || perStage.some((opts) => !Number.isFinite(opts[0].latency))) {
    return infeasible(profile, o, accuracies);
  }

  // Smallest latency the remaining stages need, and bounds on what they can still add to the objective.
  const minLatencyAfter = new Float64Array(S + 1);
  for (let s = S - 1; s >= 0; s--) minLatencyAfter[s] = minLatencyAfter[s + 1] + perStage[s][0].latency;
  if (minLatencyAfter[0] > o.sla) return infeasible(profile, o, accuracies);
  const maxAcc = perStage.map((opts) => Math.max(...opts.map((x) => x.accuracy)));
  const minPenalty = perStage.map((opts) => Math.min(...opts.map((x) => o.beta * x.cost + o.gamma * x.batch)));
  const boundable = o.accuracyMethod !== 'product' || !negative;

  const choice: Option[] = new Array(S);
  let best: { scored: Scored; choice: Option[] } | undefined;
  const accuracyBound = (s: number, accSoFar: number, penaltySoFar: number): number => {
    let penalty = penaltySoFar;
    for (let t = s; t < S; t++) penalty += minPenalty[t];
    let acc: number;
    if (o.accuracyMethod === 'product') {
      acc = accSoFar;
      for (let t = s; t < S; t++) acc *= maxAcc[t];
    } else {
      acc = accSoFar;
      for (let t = s; t < S; t++) acc += maxAcc[t];
      if (o.accuracyMethod === 'average') acc /= S;
    }
    return o.alpha * acc - penalty;
  };

  const visit = (s: number, latency: number, accSoFar: number, penaltySoFar: number) => {
    if (s === S) {
      const scored = scoreChoice(choice, o);
      if (best === undefined || better(scored, choice, best.scored, best.choice)) best = { scored, choice: choice.slice() };
      return;
    }
    // An upper bound strictly below the best found cannot win, not even on a tie-break.
    if (boundable && best !== undefined && accuracyBound(s, accSoFar, penaltySoFar) < best.scored.objective - 1e-9 * Math.abs(best.scored.objective)) return;
    for (const opt of perStage[s]) {
      // Options are sorted by latency: once one breaks the budget, all later ones do.
      if (latency + opt.latency + minLatencyAfter[s + 1] > o.sla) break;
      choice[s] = opt;
      const acc = o.accuracyMethod === 'product' ? accSoFar * opt.accuracy : accSoFar + opt.accuracy;
      visit(s + 1, latency + opt.latency, acc, penaltySoFar + o.beta * opt.cost + o.gamma * opt.batch);
    }
  };
  visit(0, 0, o.accuracyMethod === 'product' ? 1 : 0, 0);
  if (best === undefined) return infeasible(profile, o, accuracies);
  return describe(profile, best.choice, best.scored);
}

function describe(profile: PipelineProfile, choice: readonly Option[], scored: Scored): FeasiblePlan {
  return {
    feasible: true,
    objective: scored.objective,
    accuracy: scored.accuracy,
    cost: scored.cost,
    latency: scored.latency,
    batchSum: scored.batchSum,
    stages: choice.map((opt, s) => {
      const variant = profile.stages[s].variants[opt.variantIndex];
      return {
        name: profile.stages[s].name,
        variant: variant.name,
        batch: opt.batch,
        replicas: opt.replicas,
        cores: opt.cost,
        modelLatency: opt.modelLatency,
        queueing: opt.latency - opt.modelLatency,
        latency: opt.latency,
        throughput: opt.throughput,
        accuracy: opt.accuracy,
      };
    }),
  };
}

/**
 * Why there is no plan, with the two numbers that would make one: the smallest SLA that admits
 * a plan at this rate, and the largest rate that admits one under this SLA.
 */
function infeasible(profile: PipelineProfile, o: PlanOptions, accuracies: number[][]): InfeasiblePlan {
  const perStage = profile.stages.map((_, s) => stageOptions(profile, s, o, accuracies[s]));
  const minimumSla = perStage.reduce((sum, opts) => sum + (opts.length === 0 ? Infinity : Math.min(...opts.map((x) => x.latency))), 0);
  const maximumRate = largestFeasibleRate(profile, o);
  const blocked = perStage.map((opts, s) => (opts.length === 0 ? profile.stages[s].name : undefined)).filter((x) => x !== undefined);
  const reason =
    blocked.length > 0
      ? `at ${o.rate} requests/s stage${blocked.length > 1 ? 's' : ''} ${blocked.join(', ')} cannot keep up with ${o.mode === 'switch' ? 'the locked replicas' : `at most ${o.replicaCap} replicas`}`
      : `no configuration meets the ${o.sla} s SLA at ${o.rate} requests/s (the fastest needs ${minimumSla.toPrecision(4)} s)`;
  return { feasible: false, reason, minimumSla, maximumRate };
}

/**
 * The largest rate with a plan under the SLA. For fixed (variant, batch) per stage the plan is
 * feasible for rates in [sum(b-1) / (sla - sum latency), min_s maxReplicas * throughput_s];
 * the answer is the largest upper end over all choices whose interval is not empty.
 */
function largestFeasibleRate(profile: PipelineProfile, o: PlanOptions): number {
  type Pick = { latency: number; extraBatch: number; capacity: number };
  const perStage: Pick[][] = profile.stages.map((stage, s) => {
    const picks: Pick[] = [];
    for (const variant of stage.variants) {
      if (o.mode === 'scale' && variant.name !== o.locked![s].variant) continue;
      const maxReplicas = o.mode === 'switch' ? o.locked![s].replicas : o.replicaCap;
      for (const b of variant.batches) {
        if (b.size <= o.batchCap) picks.push({ latency: b.latency, extraBatch: b.size - 1, capacity: maxReplicas * b.throughput });
      }
    }
    return picks;
  });
  let best = 0;
  const visit = (s: number, latency: number, extraBatch: number, capacity: number) => {
    if (latency > o.sla || capacity <= best) return;
    if (s === perStage.length) {
      const slack = o.sla - latency;
      const lowest = extraBatch === 0 ? 0 : slack > 0 ? extraBatch / slack : Infinity;
      if (lowest <= capacity) best = capacity;
      return;
    }
    for (const p of perStage[s]) visit(s + 1, latency + p.latency, extraBatch + p.extraBatch, Math.min(capacity, p.capacity));
  };
  visit(0, 0, 0, Infinity);
  return best;
}
