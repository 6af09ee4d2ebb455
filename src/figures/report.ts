import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { IPA_FILES } from '../experiments/ipa.js';
import { csvNumber } from '../metrics/csv.js';
import { RUN_FILES } from '../kinds/pipeline/run-folder.js';
import { SCENARIO_KINDS } from '../kinds/registry.js';
import { flattenSummary } from '../sweep/collect.js';
import { readManifest, STORE, TABLES } from '../sweep/store.js';
import { PIPESIM_VERSION } from '../version.js';
import { ACCURACY_METRIC, buildFigure, columnTitle, metricTitle, type Figure, type PlotKind, type PlotOptions } from './kinds.js';
import { displayValue, FONT_FAMILY } from './style.js';
import { distinct, readTable, resultsKind, runFolderOf, runsTable, type Row, type Table } from './tables.js';

/** The browser builds of vega, vega-lite and vega-embed, inlined so the report opens without a network. */
const LIBRARIES = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
] as const;

/** A package's folder (its `exports` hide the browser builds from require.resolve): up from its entry point. */
function packageFolder(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  while (!(existsSync(join(dir, 'package.json')) && (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === name)) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the folder of the ${name} package`);
    dir = up;
  }
  return dir;
}

/** Summary metrics shown in a sweep's or experiment's table, when the results have them. */
const KEY_METRICS = [
  'sloViolationRatio',
  'violationRatio',
  'sla_violation_ratio',
  'latency.p99',
  'latency_p99',
  'latency.mean',
  'cost.meanCores',
  'mean_cores',
  'cost.perRequest',
  ACCURACY_METRIC,
  'mean_accuracy',
  'goodput',
];

interface Section {
  title: string;
  figure: Figure;
}

export interface ReportResult {
  html: string;
  figures: string[];
  /** Figures that did not apply, with the reason. */
  skipped: string[];
}

/** A run's stages as a table (summary.json's `stages`): replicas, utilisation, waiting, service, batch. */
function stageTable(summary: Record<string, unknown>): Table {
  type Stage = { name: string; replicas: number; meanReplicas: number | null; utilization: number | null; wait: { mean: number | null; p99: number | null }; service: { mean: number | null }; meanBatchSize: number | null };
  const stages = (summary.stages ?? []) as Stage[];
  const columns = ['stage', 'replicas', 'mean replicas', 'utilisation', 'wait mean (s)', 'wait p99 (s)', 'service mean (s)', 'mean batch'];
  return {
    file: RUN_FILES.summary,
    columns,
    rows: stages.map((s) => ({
      stage: s.name,
      replicas: s.replicas,
      'mean replicas': s.meanReplicas,
      utilisation: s.utilization,
      'wait mean (s)': s.wait.mean,
      'wait p99 (s)': s.wait.p99,
      'service mean (s)': s.service.mean,
      'mean batch': s.meanBatchSize,
    })),
  };
}

/**
 * One self-contained HTML page for a run, sweep or experiment folder: scenario, version, seeds,
 * tables, interactive figures. `reportFile` is where the page goes: paths on it are relative to it.
 */
export function buildReport(results: string, reportFile = join(results, 'report.html')): ReportResult {
  const shown = relative(dirname(resolve(reportFile)), resolve(results)) || '.';
  const kind = resultsKind(results);
  const sections: Section[] = [];
  const skipped: string[] = [];
  const add = (title: string, plot: PlotKind, options: PlotOptions = {}) => {
    try {
      sections.push({ title, figure: buildFigure(plot, results, options) });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      skipped.push(`${title}: ${err.message}`);
    }
  };
  let facts: [string, string][];
  let tables: { title: string; table: Table; columns: string[] }[] = [];
  let scenarioText: string;
  let scenarioTitle = 'Scenario';
  let name = basename(results);

  if (kind === 'run') {
    const summary = JSON.parse(readFileSync(join(results, RUN_FILES.summary), 'utf8')) as Record<string, unknown>;
    facts = [
      ['results', shown],
      ['kind', 'one run'],
      ['pipesim', `${String(summary.pipesim)} (report by ${PIPESIM_VERSION})`],
      ['seed', String(summary.seed)],
    ];
    const metrics = [...flattenSummary(summary)].map(([metric, value]) => ({ metric, value }));
    tables = [{ title: 'Summary', table: { file: RUN_FILES.summary, columns: ['metric', 'value'], rows: metrics }, columns: ['metric', 'value'] }];
    const stages = stageTable(summary);
    if (stages.rows.length > 0) tables.unshift({ title: 'Stages', table: stages, columns: stages.columns });
    scenarioText = readOptional(join(results, RUN_FILES.scenario));
    scenarioTitle = 'Scenario (as run)';
    name = String(summary.scenario ?? basename(results));
    const entities = SCENARIO_KINDS.find((k) => k.key === summary.kind)?.entityTable;
    if (entities !== undefined) add(entities.title, 'bars', { metrics: [...entities.metrics] });
    if (existsSync(join(results, RUN_FILES.adaptation))) {
      add('Cost and accuracy over time', 'timeline');
      add('p99 latency and SLA violations over time', 'timeline', { panels: 'latency' });
    }
    if (existsSync(join(results, RUN_FILES.timeseries))) {
      add('Latency, throughput, queues and utilisation over time', 'over-time');
      add('Per-second p99 latency', 'cdf');
    }
  } else if (kind === 'sweep') {
    const manifest = readManifest(results);
    const runs = runsTable(results);
    facts = [
      ['results', shown],
      ['kind', `sweep "${manifest.name}" (${manifest.hash})`],
      ['pipesim', `${versionOf(join(results, STORE.runs, String(runs.rows[0]?.run_id ?? '')))} (report by ${PIPESIM_VERSION})`],
      ['runs', `${runs.rows.length} collected of ${manifest.runs.length}`],
      ['swept', manifest.columns.join(', ') || '(seeds only)'],
      ['seeds', seedList(runs)],
    ];
    const aggregate = readTable(join(results, TABLES.aggregate));
    const metrics = KEY_METRICS.filter((m) => aggregate.columns.includes(`${m}.mean`));
    tables = [{ title: 'Mean and 95% interval over seeds (all metrics: aggregate.csv)', table: withIntervals(aggregate, metrics), columns: [...manifest.columns, 'n', ...metrics] }];
    const first = runs.rows[0];
    scenarioText = readOptional(join(results, STORE.runs, String(first?.run_id ?? ''), RUN_FILES.scenario));
    // The runs differ in the swept values and seeds: say which one's resolved scenario this is.
    scenarioTitle = first === undefined ? 'Scenario' : `Scenario of run ${String(first.run_id)} (${[...manifest.columns.map((c) => `${c} = ${displayValue(first[c])}`), `seed ${String(first.seed)}`].join(', ')}; the others differ in these values)`;
    name = manifest.name;
    const metric = metrics.find((m) => m.toLowerCase().includes('violation'));
    add('Metrics per swept value', 'bars', { metrics: metrics.slice(0, 2) });
    const numeric = manifest.columns.find((c) => distinct(aggregate, c).length > 2 && aggregate.rows.every((r) => typeof r[c] === 'number'));
    if (numeric !== undefined && metrics.length > 0) add(`${metricTitle(metric ?? metrics[0])} against ${columnTitle(numeric)}`, 'sweep', { x: numeric, metrics: metric ? [metric] : metrics.slice(0, 1) });
    // Only adaptive runs have an accuracy to weigh against cost.
    if (aggregate.columns.includes(`${ACCURACY_METRIC}.mean`)) add('Accuracy against cost', 'pareto');
    add('Per-second p99 latency', 'cdf');
    const firstSeed = runs.rows[0]?.seed;
    if (firstSeed !== undefined && existsSync(join(results, STORE.runs, String(runs.rows[0].run_id), RUN_FILES.adaptation))) {
      add(`Cost and accuracy over time (seed ${firstSeed})`, 'timeline', { where: [{ column: 'seed', value: String(firstSeed) }] });
    }
  } else {
    const runs = readTable(join(results, IPA_FILES.runs));
    const first = runs.rows[0];
    const firstRun = first ? runFolderOf(results, first) : results;
    facts = [
      ['results', shown],
      ['kind', 'IPA experiment (pipesim experiment ipa)'],
      ['pipesim', `${versionOf(firstRun)} (report by ${PIPESIM_VERSION})`],
      ['runs', String(runs.rows.length)],
      ['seeds', seedList(runs)],
    ];
    const metrics = KEY_METRICS.filter((m) => runs.columns.includes(m));
    const seeds = distinct(runs, 'seed');
    tables = [{ title: 'Runs', table: runs, columns: ['pipeline', 'workload', 'policy', 'predictor', ...(seeds.length > 1 ? ['seed'] : []), ...metrics] }];
    scenarioText = readOptional(join(firstRun, RUN_FILES.scenario));
    scenarioTitle = first === undefined ? 'Scenario' : `Scenario of run ${basename(firstRun)} (the others differ in pipeline, workload, policy, predictor or seed)`;
    name = 'IPA experiment';
    for (const pipeline of distinct(runs, 'pipeline')) {
      for (const predictor of distinct(runs, 'predictor')) {
        const where = [
          { column: 'pipeline', value: pipeline },
          { column: 'predictor', value: predictor },
        ];
        const label = `${pipeline}, ${predictor}`;
        const workloads = distinct({ ...runs, rows: runs.rows.filter((r) => r.pipeline === pipeline && r.predictor === predictor) }, 'workload');
        // A timeline draws one run per line: with several seeds, the first seed's.
        const timelineWhere = seeds.length > 1 ? [...where, { column: 'seed', value: seeds[0] }] : where;
        const ofSeed = seeds.length > 1 ? ` (seed ${seeds[0]})` : '';
        add(`${label}: cost and accuracy over time${ofSeed}`, 'timeline', { where: timelineWhere });
        add(`${label}: p99 latency and SLA violations over time${ofSeed}`, 'timeline', { where: timelineWhere, panels: 'latency' });
        add(`${label}: SLA violations and cores per workload`, 'bars', { where, x: 'workload', color: 'policy', metrics: ['sla_violation_ratio', 'mean_cores'] });
        for (const workload of workloads) {
          const one = [...where, { column: 'workload', value: workload }];
          add(`${label}, ${workload}: per-second p99 latency`, 'cdf', { where: one });
          add(`${label}, ${workload}: accuracy against cost`, 'pareto', { where: one, color: 'policy' });
        }
      }
    }
  }
  return { html: page(name, facts, tables, { title: scenarioTitle, text: scenarioText }, sections, skipped), figures: sections.map((s) => s.title), skipped };
}

function readOptional(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '(not found)';
}

function versionOf(runDir: string): string {
  const file = join(runDir, RUN_FILES.summary);
  if (!existsSync(file)) return 'unknown';
  return String((JSON.parse(readFileSync(file, 'utf8')) as { pipesim?: unknown }).pipesim ?? 'unknown');
}

function seedList(runs: Table): string {
  const seeds = distinct(runs, 'seed');
  return seeds.length > 12 ? `${seeds.length} seeds (${seeds.slice(0, 5).join(', ')}, ...)` : seeds.join(', ');
}

/** An aggregate table with each metric as "mean ± half-width". */
function withIntervals(aggregate: Table, metrics: readonly string[]): Table {
  const rows: Row[] = aggregate.rows.map((r) => {
    const out: Row = { ...r };
    for (const m of metrics) {
      const mean = r[`${m}.mean`];
      const ci = r[`${m}.ci95`];
      out[m] = typeof mean !== 'number' ? null : typeof ci === 'number' ? `${fmt(mean)} ± ${fmt(ci)}` : fmt(mean);
    }
    return out;
  });
  return { ...aggregate, rows };
}

const fmt = (x: number) => (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(3) : csvNumber(Number(x.toPrecision(4))));

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JavaScript source safe inside a <script> element: no "</script" or "<!--" can end or alter it. */
const scriptSafe = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
/** JSON safe inside a <script> element and still valid JSON: every "<" as its \\u escape. */
const jsonInScript = (json: string) => json.replace(/</g, '\\u003c');

function tableHtml(t: { title: string; table: Table; columns: string[] }): string {
  const cell = (v: Row[string] | undefined) => escapeHtml(v === null || v === undefined ? '' : typeof v === 'number' ? fmt(v) : String(v));
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = t.table.rows.map((r) => `<tr>${t.columns.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${escapeHtml(t.title)}</h2>\n<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function page(name: string, facts: [string, string][], tables: { title: string; table: Table; columns: string[] }[], scenario: { title: string; text: string }, sections: Section[], skipped: string[]): string {
  const libraries = LIBRARIES.map(([name, file]) => `<script>${scriptSafe(readFileSync(join(packageFolder(name), file), 'utf8'))}</script>`).join('\n');
  // In a browser the bundled font may be missing: fall back to similar sans-serif faces.
  const font = `${FONT_FAMILY}, Verdana, Arial, sans-serif`;
  const specs = sections.map((s) => {
    const spec = { ...s.figure.spec, config: { ...(s.figure.spec.config as object), font } };
    return JSON.stringify(spec);
  });
  const figures = sections
    .map((s, i) => `<section class="figure"><h3>${escapeHtml(s.title)}</h3><div id="figure-${i}" class="view"></div><script type="application/json" id="spec-${i}">${jsonInScript(specs[i])}</script></section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>pipesim report: ${escapeHtml(name)}</title>
<style>
body { font-family: ${font}; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; }
dt { font-weight: bold; }
pre { background: #f6f6f6; padding: 1em; overflow: auto; max-height: 30em; font-size: 12px; }
.scroll { overflow-x: auto; }
.figure { margin: 2em 0; }
.skipped { color: #666; font-size: 13px; }
</style>
${libraries}
</head>
<body>
<h1>pipesim report: ${escapeHtml(name)}</h1>
<dl>${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
${tables.map(tableHtml).join('\n')}
<h2>Figures</h2>
${figures}
${skipped.length > 0 ? `<details class="skipped"><summary>${skipped.length} figure(s) not drawn</summary><ul>${skipped.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul></details>` : ''}
<h2>${escapeHtml(scenario.title)}</h2>
<pre>${escapeHtml(scenario.text)}</pre>
<script>
for (const el of document.querySelectorAll('script[id^="spec-"]')) {
  const i = el.id.slice(5);
  // One figure that fails must not stop the others.
  try {
    vegaEmbed('#figure-' + i, JSON.parse(el.textContent), { renderer: 'svg', actions: false }).catch((err) => console.error('figure ' + i + ': ' + err));
  } catch (err) {
    console.error('figure ' + i + ': ' + err);
  }
}
</script>
</body>
</html>
`;
}
