import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeFileAtomic } from '../io/atomic.js';
import { csvNumber, csvText } from '../metrics/csv.js';
import { canonicalJson } from './spec.js';
import { finishedSummary, readManifest, STORE, TABLES, type Manifest } from './store.js';
import { ci95HalfWidth } from '../metrics/interval.js';
import { EXACT_QUANTILES_UP_TO } from '../metrics/distribution.js';

/**
 * A sweep's tidy tables: `runs.csv` and `runs.parquet` (one row per finished run: its ID, swept
 * values, seed and summary metrics), `aggregate.csv` (grouped by the swept values over seeds:
 * count, mean, standard deviation and the half-width of a 95% t confidence interval per metric)
 * and `timings.csv` (wall time per run, apart, because the other tables must be byte-identical
 * whenever the sweep is).
 */

export interface CollectReport {
  runs: number;
  missing: number;
  metrics: string[];
}

type Cell = number | string | null;

/** The numbers of a summary as dotted columns; per-tenant entries as byTenant.<name>.<field>. */
export function flattenSummary(summary: Record<string, unknown>): Map<string, number | null> {
  const out = new Map<string, number | null>();
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'number') out.set(path, value);
    else if (value === null && path !== '') out.set(path, null);
    else if (Array.isArray(value)) {
      if (path === 'byTenant' || path === 'apps') {
        for (const t of value as { name: string }[]) walk(t, `${path}.${t.name}`);
      }
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) if (k !== 'name') walk(v, path === '' ? k : `${path}.${k}`);
    }
  };
  walk(summary, '');
  out.delete('seed');
  return out;
}

/** A swept value as a table cell: numbers stay numbers, anything else its JSON text. */
function paramCell(v: unknown): Cell {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v;
  return canonicalJson(v);
}

function csvCell(c: Cell): string {
  if (c === null) return '';
  return typeof c === 'number' ? csvNumber(c) : csvText(c);
}

export function collectSweep(out: string): CollectReport {
  const manifest = readManifest(out);
  const rows: { id: string; params: Cell[]; seed: number; metrics: Map<string, number | null> }[] = [];
  let missing = 0;
  for (const run of [...manifest.runs].sort((a, b) => a.index - b.index)) {
    const summary = finishedSummary(out, run.id, run.seed);
    if (summary === undefined) {
      missing++;
      continue;
    }
    rows.push({ id: run.id, params: manifest.columns.map((c) => paramCell(run.params[c])), seed: run.seed, metrics: flattenSummary(summary) });
  }
  const metrics: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of r.metrics.keys()) if (!seen.has(k)) (seen.add(k), metrics.push(k));

  const header = ['run_id', ...manifest.columns, 'seed', ...metrics];
  const lines = [header.map(csvText).join(',')];
  for (const r of rows) lines.push([csvText(r.id), ...r.params.map(csvCell), String(r.seed), ...metrics.map((m) => csvCell(r.metrics.get(m) ?? null))].join(','));
  writeFileAtomic(join(out, TABLES.runs), lines.join('\n') + '\n');
  writeParquet(join(out, TABLES.parquet), manifest, rows, metrics);
  writeAggregate(join(out, TABLES.aggregate), manifest, rows, metrics);
  writeTimings(out, rows.map((r) => r.id));
  return { runs: rows.length, missing, metrics };
}

function writeParquet(file: string, manifest: Manifest, rows: { id: string; params: Cell[]; seed: number; metrics: Map<string, number | null> }[], metrics: string[]): void {
  const paramType = (i: number) => (rows.every((r) => typeof r.params[i] === 'number') ? 'DOUBLE' : 'STRING');
  const columnData = [
    { name: 'run_id', data: rows.map((r) => r.id), type: 'STRING' as const },
    ...manifest.columns.map((name, i) => {
      const type = paramType(i);
      return { name, data: rows.map((r) => (type === 'DOUBLE' ? r.params[i] : r.params[i] === null ? null : String(r.params[i]))), type };
    }),
    { name: 'seed', data: rows.map((r) => r.seed), type: 'DOUBLE' as const },
    ...metrics.map((name) => ({ name, data: rows.map((r) => r.metrics.get(name) ?? null), type: 'DOUBLE' as const })),
  ];
  const buffer = parquetWriteBuffer({ columnData: columnData as Parameters<typeof parquetWriteBuffer>[0]['columnData'] });
  writeFileAtomic(file, Buffer.from(buffer));
}

/**
 * For each metric that is a quantile of a distribution (`<d>.p50` ... `<d>.p99`), the index of
 * that distribution's `<d>.count` column: past EXACT_QUANTILES_UP_TO values its quantiles come
 * from the sketch, where seeds can tie on one bucket's value.
 */
function quantileCounts(metrics: string[]): Map<number, number> {
  const out = new Map<number, number>();
  metrics.forEach((m, j) => {
    const match = /^(.*)\.p\d+$/.exec(m);
    const k = match === null ? -1 : metrics.indexOf(`${match[1]}.count`);
    if (k >= 0) out.set(j, k);
  });
  return out;
}

/**
 * Mean, standard deviation and 95% confidence half-width (t with n - 1 degrees of freedom) per
 * metric, grouped by the swept values. A sketched quantile equal in every seed gets no interval
 * (empty sd and ci95): the seeds fell in one sketch bucket, and a width of 0 would be the
 * sketch's artefact, not the system's.
 */
function writeAggregate(file: string, manifest: Manifest, rows: { params: Cell[]; metrics: Map<string, number | null> }[], metrics: string[]): void {
  const keyCols = manifest.columns.map((_, i) => `p${i}`);
  const data: Record<string, Cell[]> = Object.fromEntries(keyCols.map((k, i) => [k, rows.map((r) => (r.params[i] === null ? null : String(r.params[i])))]));
  metrics.forEach((m, j) => {
    data[`m${j}`] = rows.map((r) => r.metrics.get(m) ?? null);
  });
  let t = aq.table(data);
  const rollup: Record<string, string> = { n: 'd => op.count()' };
  const counts = quantileCounts(metrics);
  metrics.forEach((_, j) => {
    rollup[`mean${j}`] = `d => op.mean(d.m${j})`;
    rollup[`sd${j}`] = `d => op.stdev(d.m${j})`;
    rollup[`valid${j}`] = `d => op.valid(d.m${j})`;
    if (counts.has(j)) rollup[`values${j}`] = `d => op.max(d.m${counts.get(j)})`;
  });
  t = keyCols.length > 0 ? t.groupby(...keyCols).rollup(rollup) : t.rollup(rollup);
  const groups = t.objects() as Record<string, unknown>[];
  // Groups in the order their first run appears in the sweep.
  const order = new Map<string, number>();
  rows.forEach((r, i) => {
    const key = canonicalJson(r.params.map((p) => (p === null ? null : String(p))));
    if (!order.has(key)) order.set(key, i);
  });
  const keyOf = (g: Record<string, unknown>) => canonicalJson(keyCols.map((k) => g[k] ?? null));
  groups.sort((a, b) => (order.get(keyOf(a)) ?? 0) - (order.get(keyOf(b)) ?? 0));
  const header = [...manifest.columns, 'n', ...metrics.flatMap((m) => [`${m}.mean`, `${m}.sd`, `${m}.ci95`])];
  const lines = [header.map(csvText).join(',')];
  for (const g of groups) {
    const cells = keyCols.map((k) => {
      const v = g[k] as string | null;
      const i = keyCols.indexOf(k);
      const numeric = rows.every((r) => typeof r.params[i] === 'number');
      return v === null ? '' : numeric ? csvNumber(Number(v)) : csvText(v);
    });
    cells.push(String(g.n));
    metrics.forEach((_, j) => {
      const valid = g[`valid${j}`] as number;
      const mean = valid > 0 ? (g[`mean${j}`] as number) : NaN;
      const sketchedTie = counts.has(j) && (g[`values${j}`] as number) > EXACT_QUANTILES_UP_TO && g[`sd${j}`] === 0;
      const sd = valid > 1 && !sketchedTie ? (g[`sd${j}`] as number) : NaN;
      const ci = ci95HalfWidth(sd, valid);
      cells.push(csvNumber(mean), csvNumber(sd), csvNumber(ci));
    });
    lines.push(cells.join(','));
  }
  writeFileAtomic(file, lines.join('\n') + '\n');
}

function writeTimings(out: string, ids: string[]): void {
  const lines = ['run_id,seconds'];
  for (const id of ids) {
    const file = join(out, STORE.timings, `${id}.json`);
    const seconds = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { seconds: number }).seconds : NaN;
    lines.push(`${id},${csvNumber(seconds)}`);
  }
  writeFileAtomic(join(out, TABLES.timings), lines.join('\n') + '\n');
}
