import { RandomStream } from '../engine/random.js';
import type { CountTrace } from './trace.js';

/**
 * Synthetic per-second count traces. Each pattern defines a rate curve
 * lambda(t) in requests/s; the count of second t is Poisson(lambda(t)), drawn
 * from the given seeded stream, so a (pattern, options, seed) triple always
 * gives the same trace.
 */
export const TRACE_PATTERNS = ['steady', 'bursty', 'fluctuating', 'diurnal'] as const;
export type TracePattern = (typeof TRACE_PATTERNS)[number];

export interface GeneratorOptions {
  pattern: TracePattern;
  /** Length in seconds. */
  duration: number;
  /** Mean (steady, fluctuating, diurnal) or base (bursty) rate, requests/s. */
  rate: number;
  /** bursty: rate multiplier during a burst. */
  burstFactor?: number;
  /** bursty: mean seconds between burst starts (exponential). */
  burstInterval?: number;
  /** bursty: mean burst length in seconds (exponential). */
  burstLength?: number;
  /** fluctuating: relative amplitude of the swings (0..1). */
  amplitude?: number;
  /** fluctuating, diurnal: period in seconds of the main cycle. */
  period?: number;
  /** diurnal: ratio of the peak rate to the trough rate. */
  peakToTrough?: number;
}

export const GENERATOR_DEFAULTS = {
  burstFactor: 3,
  burstInterval: 120,
  burstLength: 20,
  amplitude: 0.5,
  fluctuatingPeriod: 300,
  diurnalPeriod: 86_400,
  peakToTrough: 4,
} as const;

export function generateTrace(options: GeneratorOptions, rng: RandomStream): CountTrace {
  const rates = rateCurve(options, rng);
  const counts = new Uint32Array(rates.length);
  for (let t = 0; t < rates.length; t++) counts[t] = rng.poisson(rates[t]);
  return counts;
}

/** The rate curve lambda(t), one value per second. */
function rateCurve(o: GeneratorOptions, rng: RandomStream): Float64Array {
  const n = Math.max(1, Math.round(o.duration));
  const rates = new Float64Array(n);
  switch (o.pattern) {
    case 'steady':
      rates.fill(o.rate);
      break;
    case 'bursty': {
      // A two-state on/off modulation: base rate, and bursts of factor x base
      // starting after exponential gaps and lasting exponential lengths.
      const factor = o.burstFactor ?? GENERATOR_DEFAULTS.burstFactor;
      const interval = o.burstInterval ?? GENERATOR_DEFAULTS.burstInterval;
      const length = o.burstLength ?? GENERATOR_DEFAULTS.burstLength;
      let t = 0;
      while (t < n) {
        const quiet = rng.exponential(interval);
        const burst = rng.exponential(length);
        for (let s = Math.floor(t); s < n && s < t + quiet; s++) rates[s] = o.rate;
        for (let s = Math.floor(t + quiet); s < n && s < t + quiet + burst; s++) rates[s] = o.rate * factor;
        t += quiet + burst;
      }
      break;
    }
    case 'fluctuating': {
      // Two incommensurate sinusoids with random phases, so the swings do not repeat exactly.
      const amplitude = o.amplitude ?? GENERATOR_DEFAULTS.amplitude;
      const period = o.period ?? GENERATOR_DEFAULTS.fluctuatingPeriod;
      const phase1 = rng.between(0, 2 * Math.PI);
      const phase2 = rng.between(0, 2 * Math.PI);
      for (let s = 0; s < n; s++) {
        const wave =
          0.7 * Math.sin((2 * Math.PI * s) / period + phase1) +
          0.3 * Math.sin((2 * Math.PI * s) / (period * 0.382) + phase2);
        rates[s] = Math.max(0, o.rate * (1 + amplitude * wave));
      }
      break;
    }
    case 'diurnal': {
      // One smooth daily cycle: trough at t = 0, peak half a period later.
      const ratio = o.peakToTrough ?? GENERATOR_DEFAULTS.peakToTrough;
      const period = o.period ?? GENERATOR_DEFAULTS.diurnalPeriod;
      const a = (ratio - 1) / (ratio + 1);
      for (let s = 0; s < n; s++) rates[s] = o.rate * (1 - a * Math.cos((2 * Math.PI * s) / period));
      break;
    }
  }
  return rates;
}
