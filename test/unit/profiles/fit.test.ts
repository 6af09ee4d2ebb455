import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../src/engine/random.js';
import { fitLatencyModel, isExtrapolation, predictLatency, type MeasuredPoint } from '../../../src/profiles/fit.js';

function grid(truth: { alpha: number; beta: number; gamma: number }, noise = 0, seed = 1): MeasuredPoint[] {
  const rng = new RandomStreams(seed).stream('noise');
  const points: MeasuredPoint[] = [];
  for (const batch of [1, 2, 4, 8, 16, 32]) {
    for (const cores of [1, 2, 4, 8]) {
      points.push({ batch, cores, latency: predictLatency(truth, batch, cores) * (1 + noise * rng.normal()) });
    }
  }
  return points;
}

describe('latency model fit (Pollux-style)', () => {
  it('recovers known parameters from exact synthetic points within 1%', () => {
    for (const truth of [
      { alpha: 0.03, beta: 0.012, gamma: 0.72 },
      { alpha: 0.2, beta: 0.001, gamma: 0.35 },
      { alpha: 0.005, beta: 0.05, gamma: 0.95 },
    ]) {
      const fit = fitLatencyModel(grid(truth));
      expect(Math.abs(fit.model.alpha / truth.alpha - 1)).toBeLessThan(0.01);
      expect(Math.abs(fit.model.beta / truth.beta - 1)).toBeLessThan(0.01);
      expect(Math.abs(fit.model.gamma / truth.gamma - 1)).toBeLessThan(0.01);
      expect(fit.maxRelativeError).toBeLessThan(1e-6);
    }
  });

  it('with 2% measurement noise, still within a few percent and reports the error', () => {
    const truth = { alpha: 0.03, beta: 0.012, gamma: 0.72 };
    const fit = fitLatencyModel(grid(truth, 0.02, 7));
    expect(Math.abs(fit.model.gamma - truth.gamma)).toBeLessThan(0.03);
    expect(fit.rmsRelativeError).toBeGreaterThan(0.01);
    expect(fit.rmsRelativeError).toBeLessThan(0.03);
  });

  it('keeps parameters in their bounds when the data pull them out', () => {
    // Latency falling with batch size: the best bounded fit has beta = 0.
    const fit = fitLatencyModel([
      { batch: 1, cores: 1, latency: 0.1 },
      { batch: 4, cores: 1, latency: 0.09 },
      { batch: 1, cores: 2, latency: 0.06 },
    ]);
    expect(fit.model.beta).toBe(0);
    expect(fit.model.alpha).toBeGreaterThan(0);
    expect(fit.model.gamma).toBeGreaterThanOrEqual(0);
    expect(fit.model.gamma).toBeLessThanOrEqual(1);
  });

  it('needs gamma when all points share one core count, and reports extrapolation', () => {
    const points = [1, 2, 8].map((batch) => ({ batch, cores: 2, latency: 0.01 + 0.02 * batch }));
    expect(() => fitLatencyModel(points)).toThrow(/give it/);
    const fit = fitLatencyModel(points, { gamma: 0.5 });
    expect(predictLatency(fit.model, 4, 2)).toBeCloseTo(0.09, 9);
    expect(isExtrapolation(fit, 4, 2)).toBe(false);
    expect(isExtrapolation(fit, 16, 2)).toBe(true);
    expect(isExtrapolation(fit, 4, 4)).toBe(true);
  });
});
