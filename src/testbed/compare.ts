import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { cdfPoints, type Figure } from '../figures/kinds.js';
import { BASE_CONFIG, colourScale, VEGA_LITE_SCHEMA } from '../figures/style.js';
import { readTextFile } from '../io/read.js';
import { csvNumber, parseCsvRecords } from '../metrics/csv.js';
import { RUN_FILES, type SummaryFile } from '../kinds/pipeline/run-folder.js';

/** One compared quantity: where it belongs (end to end, or a stage), what it is, and both values. */
export interface ComparedMetric {
  scope: string;
  metric: string;
  real: number | null;
  simulated: number | null;
  /** (simulated - real) / real; null where either is missing or real is 0. */
  error: number | null;
}

function readSummary(dir: string): SummaryFile {
  const file = join(dir, RUN_FILES.summary);
  if (!existsSync(file)) throw new InputError(`${dir}: not a run folder (no ${RUN_FILES.summary})`);
  let summary: SummaryFile;
  try {
    summary = JSON.parse(readTextFile(file, 'run summary')) as SummaryFile;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${file}: not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(summary.stages) || typeof summary.latency !== 'object') throw new InputError(`${file}: not a pipeline run's summary (no latency and stages)`);
  return summary;
}

/**
 * The same statistics of a real (testbed) run and a simulated one, side by side: latency
 * quantiles, throughput and SLO violations end to end; per stage queueing, service, batch size
 * and utilisation. Stages are matched by name.
 */
export function compareRuns(realDir: string, simDir: string): ComparedMetric[] {
  const real = readSummary(realDir);
  const sim = readSummary(simDir);
  const rows: ComparedMetric[] = [];
  const add = (scope: string, metric: string, r: number | null | undefined, s: number | null | undefined) => {
    const a = r ?? null;
    const b = s ?? null;
    rows.push({ scope, metric, real: a, simulated: b, error: a !== null && b !== null && a !== 0 ? (b - a) / a : null });
  };
  for (const q of ['mean', 'p50', 'p95', 'p99'] as const) add('end-to-end', `latency ${q}`, real.latency[q], sim.latency[q]);
  add('end-to-end', 'throughput', real.throughput, sim.throughput);
  add('end-to-end', 'SLO violations', real.sloViolationRatio, sim.sloViolationRatio);
  add('end-to-end', 'in system', real.inSystem.mean, sim.inSystem.mean);
  for (const stage of real.stages) {
    const other = sim.stages.find((s) => s.name === stage.name);
    if (other === undefined) throw new InputError(`${simDir}: has no stage named ${stage.name} (its stages: ${sim.stages.map((s) => s.name).join(', ')})`);
    for (const q of ['mean', 'p50', 'p99'] as const) add(stage.name, `wait ${q}`, stage.wait[q], other.wait[q]);
    for (const q of ['mean', 'p50', 'p99'] as const) add(stage.name, `service ${q}`, stage.service[q], other.service[q]);
    add(stage.name, 'mean batch', stage.meanBatchSize, other.meanBatchSize);
    add(stage.name, 'utilization', stage.utilization, other.utilization);
  }
  return rows;
}

export const COMPARISON_COLUMNS = ['scope', 'metric', 'real', 'simulated', 'error'] as const;

export function comparisonCsv(rows: readonly ComparedMetric[]): string {
  const cell = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? csvNumber(v) : v);
  return COMPARISON_COLUMNS.join(',') + '\n' + rows.map((r) => COMPARISON_COLUMNS.map((c) => cell(r[c])).join(',') + '\n').join('');
}

export function comparisonText(rows: readonly ComparedMetric[]): string {
  const value = (metric: string, v: number | null) => {
    if (v === null) return '-';
    if (/latency|wait|service/.test(metric)) return `${(v * 1000).toFixed(1)} ms`;
    if (metric === 'SLO violations' || metric === 'utilization') return `${(100 * v).toFixed(2)}%`;
    return v.toFixed(2);
  };
  const lines = [['scope', 'metric', 'real', 'simulated', 'error']];
  for (const r of rows) lines.push([r.scope, r.metric, value(r.metric, r.real), value(r.metric, r.simulated), r.error === null ? '-' : `${r.error >= 0 ? '+' : ''}${(100 * r.error).toFixed(1)}%`]);
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  return lines.map((l) => l.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ')).join('\n') + '\n';
}

/** Latencies of a run's completed requests (requests.csv), sorted. */
function latencies(dir: string): number[] {
  const file = join(dir, RUN_FILES.requests);
  if (!existsSync(file)) throw new InputError(`${dir}: no ${RUN_FILES.requests} (simulate with --set metrics.requests=true for the CDF)`);
  return parseCsvRecords(readTextFile(file, 'per-request table'))
    .filter((r) => r.outcome === 'completed')
    .map((r) => Number(r.latency))
    .sort((a, b) => a - b);
}

/** The end-to-end latency CDF of both runs, one line each, from every completed request. */
export function comparisonCdf(realDir: string, simDir: string, title: string): Figure {
  const rows: Figure['rows'] = [];
  for (const [series, dir] of [
    ['real', realDir],
    ['simulated', simDir],
  ] as const) {
    for (const p of cdfPoints(latencies(dir))) rows.push({ series, latency: p.value * 1000, fraction: p.fraction });
  }
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title,
    width: 420,
    height: 280,
    config: BASE_CONFIG,
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'latency', type: 'quantitative', title: 'end-to-end latency (ms)' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of requests', scale: { domain: [0, 1] } },
      color: { field: 'series', type: 'nominal', title: 'system', scale: colourScale(['real', 'simulated']) },
    },
  };
  return { spec, columns: ['series', 'latency', 'fraction'], rows };
}
