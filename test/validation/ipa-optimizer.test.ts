import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planIpa, type FeasiblePlan, type PlanOptions } from '../../src/adapters/ipa/optimizer.js';
import { combineAccuracy, stageAccuracies } from '../../src/profiles/accuracy.js';
import { shippedPipelines, resolvePipelineProfile } from '../../src/profiles/catalog.js';
import type { PipelineProfile } from '../../src/profiles/pipeline-profile.js';

interface BruteResult {
  objective: number;
  configs: string[]; // every configuration reaching the best objective (within 1e-12 relative)
}

/**
 * The reference: every variant, every batch size under the cap, every replica count from 1 to
 * the cap (or the locked one), checked against the constraints as IPA states them.
 */
function bruteForce(profile: PipelineProfile, o: PlanOptions): BruteResult | undefined {
  const S = profile.stages.length;
  const accs = profile.stages.map((s) => stageAccuracies(s, o.normalize));
  type Pick = { key: string; latency: number; cost: number; batch: number; accuracy: number };
  const picks: Pick[][] = profile.stages.map((stage, s) => {
    const out: Pick[] = [];
    stage.variants.forEach((v, vi) => {
      if (o.mode === 'scale' && v.name !== o.locked![s].variant) return;
      for (const b of v.batches) {
        if (b.size > o.batchCap) continue;
        const queue = b.size === 1 ? 0 : o.rate > 0 ? (b.size - 1) / o.rate : Infinity;
        const counts = o.mode === 'switch' ? [o.locked![s].replicas] : Array.from({ length: o.replicaCap }, (_, i) => i + 1);
        for (const n of counts) {
          if (n * b.throughput < o.rate) continue;
          out.push({ key: `${v.name}/${b.size}/${n}`, latency: b.latency + queue, cost: n * v.cores, batch: b.size, accuracy: accs[s][vi] });
        }
      }
    });
    return out;
  });
  let best: BruteResult | undefined;
  const chosen: Pick[] = [];
  const visit = (s: number, latency: number) => {
    if (latency > o.sla) return;
    if (s === S) {
      let cost = 0;
      let batch = 0;
      for (const p of chosen) {
        cost += p.cost;
        batch += p.batch;
      }
      const objective = o.alpha * combineAccuracy(chosen.map((p) => p.accuracy), o.accuracyMethod) - o.beta * cost - o.gamma * batch;
      const key = chosen.map((p) => p.key).join(' ');
      const tol = 1e-12 * Math.max(1, Math.abs(objective));
      if (best === undefined || objective > best.objective + tol) best = { objective, configs: [key] };
      else if (Math.abs(objective - best.objective) <= tol) best.configs.push(key);
      return;
    }
    for (const p of picks[s]) {
      chosen[s] = p;
      visit(s + 1, latency + p.latency);
    }
  };
  visit(0, 0);
  return best;
}

const key = (plan: FeasiblePlan) => plan.stages.map((s) => `${s.variant}/${s.batch}/${s.replicas}`).join(' ');

function checkAgainstBruteForce(profile: PipelineProfile, o: PlanOptions): void {
  const plan = planIpa(profile, o);
  const ref = bruteForce(profile, o);
  expect(plan.feasible).toBe(ref !== undefined);
  if (!plan.feasible || ref === undefined) return;
  expect(plan.objective).toBeCloseTo(ref.objective, 9);
  expect(ref.configs).toContain(key(plan));
  if (ref.configs.length === 1) expect(key(plan)).toBe(ref.configs[0]);
  // The plan meets its own constraints.
  expect(plan.latency).toBeLessThanOrEqual(o.sla);
  for (const s of plan.stages) expect(s.throughput).toBeGreaterThanOrEqual(o.rate);
}

/** A random small profile: latency grows with batch and with the variant index (heavier = slower, more accurate). */
const arbProfile = fc
  .record({
    stages: fc.array(
      fc.record({
        variants: fc.array(
          fc.record({
            accuracy: fc.integer({ min: -50, max: 99 }),
            cores: fc.integer({ min: 1, max: 4 }),
            base: fc.double({ min: 0.005, max: 0.5, noNaN: true }),
            perItem: fc.double({ min: 0.001, max: 0.2, noNaN: true }),
            batches: fc.subarray([1, 2, 4, 8], { minLength: 1 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    sla: fc.double({ min: 0.05, max: 3, noNaN: true }),
  })
  .map(({ stages, sla }): PipelineProfile => ({
    pipeline: 'random',
    sla,
    stages: stages.map((s, si) => ({
      name: `s${si}`,
      variants: s.variants.map((v, vi) => ({
        name: `v${vi}`,
        accuracy: v.accuracy,
        cores: v.cores,
        batches: v.batches.map((size) => {
          const latency = v.base + v.perItem * size;
          return { size, latency, latencyMean: latency * 0.8, throughput: size / (latency * 0.8), source: 'derived' as const };
        }),
      })),
    })),
  }));

const arbOptions = (profile: PipelineProfile) =>
  fc.record({
    rate: fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 60, noNaN: true })),
    mode: fc.constantFrom('ipa' as const, 'scale' as const, 'switch' as const),
    alpha: fc.double({ min: 0, max: 10, noNaN: true }),
    beta: fc.double({ min: 0, max: 2, noNaN: true }),
    gamma: fc.constantFrom(0, 1e-6, 0.01),
    accuracyMethod: fc.constantFrom('sum' as const, 'average' as const, 'product' as const),
    normalize: fc.constantFrom('none' as const, 'rank' as const),
    batchCap: fc.constantFrom(1, 2, 4, 8),
    replicaCap: fc.integer({ min: 1, max: 5 }),
    lockedVariant: fc.array(fc.nat(), { minLength: profile.stages.length, maxLength: profile.stages.length }),
    lockedReplicas: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: profile.stages.length, maxLength: profile.stages.length }),
  }).map((r): PlanOptions => ({
    rate: r.rate,
    sla: profile.sla,
    mode: r.mode,
    alpha: r.alpha,
    beta: r.beta,
    gamma: r.gamma,
    accuracyMethod: r.accuracyMethod,
    normalize: r.normalize,
    batchCap: r.batchCap,
    replicaCap: r.replicaCap,
    locked: profile.stages.map((s, i) => ({ variant: s.variants[r.lockedVariant[i] % s.variants.length].name, replicas: r.lockedReplicas[i] })),
  }));

describe('IPA optimizer against brute force', () => {
  it('finds the same optimum as full enumeration on random small instances', () => {
    fc.assert(
      fc.property(
        arbProfile.chain((p) => arbOptions(p).map((o) => [p, o] as const)),
        ([profile, options]) => checkAgainstBruteForce(profile, options),
      ),
      { numRuns: 1500, seed: 20261125 },
    );
  });

  it('scale mode never changes the variants, switch mode never changes the replicas', () => {
    fc.assert(
      fc.property(
        arbProfile.chain((p) => arbOptions(p).map((o) => [p, o] as const)),
        ([profile, options]) => {
          const scale = planIpa(profile, { ...options, mode: 'scale' });
          if (scale.feasible) scale.stages.forEach((s, i) => expect(s.variant).toBe(options.locked![i].variant));
          const sw = planIpa(profile, { ...options, mode: 'switch' });
          if (sw.feasible) sw.stages.forEach((s, i) => expect(s.replicas).toBe(options.locked![i].replicas));
        },
      ),
      { numRuns: 500, seed: 7 },
    );
  });

  const shipped = shippedPipelines();
  it.runIf(shipped.length > 0)('matches brute force on every shipped pipeline at a range of loads (replica cap 30)', () => {
    for (const name of shipped) {
      const profile = resolvePipelineProfile(name);
      const d = profile.defaults!;
      for (const rate of [1, 5, 10, 20, 30]) {
        for (const accuracyMethod of ['sum', 'product'] as const) {
          checkAgainstBruteForce(profile, { ...d, accuracyMethod, rate, sla: profile.sla, mode: 'ipa', replicaCap: 30 });
        }
      }
    }
  });
});

describe('the queueing term and the SLA bind where they should', () => {
  // One stage, two variants. At 10 requests/s:
  //   light (acc 50, 1 core): batch 1 latency 0.05 s, throughput 20/s -> 1 replica, latency 0.050 s
  //   heavy (acc 90, 2 cores): batch 1: 0.2 s, 5/s -> 2 replicas, 4 cores, latency 0.200 s
  //                            batch 4: 0.35 s, 11.43/s -> 1 replica, 2 cores, latency 0.35 + 3/10 = 0.650 s
  // With alpha 1, beta 0.1, raw accuracy: light 0.5 - 0.1 = 0.4; heavy b1 0.9 - 0.4 = 0.5; heavy b4 0.9 - 0.2 = 0.7.
  const profile: PipelineProfile = {
    pipeline: 'hand',
    sla: 1,
    stages: [
      {
        name: 'only',
        variants: [
          { name: 'light', accuracy: 50, cores: 1, batches: [{ size: 1, latency: 0.05, latencyMean: 0.05, throughput: 20, source: 'derived' }] },
          {
            name: 'heavy',
            accuracy: 90,
            cores: 2,
            batches: [
              { size: 1, latency: 0.2, latencyMean: 0.2, throughput: 5, source: 'derived' },
              { size: 4, latency: 0.35, latencyMean: 0.35, throughput: 4 / 0.35, source: 'derived' },
            ],
          },
        ],
      },
    ],
  };
  const base: PlanOptions = { rate: 10, sla: 0.65, mode: 'ipa', alpha: 1, beta: 0.1, gamma: 0, accuracyMethod: 'sum', normalize: 'none', batchCap: 8, replicaCap: 10 };

  it('at an SLA of exactly 650 ms the batched heavy variant fits (0.35 s + 3 requests / 10 per s)', () => {
    const plan = planIpa(profile, base) as FeasiblePlan;
    expect(plan.stages[0]).toMatchObject({ variant: 'heavy', batch: 4, replicas: 1, cores: 2 });
    expect(plan.latency).toBeCloseTo(0.65, 12);
    expect(plan.objective).toBeCloseTo(0.7, 12);
  });

  it('1 ms less and the plan changes to the unbatched heavy variant on two replicas', () => {
    const plan = planIpa(profile, { ...base, sla: 0.649 }) as FeasiblePlan;
    expect(plan.stages[0]).toMatchObject({ variant: 'heavy', batch: 1, replicas: 2, cores: 4 });
    expect(plan.objective).toBeCloseTo(0.5, 12);
  });

  it('below 200 ms only the light variant is left; below 50 ms nothing is, with the smallest feasible SLA reported', () => {
    expect((planIpa(profile, { ...base, sla: 0.199 }) as FeasiblePlan).stages[0].variant).toBe('light');
    const none = planIpa(profile, { ...base, sla: 0.049 });
    expect(none.feasible).toBe(false);
    if (!none.feasible) {
      expect(none.minimumSla).toBeCloseTo(0.05, 12);
      expect(none.reason).toMatch(/no configuration meets the 0.049 s SLA/);
    }
  });

  it('reports the largest feasible rate when the load is too high, and that rate is feasible', () => {
    const tooMuch = planIpa(profile, { ...base, rate: 500 });
    expect(tooMuch.feasible).toBe(false);
    if (tooMuch.feasible) return;
    // light: 10 replicas x 20/s = 200/s at 0.05 s; heavy b4: 10 x 11.43 = 114/s. The best is 200/s.
    expect(tooMuch.maximumRate).toBeCloseTo(200, 9);
    expect(tooMuch.minimumSla).toBe(Infinity);
    expect(tooMuch.reason).toMatch(/stage only cannot keep up with at most 10 replicas/);
    expect(planIpa(profile, { ...base, rate: tooMuch.maximumRate }).feasible).toBe(true);
    expect(planIpa(profile, { ...base, rate: tooMuch.maximumRate * 1.0001 }).feasible).toBe(false);
  });

  it('at zero load only unbatched configurations are feasible', () => {
    const plan = planIpa(profile, { ...base, rate: 0, sla: 1 }) as FeasiblePlan;
    expect(plan.stages[0]).toMatchObject({ variant: 'heavy', batch: 1, replicas: 1 });
  });

  it('rejects impossible options', () => {
    expect(() => planIpa(profile, { ...base, mode: 'scale' })).toThrow(/needs the current variant/);
    expect(() => planIpa(profile, { ...base, mode: 'scale', locked: [{ variant: 'huge', replicas: 1 }] })).toThrow(/has no variant huge/);
    expect(() => planIpa(profile, { ...base, batchCap: 0 })).toThrow(/batch cap/);
  });
});

describe('accuracy normalisation', () => {
  const stage = {
    name: 's',
    variants: [70, 50, 90, 50].map((accuracy, i) => ({ name: `v${i}`, accuracy, cores: 1, batches: [] })),
  };
  it('rank gives 0..1 by accuracy (ties by name); none gives accuracy / 100', () => {
    expect(stageAccuracies(stage, 'rank')).toEqual([2 / 3, 0, 1, 1 / 3]);
    expect(stageAccuracies(stage, 'none')).toEqual([0.7, 0.5, 0.9, 0.5]);
    expect(stageAccuracies({ ...stage, variants: [stage.variants[0]] }, 'rank')).toEqual([1]);
  });
  it('combines by sum, average and product', () => {
    expect(combineAccuracy([0.5, 0.8], 'sum')).toBeCloseTo(1.3, 15);
    expect(combineAccuracy([0.5, 0.8], 'average')).toBeCloseTo(0.65, 15);
    expect(combineAccuracy([0.5, 0.8], 'product')).toBeCloseTo(0.4, 15);
  });
});
