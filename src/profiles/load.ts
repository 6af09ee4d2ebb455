import { InputError } from '../errors.js';
import { readTextFile } from '../io/read.js';
import type { LatencyPoint } from './latency-table.js';

/** Read latency points from a CSV with a header naming `batch`, `latency` (seconds) and optionally `cores` (default 1). */
export function readLatencyPointsCsv(path: string): LatencyPoint[] {
  const text = readTextFile(path, 'latency points');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  if (col('batch') < 0 || col('latency') < 0) {
    throw new InputError(`${path}: line 1: expected a header with batch and latency columns (cores optional), got "${lines[0] ?? ''}"`);
  }
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    const num = (name: string, fallback?: number) => {
      const c = col(name);
      const v = c < 0 ? fallback : Number(cells[c]);
      if (v === undefined || !Number.isFinite(v) || v <= 0) {
        throw new InputError(`${path}: line ${i + 2}: ${name}: expected a positive number, got "${c < 0 ? '' : cells[c] ?? ''}"`);
      }
      return v;
    };
    return { batch: num('batch'), cores: num('cores', 1), latency: num('latency') };
  });
}
