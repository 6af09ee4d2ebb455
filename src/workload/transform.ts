import { InputError } from '../errors.js';
import type { CountTrace } from './trace.js';

/**
 * Operations on per-second count traces. Each returns a new trace.
 * Scaling and time compression round with cumulative rounding: the running
 * total of the result is the rounded running total of the exact values, so no
 * request is created or lost by rounding beyond +-1 overall.
 */

/** Seconds [start, start + duration) of the trace. */
export function sliceTrace(counts: CountTrace, start: number, duration = counts.length - start): CountTrace {
  if (!Number.isInteger(start) || start < 0 || start >= counts.length) {
    throw new InputError(`slice start ${start} is outside the trace (0..${counts.length - 1} s)`);
  }
  if (!Number.isInteger(duration) || duration <= 0) {
    throw new InputError(`slice duration must be a positive whole number of seconds, got ${duration}`);
  }
  return counts.slice(start, Math.min(counts.length, start + duration));
}

/** Multiply every count by `factor` (cumulative rounding). */
export function scaleTrace(counts: CountTrace, factor: number): CountTrace {
  if (!(factor >= 0) || !Number.isFinite(factor)) throw new InputError(`scale factor must be >= 0, got ${factor}`);
  const out = new Uint32Array(counts.length);
  let exact = 0;
  let emitted = 0;
  for (let i = 0; i < counts.length; i++) {
    exact += counts[i] * factor;
    const total = Math.round(exact);
    out[i] = total - emitted;
    emitted = total;
  }
  return out;
}

/** IPA's damping: floor(count / factor) per second (how IPA turns tweets/s into requests/s, with factor 8). */
export function dampTrace(counts: CountTrace, factor: number): CountTrace {
  if (!(factor > 0)) throw new InputError(`damping factor must be > 0, got ${factor}`);
  return counts.map((c) => Math.floor(c / factor));
}

/**
 * Play the trace `factor` times faster: output second j holds the requests of
 * input seconds [j*factor, (j+1)*factor), with fractional seconds split in proportion.
 * The total is kept; the mean rate grows by `factor` (combine with scaleTrace to keep it).
 */
export function compressTrace(counts: CountTrace, factor: number): CountTrace {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new InputError(`compress factor must be > 0, got ${factor}`);
  const outLength = Math.max(1, Math.ceil(counts.length / factor - 1e-9));
  const out = new Uint32Array(outLength);
  let emitted = 0;
  let exactWhole = 0;
  let cursor = 0;
  for (let j = 0; j < outLength; j++) {
    const end = Math.min(counts.length, (j + 1) * factor);
    // Requests in input seconds [0, end), counting a fractional last second in proportion.
    const wholeEnd = Math.floor(end);
    while (cursor < wholeEnd) exactWhole += counts[cursor++];
    const exact = cursor < counts.length ? exactWhole + (end - wholeEnd) * counts[cursor] : exactWhole;
    const total = Math.round(exact);
    out[j] = total - emitted;
    emitted = total;
  }
  return out;
}

/** Remove seconds with no requests (IPA's LSTM training does this). */
export function dropZeroSeconds(counts: CountTrace): CountTrace {
  return counts.filter((c) => c !== 0);
}
