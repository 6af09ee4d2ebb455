// IPA optimizer decision time on the size the issue names: 3 stages x 6 variants x 7 batch
// sizes, up to 100 replicas per stage. A synthetic profile in the shape of real ones
// (heavier variants slower and more accurate, latency affine in batch), many loads.
import { planIpa } from '../dist/adapters/ipa/optimizer.js';

export function syntheticProfile(stages = 3, variants = 6) {
  const sizes = [1, 2, 4, 8, 16, 32, 64];
  return {
    pipeline: 'bench',
    sla: 3,
    stages: Array.from({ length: stages }, (_, s) => ({
      name: `stage${s}`,
      variants: Array.from({ length: variants }, (_, v) => {
        const base = 0.02 * (1 + v) * (1 + 0.3 * s);
        const perItem = 0.008 * (1 + v);
        return {
          name: `v${v}`,
          accuracy: 50 + 6 * v + s,
          cores: 1 + Math.floor(v / 2),
          batches: sizes.map((size) => {
            const mean = base + perItem * size;
            return { size, latency: mean * 1.3, latencyMean: mean, throughput: size / mean, source: /** @type {const} */ ('derived') };
          }),
        };
      }),
    })),
  };
}

export function benchOptimizer(reps = 200) {
  const profile = syntheticProfile();
  const times = [];
  let feasible = 0;
  for (let i = 0; i < reps; i++) {
    const rate = 5 + ((i * 37) % 400);
    for (const accuracyMethod of /** @type {const} */ (['sum', 'product'])) {
      const start = process.hrtime.bigint();
      const plan = planIpa(profile, { rate, sla: profile.sla, mode: 'ipa', alpha: 2, beta: 1, gamma: 1e-6, accuracyMethod, normalize: 'rank', batchCap: 64, replicaCap: 100 });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (plan.feasible) feasible++;
    }
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], p99Ms: times[Math.floor(times.length * 0.99)], decisions: times.length, feasible };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchOptimizer());
