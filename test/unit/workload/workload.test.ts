import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../src/engine/random.js';
import { collectArrivals, CountTraceArrivals, PoissonArrivals, type ExpandMode } from '../../../src/workload/arrivals.js';
import { generateTrace, TRACE_PATTERNS } from '../../../src/workload/generators.js';
import { formatTimestampTrace, parseTimestampTrace, readTimestampTrace, writeTimestampTrace } from '../../../src/workload/timestamps.js';
import { countTraceStats, parseCountTrace, readCountTrace, writeCountTrace } from '../../../src/workload/trace.js';
import { compressTrace, dampTrace, dropZeroSeconds, scaleTrace, sliceTrace } from '../../../src/workload/transform.js';
import { tempDir } from '../../helpers.js';

const isSorted = (xs: Float64Array) => xs.every((x, i) => i === 0 || x >= xs[i - 1]);
const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);

describe('count traces', () => {
  it('reads one count per line and all counts on one line (IPA layout, trailing space)', () => {
    expect(Array.from(parseCountTrace('3\n0\n12\n'))).toEqual([3, 0, 12]);
    expect(Array.from(parseCountTrace('3 0 12 '))).toEqual([3, 0, 12]);
    expect(Array.from(parseCountTrace('3\r\n0\r\n12'))).toEqual([3, 0, 12]);
  });

  it('names the line and value of a bad count', () => {
    expect(() => parseCountTrace('1\n2\n-3\n', 'x.txt')).toThrow('x.txt: line 3, value 3: expected a non-negative integer count, got "-3"');
    expect(() => parseCountTrace('1 2.5', 'y.txt')).toThrow('y.txt: line 1, value 2');
    expect(() => parseCountTrace('  \n', 'z.txt')).toThrow('z.txt: the trace holds no counts');
    // An empty line between counts would shift every later second: refused; blank lines at the end are not.
    expect(() => parseCountTrace('5\n3\n\n4\n', 'w.txt')).toThrow('w.txt: line 3: an empty line between counts');
    expect(() => parseCountTrace('5\r\n \r\n4', 'w.txt')).toThrow('w.txt: line 2: an empty line between counts');
    expect(Array.from(parseCountTrace('\n5\n3\n\n\n'))).toEqual([5, 3]);
  });

  it('round-trips through a file in both layouts', () => {
    const dir = tempDir();
    const counts = generateTrace({ pattern: 'bursty', rate: 20, duration: 600 }, new RandomStreams(1).stream('w'));
    for (const layout of ['lines', 'single-line'] as const) {
      const path = join(dir, `${layout}.txt`);
      writeCountTrace(path, counts, layout);
      expect(readCountTrace(path)).toEqual(counts);
    }
    expect(readFileSync(join(dir, 'single-line.txt'), 'utf8').split('\n').length).toBe(2);
    // A UTF-8 byte-order mark (Windows editors) is not a character of the first count.
    writeFileSync(join(dir, 'bom.txt'), '\ufeff3 1 4\n');
    expect(Array.from(readCountTrace(join(dir, 'bom.txt')))).toEqual([3, 1, 4]);
  });

  it('slices, damps, scales and compresses', () => {
    const counts = Uint32Array.from([10, 20, 30, 40, 50, 60, 7]);
    expect(Array.from(sliceTrace(counts, 2, 3))).toEqual([30, 40, 50]);
    expect(Array.from(sliceTrace(counts, 5))).toEqual([60, 7]);
    expect(() => sliceTrace(counts, 9, 1)).toThrow(/outside the trace/);
    expect(Array.from(dampTrace(counts, 8))).toEqual([1, 2, 3, 5, 6, 7, 0]);
    // Cumulative rounding: 3.3, 6.6, 9.9, ... rounded running totals 3, 7, 10, ...
    const scaled = scaleTrace(Uint32Array.from([11, 11, 11, 11]), 0.3);
    expect(Array.from(scaled)).toEqual([3, 4, 3, 3]);
    expect(sum(scaled)).toBe(Math.round(44 * 0.3));
    expect(Array.from(compressTrace(counts, 2))).toEqual([30, 70, 110, 7]);
    const c15 = compressTrace(counts, 1.5);
    expect(sum(c15)).toBe(sum(counts));
    expect(c15.length).toBe(5);
    expect(Array.from(dropZeroSeconds(Uint32Array.from([0, 3, 0, 4])))).toEqual([3, 4]);
  });

  it('IPA Twitter trace: 1,899,061 seconds; the bursty segment damped by 8 holds 14,437 requests', () => {
    const path = '../shared/data/ipa/twitter_workload_per_second.txt';
    if (!existsSync(path)) {
      console.warn(`skipped: ${path} is not here (the project runs without ../shared)`);
      return;
    }
    const trace = readCountTrace(path);
    const stats = countTraceStats(trace);
    expect(stats.seconds).toBe(1_899_061);
    expect(stats.max).toBe(388);
    expect(stats.zeroSeconds).toBe(37_899);
    const bursty = dampTrace(sliceTrace(trace, 1_301_160, 1200), 8);
    expect(sum(bursty)).toBe(14_437);
    // And the bundled copy of that segment matches.
    expect(readCountTrace('traces/ipa/bursty.txt')).toEqual(bursty);
  });
});

describe('timestamp traces', () => {
  it('round-trips times, tenants and per-request SLOs', () => {
    const text = 'time,tenant,slo\n0.5,vgg,0.2\n0.75,bert,\n1.25,vgg,0.3\n';
    const trace = parseTimestampTrace(text);
    expect(Array.from(trace.times)).toEqual([0.5, 0.75, 1.25]);
    expect(trace.tenantNames).toEqual(['vgg', 'bert']);
    expect(Array.from(trace.tenants)).toEqual([0, 1, 0]);
    expect(Array.from(trace.slos!)).toEqual([0.2, NaN, 0.3]);
    const path = join(tempDir(), 't.csv');
    writeTimestampTrace(path, trace);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(readTimestampTrace(path)).toEqual(trace);
    expect(formatTimestampTrace(parseTimestampTrace('time\n1\n2\n'))).toBe('time\n1\n2\n');
  });

  it('rejects unsorted, negative and header-less files with the line', () => {
    expect(() => parseTimestampTrace('time\n1\n0.5\n', 'a.csv')).toThrow('a.csv: line 3: time 0.5 is earlier than the row before (1)');
    expect(() => parseTimestampTrace('time\n-1\n', 'b.csv')).toThrow('b.csv: line 2: time: expected a non-negative number');
    expect(() => parseTimestampTrace('t\n1\n', 'c.csv')).toThrow('c.csv: line 1: expected a header with a "time" column');
    // A request keeps its priority class as a 32-bit integer: a larger one would wrap round to a negative, first class.
    expect([...(parseTimestampTrace('time,priority\n1,2147483647\n').priorities ?? [])]).toEqual([2147483647]);
    expect(() => parseTimestampTrace('time,priority\n1,2147483648\n', 'd.csv')).toThrow('d.csv: line 2: priority: expected an integer from 0 to 2147483647, got "2147483648"');
  });
});

describe('generators', () => {
  it('are seeded: same seed same trace, other seed other trace', () => {
    for (const pattern of TRACE_PATTERNS) {
      const a = generateTrace({ pattern, rate: 10, duration: 3600 }, new RandomStreams(1).stream('w'));
      const b = generateTrace({ pattern, rate: 10, duration: 3600 }, new RandomStreams(1).stream('w'));
      const c = generateTrace({ pattern, rate: 10, duration: 3600 }, new RandomStreams(2).stream('w'));
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
    }
  });

  it('hit their mean rates; bursty has bursts, diurnal peaks half a period in', () => {
    const rng = new RandomStreams(4).stream('w');
    const steady = generateTrace({ pattern: 'steady', rate: 50, duration: 20_000 }, rng);
    expect(countTraceStats(steady).mean / 50).toBeCloseTo(1, 2);
    const fluct = generateTrace({ pattern: 'fluctuating', rate: 50, duration: 30_000 }, rng);
    expect(countTraceStats(fluct).mean / 50).toBeCloseTo(1, 1);
    const diurnal = generateTrace({ pattern: 'diurnal', rate: 50, duration: 86_400, peakToTrough: 4 }, rng);
    expect(countTraceStats(diurnal).mean / 50).toBeCloseTo(1, 2);
    const hourMean = (h: number) => sum(diurnal.slice(h * 3600, (h + 1) * 3600)) / 3600;
    expect(hourMean(12) / hourMean(0)).toBeGreaterThan(3); // peak/trough 4, hours average the curve
    const bursty = generateTrace({ pattern: 'bursty', rate: 10, duration: 20_000, burstFactor: 3 }, rng);
    expect(countTraceStats(bursty).max).toBeGreaterThan(25);
  });
});

describe('expanding counts into arrival times', () => {
  const counts = Uint32Array.from([5, 0, 3, 8, 1]);
  for (const mode of ['uniform', 'even'] as ExpandMode[]) {
    it(`${mode}: keeps each second's count, inside its second, in order`, () => {
      const { times } = collectArrivals(new CountTraceArrivals(counts, mode, new RandomStreams(1).stream('a')));
      expect(times.length).toBe(17);
      const perSecond = [0, 0, 0, 0, 0];
      for (const t of times) perSecond[Math.floor(t)]++;
      expect(perSecond).toEqual(Array.from(counts));
      expect(isSorted(times)).toBe(true);
    });
  }

  it('even: evenly spaced from the start of the second', () => {
    const { times } = collectArrivals(new CountTraceArrivals(Uint32Array.from([4]), 'even', new RandomStreams(1).stream('a')));
    expect(Array.from(times)).toEqual([0, 0.25, 0.5, 0.75]);
  });

  it('poisson: keeps the total, merges spill-over into time order, gaps have mean 1/n', () => {
    const big = new Uint32Array(2000).fill(50);
    const { times } = collectArrivals(new CountTraceArrivals(big, 'poisson', new RandomStreams(1).stream('a')));
    expect(times.length).toBe(100_000);
    expect(isSorted(times)).toBe(true);
    expect(times[0]).toBeGreaterThan(0);
    // The last request of each second arrives at the second's start plus a sum of 50 gaps of mean 1/50.
    expect(times[times.length - 1]).toBeGreaterThan(1999.5);
  });

  it("ipa: each request at an independent Exp(mean 1/n) offset from its second's start, not cumulated", () => {
    // 10 requests every 10th second, so each second's requests can be told apart (an offset
    // above 10 s has probability e^-100).
    const n = 10;
    const seconds = 5000;
    const counts = new Uint32Array(seconds * 10);
    for (let s = 0; s < seconds; s++) counts[s * 10] = n;
    const offsetsOf = (mode: ExpandMode) => {
      const { times } = collectArrivals(new CountTraceArrivals(counts, mode, new RandomStreams(4).stream('a')));
      expect(times.length).toBe(n * seconds);
      expect(isSorted(times)).toBe(true);
      return Array.from(times, (t) => t - Math.floor(t / 10) * 10);
    };
    const offsets = offsetsOf('ipa');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // i.i.d. offsets: the pooled offsets are Exp(rate n) (Kolmogorov-Smirnov at 1%)...
    const sorted = [...offsets].sort((a, b) => a - b);
    let d = 0;
    sorted.forEach((x, i) => {
      const cdf = 1 - Math.exp(-n * x);
      d = Math.max(d, Math.abs(cdf - i / sorted.length), Math.abs(cdf - (i + 1) / sorted.length));
    });
    expect(d).toBeLessThan(1.63 / Math.sqrt(sorted.length));
    expect(mean(offsets)).toBeCloseTo(1 / n, 2);
    // ...and the last of a second's n comes at the maximum of n of them, mean H_n / n (0.293 s),
    // where cumulated gaps put it at the sum, mean 1 s: the load bunches at the second's start.
    const last = Array.from({ length: seconds }, (_, s) => offsets[s * n + n - 1]);
    const harmonic = Array.from({ length: n }, (_, i) => 1 / (i + 1)).reduce((a, b) => a + b, 0);
    expect(mean(last) / (harmonic / n)).toBeCloseTo(1, 1);
    const poissonLast = offsetsOf('poisson').filter((_, i) => i % n === n - 1);
    expect(mean(poissonLast)).toBeCloseTo(1, 1);
  });

  it('a Poisson process has the right rate', () => {
    const source = new PoissonArrivals(40, new RandomStreams(9).stream('a'));
    const { times } = collectArrivals(source, 400_000);
    expect(times.length / times[times.length - 1] / 40).toBeCloseTo(1, 2);
  });

  it('the same seed gives the same times, and a trace file replays identically', () => {
    const dir = tempDir();
    const path = join(dir, 'c.txt');
    writeFileSync(path, '3 1 4 1 5 9 2 6 ');
    const once = () => collectArrivals(new CountTraceArrivals(readCountTrace(path), 'poisson', new RandomStreams(3).stream('arrivals')));
    expect(once()).toEqual(once());
  });
});
