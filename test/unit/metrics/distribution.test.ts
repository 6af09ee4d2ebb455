import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../src/engine/random.js';
import { readScenarioOfKind } from '../../../src/kinds/load.js';
import { simulate } from '../../../src/kinds/pipeline/simulate.js';
import { Distribution, EXACT_QUANTILES_UP_TO } from '../../../src/metrics/distribution.js';

const nearestRank = (sorted: Float64Array, q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];

describe('Distribution quantiles', () => {
  it('are exact (nearest rank) while the values fit, then within the sketch accuracy', () => {
    const rng = new RandomStreams(3).stream('d');
    const values = Float64Array.from({ length: EXACT_QUANTILES_UP_TO + 50_000 }, () => rng.exponential(0.1));
    const small = new Distribution(0.001);
    for (const v of values.subarray(0, 10_000)) small.add(v);
    expect(small.exactQuantiles).toBe(true);
    const sortedSmall = values.slice(0, 10_000).sort();
    for (const q of [0.5, 0.9, 0.95, 0.99]) expect(small.quantile(q)).toBe(nearestRank(sortedSmall, q));
    // Values added after a quantile was read are counted too.
    small.add(1e6);
    expect(small.quantile(1)).toBe(1e6);

    const big = new Distribution(0.001);
    for (const v of values) big.add(v);
    expect(big.exactQuantiles).toBe(false);
    const sorted = values.slice().sort();
    for (const q of [0.5, 0.99]) expect(Math.abs(big.quantile(q) / nearestRank(sorted, q) - 1)).toBeLessThan(0.002);
  });

  it('tails of two seeds differ as they really do (a 1% sketch gave seeds 1 and 2 of the quickstart the same p99)', () => {
    const base = readScenarioOfKind('pipeline', 'scenarios/quickstart.yaml');
    const p99 = (seed: number) => simulate({ ...base, seed }).summary.latency.p99;
    expect(p99(1)).not.toBe(p99(2));
  });
});
