import seedrandom from 'seedrandom';

/**
 * One named, independently seeded stream of random numbers.
 *
 * Built on seedrandom's Alea generator (fast, 2^116 period, passes BigCrush
 * per its authors), seeded from the run seed and the stream's name, so the
 * draws of one component never depend on how many draws another made.
 */
export class RandomStream {
  private readonly uniform: () => number;
  private spareNormal = NaN;

  constructor(readonly name: string, seedText: string) {
    this.uniform = seedrandom.alea(seedText);
  }

  /** Uniform on [0, 1). */
  random(): number {
    return this.uniform();
  }

  /** Uniform on [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.uniform());
  }

  /** Standard normal by the polar Box-Muller method (the second value is kept for the next call). */
  normal(): number {
    if (this.spareNormal === this.spareNormal) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return u * factor;
  }

  /** Lognormal with the given mean and coefficient of variation (std / mean). */
  lognormal(mean: number, cv: number): number {
    const sigma2 = Math.log(1 + cv * cv);
    return mean * Math.exp(Math.sqrt(sigma2) * this.normal() - sigma2 / 2);
  }

  /** Poisson-distributed count with the given mean (multiplication method for small means, Hörmann's PTRS otherwise). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean < 30) {
      // Knuth's multiplication method, fine for small means.
      const limit = Math.exp(-mean);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    return this.poissonPtrs(mean);
  }

  /** Hörmann's PTRS transformed-rejection sampler for Poisson means >= 10. */
  private poissonPtrs(mean: number): number {
    const slam = Math.sqrt(mean);
    const loglam = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logFactorial(k)) {
        return k;
      }
    }
  }
}

function logFactorial(k: number): number {
  if (k < 2) return 0;
  // Stirling series; exact enough for k >= 10 where PTRS uses it, and summed directly below that.
  if (k < 10) {
    let sum = 0;
    for (let i = 2; i <= k; i++) sum += Math.log(i);
    return sum;
  }
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/**
 * The random streams of one run, all derived from one seed.
 * `stream("arrivals")` always returns the same stream object for a name.
 */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number | string) {}

  stream(name: string): RandomStream {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      stream = new RandomStream(name, `pipesim:${this.seed}:${name}`);
      this.streams.set(name, stream);
    }
    return stream;
  }
}
