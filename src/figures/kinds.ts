import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { IPA_FILES } from '../experiments/ipa.js';
import { meanInterval } from '../metrics/interval.js';
import { RUN_FILES } from '../kinds/pipeline/run-folder.js';
import { SERVERLESS_FILES } from '../kinds/serverless/run-folder.js';
import { TABLES } from '../sweep/store.js';
import { BASE_CONFIG, colourScale, displayValue, ordered, VEGA_LITE_SCHEMA, WORKLOAD_ORDER, workloadTitle } from './style.js';
import { distinct, filterRows, groupColumns, readTable, requireColumns, resultsKind, runFolderOf, runsTable, sloOf, type Row, type Table } from './tables.js';

/** A figure before rendering: its vega-lite spec (data inline) and the same data as a tidy table. */
export interface Figure {
  spec: Record<string, unknown>;
  columns: string[];
  rows: Row[];
}

export interface PlotOptions {
  /** Keep only rows with these values (`--where column=value`). */
  where?: { column: string; value: string }[];
  /** Metrics to show (bars: one panel each; sweep: the first). */
  metrics?: string[];
  /** Column along the x axis (bars: the groups; sweep: the swept parameter; pareto: the cost metric). */
  x?: string;
  /** Pareto: the accuracy metric. */
  y?: string;
  /** Column whose values get one colour each (a policy). */
  color?: string;
  /** Timeline: column whose values get one cell each (default: an experiment's workload). */
  facet?: string;
  /** Timeline: cost and accuracy (default), or p99 latency and SLA violations. */
  panels?: 'cost' | 'latency';
  /** CDF: the SLA line, in seconds (default: the runs' own SLO or SLA). */
  sla?: number;
  title?: string;
  /** Axis and legend titles instead of the defaults (every panel's y axis takes `ylabel`). */
  xlabel?: string;
  ylabel?: string;
  legendTitle?: string;
}

export const PLOT_KINDS = ['timeline', 'over-time', 'cdf', 'bars', 'pareto', 'sweep'] as const;
export type PlotKind = (typeof PLOT_KINDS)[number];

const BUILDERS: Record<PlotKind, (results: string, options: PlotOptions) => Figure> = { timeline, 'over-time': overTime, cdf, bars, pareto, sweep: sweepLines };

export function buildFigure(kind: PlotKind, results: string, options: PlotOptions = {}): Figure {
  const figure = BUILDERS[kind](results, options);
  if (figure.rows.length === 0) throw new InputError(`${results}: nothing to draw (the table has no rows${options.where?.length ? ' with the --where values' : ''})`);
  relabel(figure.spec, options);
  return figure;
}

/** Put the user's axis and legend titles on every x, y and colour channel of the spec that has a title. */
function relabel(node: unknown, options: PlotOptions): void {
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  const encoding = o.encoding as Record<string, Record<string, unknown> | undefined> | undefined;
  if (encoding !== undefined) {
    for (const [channel, title] of [
      ['x', options.xlabel],
      ['y', options.ylabel],
      ['color', options.legendTitle],
    ] as const) {
      const enc = encoding[channel];
      if (title !== undefined && enc !== undefined && 'title' in enc) enc.title = title;
    }
  }
  for (const value of Object.values(o)) relabel(value, options);
}

/**
 * A readable title for a column of swept or varied settings (`workload.arrivals.rate` -> arrival
 * rate (requests/s), `pipeline.stages[1].replicas` -> replicas of stage 2); others as written.
 */
export function columnTitle(column: string): string {
  const known: Record<string, string> = {
    'workload.arrivals.rate': 'arrival rate (requests/s)',
    'workload.arrivals.scale': 'trace scale',
    'adaptation.adapter.kind': 'adapter',
    'adaptation.predictor.kind': 'predictor',
    'adaptation.interval': 'adaptation interval (s)',
    'accelerator.policy': 'policy',
    'serverless.model': 'model',
    'pipeline.loadTime': 'replica load time (s)',
    'pipeline.drain': 'drain time (s)',
    slo: 'SLO (s)',
    seed: 'seed',
  };
  if (known[column] !== undefined) return known[column];
  const stage = /^pipeline\.stages\[(\d+)\]\.(.+)$/.exec(column);
  if (stage !== null) {
    const field: Record<string, string> = { replicas: 'replicas', variant: 'variant', 'batch.max': 'largest batch', 'batch.timeout': 'batch timeout (s)', 'service.mean': 'mean service time (s)', 'queue.capacity': 'queue capacity' };
    return `${field[stage[2]] ?? stage[2]} of stage ${Number(stage[1]) + 1}`;
  }
  const tenant = /\.(?:services|apps|tenants)\[(\d+)\]\.arrivals\.rate$/.exec(column);
  if (tenant !== null) return `arrival rate of ${column.includes('services') ? 'service' : 'application'} ${Number(tenant[1]) + 1} (requests/s)`;
  return column;
}

/** Integer-valued fields (counts): their axes get whole-number ticks only. */
const COUNT_AXIS = { tickMinStep: 1, format: 'd' } as const;
const isCount = (metric: string) => /(^|\.|_)(arrived|completed|dropped|late|violations|reconfigurations|requests)$/.test(metric);

/** A sweep's accuracy column: adaptive runs have it (the accuracy-cost figure needs it). */
export const ACCURACY_METRIC = 'adaptation.meanAccuracy.objective';

/** Axis titles for the metrics pipesim writes (sweep tables and experiment tables name them differently). */
const METRIC_TITLES: Record<string, string> = {
  sloViolationRatio: 'SLA violation ratio',
  'cost.meanCores': 'cores (mean)',
  mean_cores: 'cores (mean)',
  [ACCURACY_METRIC]: 'accuracy (mean)',
  mean_accuracy: 'accuracy (mean)',
  'inSystem.mean': 'requests in the system (mean)',
  violationRatio: 'QoS violation ratio',
  goodput: 'goodput (requests/s)',
};
/**
 * A metric's axis title: the named ones above, latency statistics and rates with their unit, and
 * any other column spelled out in words (`requests.inFlight` -> requests in flight; `cost.perRequest`
 * gets no unit: HarmonyBatch's price list does not state its currency). Per-tenant and
 * per-application columns (`byTenant.NAME.latency.p99`) are titled by name and metric.
 */
export function metricTitle(name: string): string {
  const member = /^(?:byTenant|apps)\.([^.]+)\.(.+)$/.exec(name);
  if (member !== null) return `${member[1]}: ${metricTitle(member[2])}`;
  const named = METRIC_TITLES[name];
  if (named !== undefined) return named;
  const latency = /^latency[._](p\d+|mean|min|max)$/.exec(name);
  if (latency !== null) return `${latency[1]} latency (s)`;
  const dropped = /^requests\.droppedByReason\.(\w+)$/.exec(name);
  if (dropped !== null) return `requests dropped (${dropped[1]})`;
  const words = name.split(/[._]/).flatMap((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' ')).join(' ');
  return /(^|\s)(throughput|rate)$/.test(words) ? `${words} (requests/s)` : words.replace(/\bsla\b/g, 'SLA').replace(/\bslo\b/g, 'SLO');
}

function topLevel(options: PlotOptions, spec: Record<string, unknown>): Record<string, unknown> {
  return { $schema: VEGA_LITE_SCHEMA, ...(options.title ? { title: options.title } : {}), config: BASE_CONFIG, ...spec };
}

/** Series (policies) in IPA's order first, then as first seen. */
const seriesOrder = (rows: readonly Row[]) => ordered(rows.map((r) => String(r.series)), ['ipa', 'fa2-low', 'fa2-high', 'rim']);

/** The colour channel: one colour per series, legend on top in one row. */
function colourBy(series: readonly string[], title: string | null, legend: Record<string, unknown> = {}) {
  // One line needs no legend: a single entry ("run") says nothing.
  return { field: 'series', type: 'nominal', title: title === null ? null : columnTitle(title), scale: colourScale(series), legend: series.length > 1 ? { columns: series.length, ...legend } : null };
}

/** A mean with its 95% interval as figure columns (null where not finite, so vega draws nothing). */
function intervalFields(m: MetricRow): Row {
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return { n: m.n, mean: finite(m.mean), ci95: finite(m.ci95), low: finite(m.mean - m.ci95), high: finite(m.mean + m.ci95) };
}

// ---------------------------------------------------------------------------------------------
// timeline: IPA's Figure 8 layout

const TIMELINE_PANELS = {
  cost: [
    { field: 'cost', title: 'cost (cores)' },
    { field: 'accuracy', title: 'accuracy' },
  ],
  latency: [
    { field: 'p99', title: 'p99 latency (s)' },
    { field: 'violations', title: 'SLA violations' },
  ],
} as const;

function timeline(results: string, options: PlotOptions): Figure {
  const kind = resultsKind(results);
  let table: Table;
  let seriesColumn: string | undefined;
  let facetColumn: string | undefined;
  if (kind === 'experiment') {
    table = filterRows(readTable(join(results, IPA_FILES.steps)), options.where ?? []);
    seriesColumn = options.color ?? 'policy';
    facetColumn = options.facet ?? 'workload';
  } else if (kind === 'run') {
    const file = join(results, RUN_FILES.adaptation);
    if (!existsSync(file)) {
      const why = existsSync(join(results, SERVERLESS_FILES.plans))
        ? 'a serverless run: its plans over time are in plans.csv'
        : 'a timeline of cost and accuracy needs a pipeline run with adaptation; `pipesim plot over-time` draws latency, throughput, queues and utilisation of any run';
      throw new InputError(`${results}: the run has no adaptation.csv (${why})`);
    }
    table = filterRows(readTable(file), options.where ?? []);
    seriesColumn = options.color;
    facetColumn = options.facet;
  } else {
    table = sweepSteps(results, options);
    const vary = varying(table, groupColumns(results));
    seriesColumn = options.color ?? sweepSeries(table, results);
    facetColumn = options.facet ?? vary.find((c) => c !== seriesColumn && !dependsOn(table, c, seriesColumn));
  }
  const panels = TIMELINE_PANELS[options.panels ?? 'cost'];
  requireColumns(table, ['time', ...(options.panels === 'latency' ? ['latency_p99', 'dropped', 'late'] : ['cores', 'accuracy'])], 'a timeline panel');
  if (seriesColumn !== undefined) requireColumns(table, [seriesColumn], 'the lines (--color)');
  if (facetColumn !== undefined) requireColumns(table, [facetColumn], 'the cells (--facet)');
  // Cells and lines: anything else that varies (another swept value, a second seed) would be drawn as one zigzag line.
  if (kind !== 'run') single(table, [facetColumn ?? '', seriesColumn ?? ''], [...groupColumns(results), 'seed'], 'a timeline');

  const rows: Row[] = table.rows.map((r) => ({
    workload: facetColumn === undefined ? '-' : displayValue(r[facetColumn]),
    series: seriesColumn === undefined ? 'run' : displayValue(r[seriesColumn]),
    time: r.time,
    cost: r.cores,
    accuracy: r.accuracy ?? null,
    p99: r.latency_p99 ?? null,
    violations: typeof r.dropped === 'number' && typeof r.late === 'number' ? r.dropped + r.late : null,
  }));
  const workloads = ordered(rows.map((r) => String(r.workload)), WORKLOAD_ORDER);
  const series = seriesOrder(rows);
  const color = colourBy(series, seriesColumn ?? null);
  // A panel that is 0 everywhere in its cell (no violations) would get an empty [0, 0] axis.
  const allZero = (w: string, field: string) => rows.every((r) => r.workload !== w || !r[field]);
  const cellOf = (w: string, lastRow: boolean) => ({
    title: workloads.length > 1 ? workloadTitle(w) : undefined,
    vconcat: panels.map((p, i) => ({
      width: 230,
      height: 80,
      transform: [{ filter: { field: 'workload', equal: w } }],
      mark: { type: 'line', tooltip: true },
      encoding: {
        x: { field: 'time', type: 'quantitative', title: i === panels.length - 1 && lastRow ? 'time (s)' : null, axis: i === panels.length - 1 ? {} : { labels: false } },
        y: { field: p.field, type: 'quantitative', title: p.title, ...(isCount(p.field) ? { axis: COUNT_AXIS } : {}), ...(allZero(w, p.field) ? { scale: { domain: [0, 1] } } : {}) },
        color,
      },
    })),
  });
  const grid: Record<string, unknown>[] = [];
  for (let i = 0; i < workloads.length; i += 2) {
    const last = i + 2 >= workloads.length;
    grid.push({ hconcat: workloads.slice(i, i + 2).map((w) => cellOf(w, last)) });
  }
  return {
    spec: topLevel(options, { data: { values: rows }, vconcat: grid, resolve: { scale: { color: 'shared' } } }),
    columns: ['workload', 'series', 'time', 'cost', 'accuracy', 'p99', 'violations'],
    rows,
  };
}

/** A sweep's adaptation steps: every selected run's adaptation.csv, each row with its run's swept values and seed. */
function sweepSteps(results: string, options: PlotOptions): Table {
  const runs = filterRows(runsTable(results), options.where ?? []);
  const params = [...groupColumns(results), 'seed'];
  let stepColumns: string[] = [];
  const rows: Row[] = [];
  for (const run of runs.rows) {
    const file = join(runFolderOf(results, run), RUN_FILES.adaptation);
    if (!existsSync(file)) throw new InputError(`${file}: not found (a timeline needs runs with adaptation)`);
    const steps = readTable(file);
    stepColumns = steps.columns;
    for (const step of steps.rows) rows.push({ ...step, ...Object.fromEntries(params.map((c) => [c, run[c]])) });
  }
  return { file: join(results, TABLES.runs), columns: [...params, ...stepColumns], rows };
}

/** A sweep's lines by default: a swept `name` (it labels runs, as sweeps/ipa-video.yaml names its policies), else the first swept column that varies. */
function sweepSeries(table: Table, results: string): string | undefined {
  const vary = varying(table, groupColumns(results));
  return vary.includes('name') ? 'name' : vary[0];
}

/** The `columns` (those the table has) that take more than one value among rows with the same values of `by`. */
function mixedWithin(table: Table, by: readonly string[], columns: readonly string[]): string[] {
  return columns.filter((c) => {
    if (!table.columns.includes(c)) return false;
    const seen = new Map<string, string>();
    return table.rows.some((r) => {
      const key = JSON.stringify(by.map((b) => r[b]));
      const value = String(r[c] ?? '');
      const before = seen.get(key);
      seen.set(key, value);
      return before !== undefined && before !== value;
    });
  });
}

/** Whether `column` has one value for each value of `on` (a sweep's zip: it changes along with it). */
function dependsOn(table: Table, column: string, on: string | undefined): boolean {
  return on !== undefined && mixedWithin(table, [on], [column]).length === 0;
}

/**
 * Refuse a table where one of `columns` holds more than one value among rows that the figure
 * draws as one thing (the same values of `by`): it would mix them. Columns that change together
 * with `by` (a sweep's zip) are fine.
 */
function single(table: Table, by: readonly string[], columns: readonly string[], what: string): void {
  const [mixed] = mixedWithin(table, by, columns);
  if (mixed === undefined) return;
  const all = distinct(table, mixed);
  throw new InputError(`${table.file}: ${all.length} values of ${mixed} (${all.join(', ')}); ${what} shows one: add --where ${mixed}=${all[0]}`);
}

// ---------------------------------------------------------------------------------------------
// cdf: IPA's Figure 15

/** At most this many points per line: the CDF at evenly spaced fractions (exact order statistics). */
const CDF_POINTS = 400;

/**
 * At most CDF_POINTS steps of the empirical CDF of `sorted` (ascending): each the k-th smallest
 * value, moved past its ties, with k/n, the CDF's value there.
 */
export function cdfPoints(sorted: readonly number[]): { value: number; fraction: number }[] {
  const n = sorted.length;
  const count = Math.min(n, CDF_POINTS);
  const points: { value: number; fraction: number }[] = [];
  let last = -1;
  for (let j = 1; j <= count; j++) {
    let k = Math.ceil((j * n) / count);
    while (k < n && sorted[k] === sorted[k - 1]) k++;
    if (k === last) continue;
    last = k;
    points.push({ value: sorted[k - 1], fraction: k / n });
  }
  return points;
}

/**
 * The CDF's x scale from 0, reaching past the SLA when it lies above every latency; padded in from
 * the axis so that an SLA near 0 (below every latency) is drawn as a line inside the plot, not
 * hidden on the axis.
 */
function latencyDomain(rows: readonly Row[], sla: number | undefined): Record<string, unknown> {
  if (sla === undefined || !Number.isFinite(sla)) return {};
  const hi = Math.max(...rows.map((r) => r.latency as number));
  return { padding: 12, nice: false, ...(sla > hi ? { domainMax: sla * 1.05 } : {}) };
}

// ---------------------------------------------------------------------------------------------
// over-time: any pipeline run, from its time series

/**
 * A run over time, one panel each: latency quantiles (p50, p99) and throughput from
 * timeseries.csv, queue length and utilisation per stage from stage_timeseries.csv. Every pipeline
 * run has these tables, adapted or not.
 */
function overTime(results: string, options: PlotOptions): Figure {
  if (resultsKind(results) !== 'run') throw new InputError(`${results}: over-time draws one run (a folder of pipesim run); for a sweep or experiment, pick one with its runs/<id> folder`);
  for (const file of [RUN_FILES.timeseries, RUN_FILES.stageTimeseries]) {
    if (!existsSync(join(results, file))) throw new InputError(`${results}: no ${file} (serverless and accelerator runs write no time series)`);
  }
  const series = filterRows(readTable(join(results, RUN_FILES.timeseries)), options.where ?? []);
  requireColumns(series, ['time', 'latency_p50', 'latency_p99', 'throughput'], 'the run over time');
  const stages = readTable(join(results, RUN_FILES.stageTimeseries));
  requireColumns(stages, ['time', 'stage', 'queue', 'utilization'], 'the stages over time');
  const rows: Row[] = [];
  for (const r of series.rows) {
    rows.push({ panel: 'latency', series: 'p50', time: r.time, value: r.latency_p50 ?? null });
    rows.push({ panel: 'latency', series: 'p99', time: r.time, value: r.latency_p99 ?? null });
    rows.push({ panel: 'throughput', series: 'throughput', time: r.time, value: r.throughput ?? null });
  }
  for (const r of stages.rows) {
    rows.push({ panel: 'queue', series: String(r.stage), time: r.time, value: r.queue ?? null });
    rows.push({ panel: 'utilization', series: String(r.stage), time: r.time, value: r.utilization ?? null });
  }
  const panels = [
    { panel: 'latency', title: 'latency (s)', legend: 'quantile' },
    { panel: 'throughput', title: 'throughput (requests/s)', legend: null },
    { panel: 'queue', title: 'queue (requests)', legend: 'stage', count: true },
    { panel: 'utilization', title: 'utilisation', legend: 'stage' },
  ];
  return {
    spec: topLevel(options, {
      data: { values: rows },
      vconcat: panels.map((p, i) => {
        const names = ordered(rows.filter((r) => r.panel === p.panel).map((r) => String(r.series)), []);
        return {
          width: 520,
          height: 90,
          transform: [{ filter: { field: 'panel', equal: p.panel } }],
          mark: { type: 'line', tooltip: true, interpolate: 'step-after' },
          encoding: {
            x: { field: 'time', type: 'quantitative', title: i === panels.length - 1 ? 'time (s)' : null, axis: i === panels.length - 1 ? { labelOverlap: 'greedy' } : { labels: false } },
            y: { field: 'value', type: 'quantitative', title: p.title, ...(p.count ? { axis: COUNT_AXIS } : {}) },
            color: { field: 'series', type: 'nominal', title: p.legend, scale: colourScale(names), legend: names.length > 1 ? { orient: 'right' } : null },
          },
        };
      }),
      resolve: { scale: { color: 'independent' } },
    }),
    columns: ['panel', 'series', 'time', 'value'],
    rows,
  };
}

function cdf(results: string, options: PlotOptions): Figure {
  const kind = resultsKind(results);
  const groups: { series: string; dirs: string[] }[] = [];
  let seriesColumn: string | undefined;
  if (kind === 'run') groups.push({ series: 'run', dirs: [results] });
  else {
    const table = filterRows(runsTable(results), options.where ?? []);
    seriesColumn = options.color ?? (kind === 'experiment' ? 'policy' : sweepSeries(table, results));
    if (seriesColumn === undefined) throw new InputError(`${results}: nothing varies between the runs; name the column for the lines with --color`);
    requireColumns(table, [seriesColumn], 'the lines (--color)');
    // A line pools its runs' seconds (the seeds of a sweep); any other varying column would be pooled too.
    single(table, [seriesColumn], groupColumns(results), 'a latency CDF');
    for (const r of table.rows) {
      const series = displayValue(r[seriesColumn]);
      let g = groups.find((x) => x.series === series);
      if (g === undefined) groups.push((g = { series, dirs: [] }));
      g.dirs.push(runFolderOf(results, r));
    }
  }
  const rows: Row[] = [];
  for (const g of groups) {
    const p99: number[] = [];
    for (const dir of g.dirs) {
      if (!existsSync(join(dir, RUN_FILES.timeseries))) throw new InputError(`${dir}: no ${RUN_FILES.timeseries} (serverless and accelerator runs write no per-second series; their per-application tables are apps.csv and tenants.csv)`);
      const t = readTable(join(dir, RUN_FILES.timeseries));
      requireColumns(t, ['latency_p99'], 'per-second p99 latency');
      for (const r of t.rows) if (typeof r.latency_p99 === 'number') p99.push(r.latency_p99);
    }
    if (p99.length === 0) continue;
    p99.sort((a, b) => a - b);
    for (const p of cdfPoints(p99)) rows.push({ series: g.series, latency: p.value, fraction: p.fraction });
  }
  if (rows.length === 0) throw new InputError(`${results}: no per-second p99 latencies in the runs' timeseries.csv`);
  const sla = options.sla ?? (groups.length > 0 ? sloOf(groups[0].dirs[0]) : undefined);
  const series = seriesOrder(rows);
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: 'line', interpolate: 'step-after', tooltip: true },
      encoding: {
        x: { field: 'latency', type: 'quantitative', title: 'p99 latency per second (s)', scale: latencyDomain(rows, sla) },
        y: { field: 'fraction', type: 'quantitative', title: 'CDF', scale: { domain: [0, 1] } },
        color: colourBy(series, seriesColumn ?? null),
      },
    },
  ];
  if (sla !== undefined && Number.isFinite(sla)) {
    layers.push(
      { data: { values: [{ sla }] }, mark: { type: 'rule', strokeDash: [4, 3], color: 'black' }, encoding: { x: { field: 'sla', type: 'quantitative' } } },
      { data: { values: [{ sla, label: 'SLA' }] }, mark: { type: 'text', align: 'left', dx: 3, dy: -4, baseline: 'bottom' }, encoding: { x: { field: 'sla', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } } },
    );
  }
  return { spec: topLevel(options, { width: 360, height: 220, data: { values: rows }, layer: layers }), columns: ['series', 'latency', 'fraction'], rows };
}

// ---------------------------------------------------------------------------------------------
// Metrics per group: bars, pareto and sweep draw from these.

interface MetricRow {
  key: Row;
  n: number;
  mean: number;
  ci95: number;
}

function varying(table: Table, columns: readonly string[]): string[] {
  return columns.filter((c) => table.columns.includes(c) && distinct(table, c).length > 1);
}

/**
 * `metric` per combination of `keys`: a sweep's aggregate.csv (mean and 95% t-interval over
 * seeds), or an experiment's runs.csv aggregated the same way. Refuses combinations that hold
 * more than one group of the sweep: another column varies that the figure does not show.
 */
function metricRows(results: string, metric: string, keys: readonly string[], options: PlotOptions): MetricRow[] {
  const kind = resultsKind(results);
  const groupsOf = groupColumns(results);
  if (kind === 'sweep') {
    if (!existsSync(join(results, TABLES.aggregate))) throw new InputError(`${results}: the sweep is not collected yet (run \`pipesim sweep collect ${results}\`)`);
    const table = filterRows(readTable(join(results, TABLES.aggregate)), options.where ?? []);
    requireColumns(table, keys, 'the groups and series (--x, --color)');
    if (!table.columns.includes(`${metric}.mean`)) {
      throw new InputError(`${table.file}: no metric "${metric}" (no column ${metric}.mean); name one with --metric: ${sweepMetrics(table).join(', ')}`);
    }
    requireColumns(table, [`${metric}.ci95`, 'n'], `the metric ${metric}`);
    checkOneGroupPerKey(table, keys, groupsOf);
    return table.rows.map((r) => ({
      key: Object.fromEntries(keys.map((k) => [k, r[k]])),
      n: Number(r.n),
      mean: typeof r[`${metric}.mean`] === 'number' ? (r[`${metric}.mean`] as number) : NaN,
      ci95: typeof r[`${metric}.ci95`] === 'number' ? (r[`${metric}.ci95`] as number) : NaN,
    }));
  }
  const table = filterRows(runsTable(results), options.where ?? []);
  requireColumns(table, keys, 'the groups and series (--x, --color)');
  requireColumns(table, [metric], 'the metric (--metric)');
  checkOneGroupPerKey(table, keys, groupsOf);
  const byKey = new Map<string, { key: MetricRow['key']; values: number[] }>();
  for (const r of table.rows) {
    const key = Object.fromEntries(keys.map((k) => [k, r[k]]));
    const id = JSON.stringify(keys.map((k) => r[k]));
    const g = byKey.get(id) ?? { key, values: [] };
    byKey.set(id, g);
    if (typeof r[metric] === 'number') g.values.push(r[metric] as number);
  }
  return [...byKey.values()].map((g) => ({ key: g.key, ...meanInterval(g.values) }));
}

/** Refuse figures whose groups (the values of `keys`) would each mix several values of another swept column. */
function checkOneGroupPerKey(table: Table, keys: readonly string[], groups: readonly string[]): void {
  const others = groups.filter((c) => !keys.includes(c));
  if (mixedWithin(table, keys, others).length === 0) return;
  const vary = varying(table, others);
  throw new InputError(`${table.file}: ${vary.join(', ')} also vary; the figure shows ${keys.join(' and ')}: choose with --where (e.g. --where ${vary[0]}=${distinct(table, vary[0])[0]})`);
}

/** Default columns: the swept ones that vary, first for x, next for colour. */
function defaultKeys(results: string, options: PlotOptions): { x: string; color: string } {
  const kind = resultsKind(results);
  const table = filterRows(kind === 'sweep' && existsSync(join(results, TABLES.aggregate)) ? readTable(join(results, TABLES.aggregate)) : runsTable(results), options.where ?? []);
  const vary = varying(table, groupColumns(results));
  const x = options.x ?? vary.find((c) => c !== options.color) ?? groupColumns(results)[0];
  const color = options.color ?? vary.find((c) => c !== x) ?? x;
  return { x, color };
}

/**
 * The metric a figure shows when none is named: for an experiment its column; for a sweep the
 * first of `sweepNames` its aggregate has (pipeline, serverless and accelerator runs name their
 * violation ratios differently), else the first, so the error names what was looked for.
 */
function defaultMetric(results: string, sweepNames: readonly string[], experimentName: string): string {
  if (resultsKind(results) !== 'sweep' || !existsSync(join(results, TABLES.aggregate))) return experimentName;
  const metrics = sweepMetrics(readTable(join(results, TABLES.aggregate)));
  return sweepNames.find((m) => metrics.includes(m)) ?? sweepNames[0];
}

/** The metrics of a sweep's aggregate table: its columns without the .mean/.sd/.ci95 suffix. */
function sweepMetrics(aggregate: Table): string[] {
  return aggregate.columns.filter((c) => c.endsWith('.mean')).map((c) => c.slice(0, -'.mean'.length));
}

// ---------------------------------------------------------------------------------------------
// bars: a metric per group and policy with 95% intervals

function bars(results: string, options: PlotOptions): Figure {
  const metrics = options.metrics?.length
    ? options.metrics
    : resultsKind(results) === 'run'
      ? ['violation_ratio', 'latency_p99'] // per application of a serverless or accelerator run
      : [defaultMetric(results, ['sloViolationRatio', 'violationRatio'], 'sla_violation_ratio')];
  const { x, color } = defaultKeys(results, options);
  const keys = [...new Set([x, color])];
  const rows: Row[] = [];
  for (const metric of metrics) {
    for (const m of metricRows(results, metric, keys, options)) rows.push({ metric, group: displayValue(m.key[x]), series: displayValue(m.key[color]), ...intervalFields(m) });
  }
  const groups = ordered(rows.map((r) => String(r.group)), WORKLOAD_ORDER);
  const series = seriesOrder(rows);
  // A metric that is 0 everywhere (no violations) would get an empty [0, 0] axis.
  const allZero = (metric: string) => rows.every((r) => r.metric !== metric || ((r.mean ?? 0) === 0 && (r.high ?? 0) === 0));
  // Steps wide enough for the longest group label (6.5 px a character on average), so labels never
  // overlap: per group without series; per bar with them (with xOffset the step is the offset
  // band's, and a group's band is its bars plus padding).
  const longest = Math.max(...groups.map((g) => g.length));
  const step = x === color ? Math.max(40, 7 * longest) : Math.max(16, Math.ceil((6 * longest) / series.length));
  const panel = (metric: string) => ({
    transform: [{ filter: { field: 'metric', equal: metric } }],
    width: { step },
    height: 180,
    encoding: {
      x: { field: 'group', type: 'nominal', title: x === color ? null : columnTitle(x), sort: groups, axis: { labelAngle: 0 } },
      ...(x === color ? {} : { xOffset: { field: 'series', sort: series } }),
      color: colourBy(series, color),
    },
    layer: [
      { mark: { type: 'bar', tooltip: { content: 'data' } }, encoding: { y: { field: 'mean', type: 'quantitative', title: metricTitle(metric), ...(isCount(metric) ? { axis: COUNT_AXIS } : {}), ...(allZero(metric) ? { scale: { domain: [0, 1] } } : {}) } } },
      { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
    ],
  });
  return {
    spec: topLevel(options, { data: { values: rows }, hconcat: metrics.map(panel), resolve: { scale: { y: 'independent' } } }),
    columns: ['metric', 'group', 'series', 'n', 'mean', 'ci95', 'low', 'high'],
    rows,
  };
}

// ---------------------------------------------------------------------------------------------
// pareto: accuracy against cost, the front marked

function pareto(results: string, options: PlotOptions): Figure {
  const costMetric = options.x ?? defaultMetric(results, ['cost.meanCores', 'cost.perRequest'], 'mean_cores');
  const accuracyMetric = options.y ?? defaultMetric(results, [ACCURACY_METRIC], 'mean_accuracy');
  const kind = resultsKind(results);
  const table = kind === 'sweep' && existsSync(join(results, TABLES.aggregate)) ? readTable(join(results, TABLES.aggregate)) : runsTable(results);
  const filtered = filterRows(table, options.where ?? []);
  const vary = varying(filtered, groupColumns(results));
  const color = options.color ?? (vary.includes('policy') ? 'policy' : (vary[0] ?? groupColumns(results)[0]));
  // An experiment's points are its policies under one condition: a front across workloads or
  // pipelines would compare runs that served different loads.
  if (kind === 'experiment') single(filtered, [color], groupColumns(results), 'a Pareto figure');
  // A point per combination of everything that varies; coloured by `color`.
  const keys = [color, ...vary.filter((c) => c !== color)];
  const cost = metricRows(results, costMetric, keys, options);
  const accuracy = metricRows(results, accuracyMetric, keys, options);
  const rows: Row[] = cost.map((c, i) => ({
    series: displayValue(c.key[color]),
    point: keys.map((k) => displayValue(c.key[k])).join(' / '),
    cost: Number.isFinite(c.mean) ? c.mean : null,
    accuracy: Number.isFinite(accuracy[i].mean) ? accuracy[i].mean : null,
    front: false,
  }));
  const valid = rows.filter((r) => r.cost !== null && r.accuracy !== null);
  if (valid.length === 0) throw new InputError(`${results}: no rows with both ${costMetric} and ${accuracyMetric}`);
  // Pareto front: no other point is at most as costly and at least as accurate, and better in one.
  for (const r of valid) {
    const dominated = valid.some((o) => o !== r && (o.cost as number) <= (r.cost as number) && (o.accuracy as number) >= (r.accuracy as number) && ((o.cost as number) < (r.cost as number) || (o.accuracy as number) > (r.accuracy as number)));
    r.front = !dominated;
  }
  const series = seriesOrder(rows);
  const x = { field: 'cost', type: 'quantitative', title: metricTitle(costMetric), scale: { zero: false } };
  const y = { field: 'accuracy', type: 'quantitative', title: metricTitle(accuracyMetric), scale: { zero: false } };
  return {
    spec: topLevel(options, {
      width: 360,
      height: 240,
      data: { values: rows },
      layer: [
        { transform: [{ filter: 'datum.front' }], mark: { type: 'line', interpolate: 'step-after', color: '#888888', strokeDash: [4, 3] }, encoding: { x: { ...x, sort: null }, y, order: { field: 'cost' } } },
        // Points on the front filled, the others hollow.
        ...[true, false].map((front) => ({
          transform: [{ filter: front ? 'datum.front' : '!datum.front' }],
          mark: { type: 'point', size: 60, strokeWidth: 1.5, filled: front, tooltip: { content: 'data' } },
          encoding: { x, y, color: colourBy(series, color) },
        })),
      ],
    }),
    columns: ['series', 'point', 'cost', 'accuracy', 'front'],
    rows,
  };
}

// ---------------------------------------------------------------------------------------------
// sweep: a metric against a swept parameter, with a confidence band

function sweepLines(results: string, options: PlotOptions): Figure {
  const metric = options.metrics?.[0] ?? defaultMetric(results, ['latency.p99', 'violationRatio'], 'latency_p99');
  const { x, color } = defaultKeys(results, options);
  const keys = [...new Set([x, color])];
  const rows: Row[] = metricRows(results, metric, keys, options).map((m) => {
    const value = m.key[x];
    if (typeof value !== 'number') throw new InputError(`${results}: ${x} = ${JSON.stringify(value)} is not a number; a sweep figure needs a numeric swept parameter on x (--x)`);
    // Nothing varies but x (the colour fell back to it): one line, not a point per colour.
    return { x: value, series: color === x ? metric : displayValue(m.key[color]), ...intervalFields(m) };
  });
  const series = seriesOrder(rows);
  // The legend shows the lines, not the translucent bands.
  const colour = colourBy(series, color === x ? null : color, { symbolType: 'stroke', symbolOpacity: 1 });
  const xEnc = { field: 'x', type: 'quantitative', title: columnTitle(x), scale: { zero: false } };
  return {
    spec: topLevel(options, {
      width: 360,
      height: 220,
      data: { values: rows },
      layer: [
        { mark: { type: 'area', opacity: 0.18 }, encoding: { x: xEnc, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color: colour } },
        { mark: { type: 'line', point: true, tooltip: { content: 'data' } }, encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative', title: metricTitle(metric) }, color: colour } },
      ],
    }),
    columns: ['x', 'series', 'n', 'mean', 'ci95', 'low', 'high'],
    rows,
  };
}
