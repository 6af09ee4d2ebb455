import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readTextFile } from '../io/read.js';

/**
 * A per-second count trace: `counts[i]` requests arrive during second i.
 * This is the Twitter-style format IPA replays (whitespace-separated
 * non-negative integers, one per second, on one line or one per line).
 */
export type CountTrace = Uint32Array;

/** Parse the text of a count trace. `source` names the file in error messages. */
export function parseCountTrace(text: string, source = 'trace'): CountTrace {
  const counts: number[] = [];
  let line = 1;
  let lastValueLine = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
    } else if (c === 32 || c === 9 || c === 13) {
      i++;
    } else {
      // Between counts an empty line is a second without a count, not whitespace to skip.
      if (lastValueLine > 0 && line > lastValueLine + 1) {
        throw new InputError(`${source}: line ${lastValueLine + 1}: an empty line between counts (every second needs a count; write 0 for none)`);
      }
      lastValueLine = line;
      const start = i;
      let value = 0;
      let digitsOnly = true;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 32 || d === 9 || d === 10 || d === 13) break;
        if (d < 48 || d > 57) digitsOnly = false;
        else value = value * 10 + (d - 48);
        i++;
      }
      if (!digitsOnly || value > 0xffffffff) {
        throw new InputError(
          `${source}: line ${line}, value ${counts.length + 1}: expected a non-negative integer count, got "${text.slice(start, i)}"`,
        );
      }
      counts.push(value);
    }
  }
  if (counts.length === 0) throw new InputError(`${source}: the trace holds no counts`);
  return Uint32Array.from(counts);
}

export function readCountTrace(path: string): CountTrace {
  return parseCountTrace(readTextFile(path, 'trace'), path);
}

/** Text of a count trace: one count per line, or all on one line separated by spaces (IPA's layout). */
export function formatCountTrace(counts: ArrayLike<number>, layout: 'lines' | 'single-line' = 'lines'): string {
  const parts = Array.from(counts, String);
  return layout === 'lines' ? parts.join('\n') + '\n' : parts.join(' ') + '\n';
}

export function writeCountTrace(path: string, counts: ArrayLike<number>, layout: 'lines' | 'single-line' = 'lines'): void {
  writeFileAtomic(path, formatCountTrace(counts, layout));
}

export interface TraceStats {
  seconds: number;
  total: number;
  mean: number;
  min: number;
  max: number;
  zeroSeconds: number;
}

export function countTraceStats(counts: CountTrace): TraceStats {
  let total = 0;
  let min = Infinity;
  let max = 0;
  let zeros = 0;
  for (const c of counts) {
    total += c;
    if (c < min) min = c;
    if (c > max) max = c;
    if (c === 0) zeros++;
  }
  return { seconds: counts.length, total, mean: total / counts.length, min, max, zeroSeconds: zeros };
}
