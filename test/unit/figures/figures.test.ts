import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildFigure, columnTitle, metricTitle, type PlotKind, type PlotOptions } from '../../../src/figures/kinds.js';
import { embedFonts, renderSvg, svgToPdf, svgToPng } from '../../../src/figures/render.js';
import { readTable, sloOf } from '../../../src/figures/tables.js';
import { figureCsv, writeFigure } from '../../../src/figures/write.js';
import { parseCsvRecords } from '../../../src/metrics/csv.js';
import opentype from 'opentype.js';
import type { TopLevelSpec } from 'vega-lite';
import { tempDir } from '../../helpers.js';

const POLICIES = ['ipa', 'rim'];
const WORKLOADS = ['bursty', 'steady_low'];

/** A small `pipesim experiment ipa` folder: 2 workloads x 2 policies, 3 adaptation steps each, SLO 1 s; a run per seed. */
function experimentFixture(drop: string[] = [], seeds: number[] = [1]): string {
  const dir = tempDir();
  const cols = ['pipeline', 'workload', 'policy', 'predictor', 'seed', 'step', 'time', 'cores', 'accuracy', 'latency_p99', 'dropped', 'late'].filter((c) => !drop.includes(c));
  const steps = [cols.join(',')];
  const runs = ['pipeline,workload,policy,predictor,seed,mean_cores,mean_accuracy,sla_violation_ratio,latency_p99'];
  WORKLOADS.forEach((w, wi) =>
    POLICIES.forEach((p, pi) => {
      for (const seed of seeds) {
        for (let s = 0; s < 3; s++) {
          const row: Record<string, string | number> = { pipeline: 'video', workload: w, policy: p, predictor: 'lstm', seed, step: s, time: 10 * s, cores: 2 + s + pi, accuracy: 0.5 + 0.1 * pi, latency_p99: 0.2 * (s + 1), dropped: s, late: 0 };
          steps.push(cols.map((c) => row[c]).join(','));
        }
        runs.push(`video,${w},${p},lstm,${seed},${3 + pi + wi + seed * seed},${0.5 + 0.2 * pi},${0.01 * (pi + 1)},${0.5 + pi}`);
        const run = join(dir, 'runs', `video-${w}-${p}-lstm-seed${seed}`);
        mkdirSync(run, { recursive: true });
        writeFileSync(join(run, 'timeseries.csv'), 'time,latency_p99\n' + Array.from({ length: 50 }, (_, i) => `${i},${((i * 7 + pi * 13 + seed) % 50) / 40}`).join('\n') + '\n');
        writeFileSync(join(run, 'scenario.yaml'), 'slo: 1\n');
      }
    }),
  );
  writeFileSync(join(dir, 'steps.csv'), steps.join('\n') + '\n');
  writeFileSync(join(dir, 'runs.csv'), runs.join('\n') + '\n');
  return dir;
}

/** A small collected sweep: policy x rate, with aggregate means and intervals. */
function sweepFixture(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ columns: ['policy', 'rate'] }));
  const agg = ['policy,rate,n,latency.p99.mean,latency.p99.sd,latency.p99.ci95,cost.meanCores.mean,cost.meanCores.sd,cost.meanCores.ci95,adaptation.meanAccuracy.objective.mean,adaptation.meanAccuracy.objective.sd,adaptation.meanAccuracy.objective.ci95,byTenant.bert.goodput.mean,byTenant.bert.goodput.sd,byTenant.bert.goodput.ci95'];
  const costs: Record<string, number> = { fcfs: 2, edf: 3, sjf: 4 };
  const accuracies: Record<string, number> = { fcfs: 0.5, edf: 0.8, sjf: 0.7 }; // sjf: dearer and less accurate than edf
  for (const policy of ['fcfs', 'edf', 'sjf']) {
    for (const rate of [10, 20, 30]) agg.push(`${policy},${rate},5,${rate / 100 + costs[policy] / 10},0.01,0.012,${costs[policy]},0,,${accuracies[policy]},0,,${rate},0,`);
  }
  writeFileSync(join(dir, 'aggregate.csv'), agg.join('\n') + '\n');
  writeFileSync(join(dir, 'runs.csv'), 'run_id,policy,rate,seed\n');
  return dir;
}

/** Number of drawn items of a mark type: paths for lines, bars, areas and symbols; lines for rules. */
function marks(svg: string, type: 'line' | 'rect' | 'rule' | 'symbol' | 'area'): number {
  let n = 0;
  for (const m of svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g'))) n += (m[1].match(type === 'rule' ? /<line/g : /<path/g) ?? []).length;
  return n;
}
const axisTitles = (svg: string) => [...svg.matchAll(/<g class="mark-text role-axis-title[^"]*"[^>]*>(.*?)<\/g>/g)].flatMap((m) => [...m[1].matchAll(/>([^<>]+)<\/text>/g)].map((t) => t[1]));

async function svgOf(kind: PlotKind, results: string, options: PlotOptions = {}): Promise<string> {
  return renderSvg(buildFigure(kind, results, options).spec as unknown as TopLevelSpec);
}

describe('figures', () => {
  it('timeline: a cell per workload with cost above accuracy, a line per policy; the latency variant', async () => {
    const dir = experimentFixture();
    const svg = await svgOf('timeline', dir);
    expect(marks(svg, 'line')).toBe(WORKLOADS.length * 2 * POLICIES.length);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['cost (cores)', 'accuracy', 'time (s)']));
    expect(svg).toContain('#d7191c'); // IPA's red for ipa
    expect(svg).toContain('#253494'); // and its blue for rim
    const latency = await svgOf('timeline', dir, { panels: 'latency' });
    expect(marks(latency, 'line')).toBe(WORKLOADS.length * 2 * POLICIES.length);
    expect(axisTitles(latency)).toEqual(expect.arrayContaining(['p99 latency (s)', 'SLA violations']));
  });

  it('timeline from a sweep: cells and lines from swept columns; two seeds in a line are refused', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ hash: 'h', columns: ['workload.arrivals.path', 'name'], runs: [] }));
    const runs = ['run_id,workload.arrivals.path,name,seed'];
    let n = 0;
    for (const trace of ['../traces/ipa/steady_low.txt', '../traces/ipa/bursty.txt']) {
      for (const name of ['rim', 'ipa']) {
        for (const seed of [1, 2]) {
          const id = `r${n++}`;
          runs.push(`${id},${trace},${name},${seed}`);
          mkdirSync(join(dir, 'runs', id), { recursive: true });
          writeFileSync(join(dir, 'runs', id, 'adaptation.csv'), 'time,cores,accuracy\n0,2,0.5\n10,3,0.5\n20,4,1\n');
        }
      }
    }
    writeFileSync(join(dir, 'runs.csv'), runs.join('\n') + '\n');
    expect(() => buildFigure('timeline', dir, { color: 'name', facet: 'workload.arrivals.path' })).toThrow('2 values of seed (1, 2); a timeline shows one: add --where seed=1');
    const figure = buildFigure('timeline', dir, { color: 'name', facet: 'workload.arrivals.path', where: [{ column: 'seed', value: '1' }] });
    expect(figure.rows).toHaveLength(2 * 2 * 3);
    const svg = await renderSvg(figure.spec as unknown as TopLevelSpec);
    expect(marks(svg, 'line')).toBe(2 * 2 * 2); // cells x panels x lines
    // Cells in IPA's workload order, titled by the trace's name.
    expect(svg.indexOf('>bursty</text>')).toBeGreaterThan(0);
    expect(svg.indexOf('>bursty</text>')).toBeLessThan(svg.indexOf('>steady low</text>'));
  });

  it('cdf: a step line per policy from the per-second p99s, and the SLA as a rule', async () => {
    const dir = experimentFixture();
    expect(() => buildFigure('cdf', dir)).toThrow('2 values of workload (bursty, steady_low); a latency CDF shows one: add --where workload=bursty');
    const figure = buildFigure('cdf', dir, { where: [{ column: 'workload', value: 'bursty' }] });
    // 50 seconds per run: the CDF reaches 1 at the largest, in steps of 1/50.
    const ipa = figure.rows.filter((r) => r.series === 'ipa');
    expect(ipa).toHaveLength(50);
    expect(ipa.at(-1)).toMatchObject({ fraction: 1, latency: 49 / 40 });
    expect(ipa[0]).toMatchObject({ fraction: 1 / 50, latency: 0 });
    const svg = await renderSvg(figure.spec as unknown as TopLevelSpec);
    expect(marks(svg, 'line')).toBe(POLICIES.length);
    expect(marks(svg, 'rule')).toBe(1);
    expect(svg).toContain('>SLA</text>');
    expect(axisTitles(svg)).toEqual(['p99 latency per second (s)', 'CDF']);
  });

  it('bars: a bar per group and policy with interval whiskers, a panel per metric', async () => {
    const dir = sweepFixture();
    const figure = buildFigure('bars', dir, { metrics: ['latency.p99', 'cost.meanCores'] });
    const svg = await renderSvg(figure.spec as unknown as TopLevelSpec);
    expect(marks(svg, 'rect')).toBe(2 * 9);
    expect(marks(svg, 'rule')).toBe(9); // cost has no interval (sd 0, no ci95): no whiskers drawn
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['p99 latency (s)', 'cores (mean)', 'policy']));
    const edf20 = figure.rows.find((r) => r.metric === 'latency.p99' && r.group === 'edf' && r.series === '20');
    expect(edf20).toMatchObject({ mean: 0.5, ci95: 0.012, low: 0.488, high: 0.512, n: 5 });
    // A tenant's metric is titled by the tenant and the metric.
    const tenant = await renderSvg(buildFigure('bars', dir, { metrics: ['byTenant.bert.goodput'] }).spec as unknown as TopLevelSpec);
    expect(axisTitles(tenant)).toContain('bert: goodput (requests/s)');
    // From an experiment's runs.csv: one run per cell, no interval.
    const exp = buildFigure('bars', experimentFixture(), { metrics: ['sla_violation_ratio'] });
    expect(exp.rows).toHaveLength(4);
    expect(exp.rows.every((r) => r.ci95 === null)).toBe(true);
  });

  it('pareto: a point per configuration, the non-dominated ones on the front', async () => {
    const dir = sweepFixture();
    const figure = buildFigure('pareto', dir, { where: [{ column: 'rate', value: '10' }] });
    expect(Object.fromEntries(figure.rows.map((r) => [r.series, r.front]))).toEqual({ fcfs: true, edf: true, sjf: false });
    const svg = await renderSvg(figure.spec as unknown as TopLevelSpec);
    expect(marks(svg, 'symbol')).toBe(3);
    expect(marks(svg, 'line')).toBe(1);
    expect(axisTitles(svg)).toEqual(['cores (mean)', 'accuracy (mean)']);
  });

  it('sweep: a line and a band per policy against the swept parameter', async () => {
    const dir = sweepFixture();
    const svg = await svgOf('sweep', dir, { x: 'rate', color: 'policy', metrics: ['latency.p99'] });
    expect(marks(svg, 'line')).toBe(3);
    expect(marks(svg, 'area')).toBe(3);
    expect(axisTitles(svg)).toEqual(['rate', 'p99 latency (s)']);
    expect(() => buildFigure('sweep', dir, { x: 'policy', color: 'rate' })).toThrow('policy = "fcfs" is not a number');
  });

  it('axis and legend titles: readable names for swept settings, and --xlabel, --ylabel, --legend-title on every kind', async () => {
    expect(columnTitle('workload.arrivals.rate')).toBe('arrival rate (requests/s)');
    expect(columnTitle('pipeline.stages[1].replicas')).toBe('replicas of stage 2');
    expect(columnTitle('pipeline.stages[0].batch.max')).toBe('largest batch of stage 1');
    expect(columnTitle('accelerator.services[0].arrivals.rate')).toBe('arrival rate of service 1 (requests/s)');
    expect(columnTitle('policy')).toBe('policy');
    // Metrics: named, latency statistics and rates with their unit, any other spelled out in words.
    for (const [metric, title] of [
      ['latency.p50', 'p50 latency (s)'],
      ['latency_p99', 'p99 latency (s)'],
      ['throughput', 'throughput (requests/s)'],
      ['arrivalRate', 'arrival rate (requests/s)'],
      ['requests.inFlight', 'requests in flight'],
      ['requests.completed', 'requests completed'],
      ['requests.droppedByReason.deadline', 'requests dropped (deadline)'],
      ['inSystem.mean', 'requests in the system (mean)'],
      ['sla_violations', 'SLA violations'],
      ['byTenant.bert.latency.p99', 'bert: p99 latency (s)'],
    ]) {
      expect(metricTitle(metric), metric).toBe(title);
    }
    const dir = sweepFixture();
    // Only x varies (the colour falls back to it): one line through the points, no legend.
    const single = buildFigure('sweep', dir, { x: 'rate', where: [{ column: 'policy', value: 'fcfs' }], metrics: ['latency.p99'] });
    expect(new Set(single.rows.map((r) => r.series))).toEqual(new Set(['latency.p99']));
    const singleSvg = await renderSvg(single.spec as unknown as TopLevelSpec);
    expect(marks(singleSvg, 'line')).toBe(1);
    expect(singleSvg).not.toContain('role-legend');
    expect(axisTitles(singleSvg)).toEqual(['rate', 'p99 latency (s)']);
    const labels = { xlabel: 'load (req/s)', ylabel: 'tail (s)', legendTitle: 'scheduler' };
    for (const [kind, options] of [
      ['sweep', { x: 'rate', color: 'policy', metrics: ['latency.p99'] }],
      ['bars', { x: 'rate', color: 'policy', metrics: ['latency.p99'] }],
      ['pareto', { where: [{ column: 'rate', value: '10' }] }],
    ] as [PlotKind, PlotOptions][]) {
      const svg = await svgOf(kind, dir, { ...options, ...labels });
      expect(axisTitles(svg), kind).toEqual(['load (req/s)', 'tail (s)']);
      expect(svg, kind).toContain('>scheduler</text>');
    }
    const experiment = experimentFixture();
    const cdf = await svgOf('cdf', experiment, { ...labels, where: [{ column: 'workload', value: 'bursty' }] });
    expect(axisTitles(cdf)).toEqual(['load (req/s)', 'tail (s)']);
    expect(cdf).toContain('>scheduler</text>');
    const timeline = await svgOf('timeline', experiment, labels);
    expect(axisTitles(timeline)).toEqual(expect.arrayContaining(['load (req/s)', 'tail (s)']));
    expect(axisTitles(timeline)).not.toContain('cost (cores)');
    // Count panels tick at whole numbers only.
    expect(JSON.stringify(buildFigure('timeline', experiment, { panels: 'latency' }).spec)).toContain('"field":"violations","type":"quantitative","title":"SLA violations","axis":{"tickMinStep":1,"format":"d"}');
  });

  it("the SLA line comes from the run's slo, else its profile, a shipped name or a file named from the run folder", () => {
    const dir = tempDir();
    const run = join(dir, 'runs', 'one');
    mkdirSync(run, { recursive: true });
    copyFileSync('profiles/ipa/video.yaml', join(dir, 'my-video.yaml'));
    const slaOf = (scenarioYaml: string) => {
      writeFileSync(join(run, 'scenario.yaml'), scenarioYaml);
      return sloOf(run);
    };
    expect(slaOf('slo: 0.5\npipeline: {profile: video}\n')).toBe(0.5);
    expect(slaOf('pipeline: {profile: video}\n')).toBe(6.89);
    expect(slaOf('pipeline: {profile: ../../my-video.yaml}\n')).toBe(6.89);
    expect(slaOf('pipeline: {profile: ../../missing.yaml}\n')).toBeUndefined();
  });

  it('over-time: latency quantiles, throughput, queues and utilisation of any run, from its time series', async () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    expect(spawnSync(process.execPath, ['bin/pipesim.js', 'run', 'scenarios/quickstart.yaml', '-q', '--set', 'duration=1m', '--out', run]).status).toBe(0);
    const figure = buildFigure('over-time', run);
    const seconds = readTable(join(run, 'timeseries.csv')).rows.length;
    const stageRows = readTable(join(run, 'stage_timeseries.csv')).rows;
    const panel = (name: string) => figure.rows.filter((r) => r.panel === name);
    expect(panel('latency')).toHaveLength(2 * seconds);
    expect(panel('throughput').map((r) => r.value)).toEqual(readTable(join(run, 'timeseries.csv')).rows.map((r) => r.throughput));
    expect(panel('queue').map((r) => r.value)).toEqual(stageRows.map((r) => r.queue));
    expect(new Set(panel('utilization').map((r) => r.series))).toEqual(new Set(['detect', 'classify']));
    const svg = await renderSvg(figure.spec as unknown as TopLevelSpec);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['latency (s)', 'throughput (requests/s)', 'queue (requests)', 'utilisation', 'time (s)']));
    expect(() => buildFigure('over-time', sweepFixture())).toThrow(/over-time draws one run/);
  });

  it('cdf of one run: no one-entry legend, and an SLA below every point is drawn inside the plot, not on the axis', async () => {
    const run = join(tempDir(), 'run');
    mkdirSync(run);
    writeFileSync(join(run, 'summary.json'), '{}');
    writeFileSync(join(run, 'timeseries.csv'), 'time,latency_p99\n' + Array.from({ length: 100 }, (_, i) => `${i},${0.13 + i / 1000}`).join('\n') + '\n');
    const figure = buildFigure('cdf', run, { sla: 0.001 });
    const layer = (figure.spec.layer as { encoding: { x: { scale?: Record<string, unknown> }; color?: { legend: unknown } } }[])[0];
    expect(layer.encoding.color?.legend).toBeNull();
    expect(layer.encoding.x.scale).toMatchObject({ padding: 12 });
    const svg = await renderSvg(figure.spec as unknown as TopLevelSpec);
    expect(svg).not.toContain('role-legend');
    // The rule is drawn at least the padding away from the y axis (x = 0 of the plot).
    const rule = /<g class="mark-rule role-mark[^"]*"[^>]*><line [^>]*transform="translate\(([\d.]+),/.exec(svg);
    expect(Number(rule?.[1])).toBeGreaterThanOrEqual(10);
    // An SLA above every point widens the axis to show it.
    expect((buildFigure('cdf', run, { sla: 2 }).spec.layer as { encoding: { x: { scale: Record<string, unknown> } } }[])[0].encoding.x.scale).toMatchObject({ domainMax: 2.1 });
  });

  it('cdf: with more seconds than points, and ties, every point is the exact CDF at its latency', () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    mkdirSync(run);
    writeFileSync(join(run, 'summary.json'), '{}');
    // 1,000 seconds with three values (0.1 x 500, 0.2 x 300, 0.3 x 200) and 7 seconds with no completions.
    const p99 = [...Array(500).fill(0.1), ...Array(300).fill(0.2), ...Array(200).fill(0.3)].sort((a, b) => ((a * 7919) % 1) - ((b * 7919) % 1));
    writeFileSync(join(run, 'timeseries.csv'), 'time,latency_p99\n' + [...p99.map((v, i) => `${i},${v}`), ...Array.from({ length: 7 }, (_, i) => `${1000 + i},`)].join('\n') + '\n');
    const figure = buildFigure('cdf', run);
    expect(figure.rows.map((r) => [r.latency, r.fraction])).toEqual([
      [0.1, 0.5],
      [0.2, 0.8],
      [0.3, 1],
    ]);
    // Distinct values: at most 400 points, each an order statistic with its exact fraction.
    writeFileSync(join(run, 'timeseries.csv'), 'time,latency_p99\n' + Array.from({ length: 1000 }, (_, i) => `${i},${((i * 389) % 1000) / 1000}`).join('\n') + '\n');
    const rows = buildFigure('cdf', run).rows;
    expect(rows).toHaveLength(400);
    for (const r of rows) expect(r.fraction).toBeCloseTo(((r.latency as number) * 1000 + 1) / 1000, 12);
    expect(rows.at(-1)).toMatchObject({ latency: 0.999, fraction: 1 });
  });

  it('an experiment over seeds: bars are the mean with a t interval; other varying columns are refused, not mixed', () => {
    const dir = experimentFixture([], [1, 2]);
    const bars = buildFigure('bars', dir, { metrics: ['mean_cores'] });
    const ipaBursty = bars.rows.find((r) => r.group === 'bursty' && r.series === 'ipa');
    // Values 4 and 7: mean 5.5, sd 3 / sqrt(2), half-width t(0.975, 1) x sd / sqrt(2) = 12.706 x 1.5.
    expect(ipaBursty?.mean).toBeCloseTo(5.5, 12);
    expect(ipaBursty?.ci95).toBeCloseTo(12.706204736174707 * 1.5, 9);
    expect(ipaBursty?.n).toBe(2);
    // A timeline draws one run per line, so it asks for a seed; a CDF pools the seeds' seconds.
    expect(() => buildFigure('timeline', dir)).toThrow('2 values of seed (1, 2); a timeline shows one: add --where seed=1');
    expect(buildFigure('timeline', dir, { where: [{ column: 'seed', value: '2' }] }).rows).toHaveLength(WORKLOADS.length * POLICIES.length * 3);
    const pooled = buildFigure('cdf', dir, { where: [{ column: 'workload', value: 'bursty' }] });
    // Each run's 50 seconds hold the same 50 latencies in another order, so each appears twice in the 100.
    expect(pooled.rows.filter((r) => r.series === 'ipa').map((r) => r.fraction)).toEqual(Array.from({ length: 50 }, (_, i) => (2 * (i + 1)) / 100));
    // Colour by workload and x by predictor: the policy also varies, and would be averaged away.
    expect(() => buildFigure('bars', dir, { x: 'predictor', color: 'workload' })).toThrow(/policy also vary/);
    expect(() => buildFigure('cdf', dir, { color: 'workload' })).toThrow('2 values of policy (ipa, rim); a latency CDF shows one: add --where policy=ipa');
    expect(() => buildFigure('timeline', dir, { color: 'workload' })).toThrow(/2 values of policy .* a timeline shows one/);
    expect(() => buildFigure('pareto', dir)).toThrow(/2 values of workload .* a Pareto figure shows one/);
  });

  it('--where matches the text, the number or the name shown; no match names the values there', () => {
    const dir = sweepFixture();
    expect(buildFigure('bars', dir, { metrics: ['latency.p99'], where: [{ column: 'rate', value: '20.0' }] }).rows).toHaveLength(3);
    expect(() => buildFigure('bars', dir, { metrics: ['latency.p99'], where: [{ column: 'policy', value: 'lifo' }] })).toThrow('no rows with policy=lifo (its values there: fcfs, edf, sjf)');
    // A swept trace path is shown by its name, and may be picked by it.
    writeFileSync(join(dir, 'aggregate.csv'), readFileSync(join(dir, 'aggregate.csv'), 'utf8').replace(/^fcfs,/gm, '../traces/fcfs.txt,'));
    const picked = buildFigure('bars', dir, { metrics: ['latency.p99'], where: [{ column: 'policy', value: 'fcfs' }] });
    expect(picked.rows.map((r) => Number((r.mean as number).toFixed(9)))).toEqual([0.3, 0.4, 0.5]); // fcfs at rates 10, 20, 30
  });

  it('pareto: a point as costly and less accurate than another is dominated', () => {
    const dir = sweepFixture();
    const agg = readFileSync(join(dir, 'aggregate.csv'), 'utf8').replace(/^sjf,10,5,[^,]*,[^,]*,[^,]*,4,/m, (line) => line.replace(/,4,$/, ',3,'));
    writeFileSync(join(dir, 'aggregate.csv'), agg);
    const figure = buildFigure('pareto', dir, { where: [{ column: 'rate', value: '10' }] });
    expect(figure.rows.find((r) => r.series === 'sjf')).toMatchObject({ cost: 3, front: false });
    expect(figure.rows.find((r) => r.series === 'edf')).toMatchObject({ cost: 3, front: true });
  });

  it('the same input gives byte-identical SVG, PNG and PDF files; data and spec are written beside', async () => {
    const dir = experimentFixture();
    const out = tempDir();
    const first = await writeFigure(buildFigure('timeline', dir), join(out, 'a.svg'));
    await writeFigure(buildFigure('timeline', dir), join(out, 'b.svg'));
    expect(first).toEqual([join(out, 'a.svg'), join(out, 'a.csv'), join(out, 'a.vl.json')]);
    expect(readFileSync(join(out, 'a.svg'), 'utf8')).toBe(readFileSync(join(out, 'b.svg'), 'utf8'));
    // The written SVG carries the glyphs it draws: an embedded subset of DejaVu Sans.
    const written = readFileSync(join(out, 'a.svg'), 'utf8');
    const face = /@font-face\{font-family:"DejaVu Sans";font-weight:normal;src:url\(data:font\/otf;base64,([A-Za-z0-9+/=]+)\)/.exec(written);
    expect(face).not.toBeNull();
    const bytes = Buffer.from(face![1], 'base64');
    const subset = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const drawn = new Set([...written.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].flatMap((m) => [...m[1].replace(/&amp;/g, '&')]));
    expect(drawn.size).toBeGreaterThan(20);
    for (const ch of drawn) expect(subset.charToGlyphIndex(ch), ch).toBeGreaterThan(0);
    expect(subset.glyphs.length).toBe(drawn.size + 1); // and nothing else but .notdef
    const svg = await renderSvg(buildFigure('timeline', dir).spec as unknown as TopLevelSpec);
    expect(svgToPng(svg).equals(svgToPng(svg))).toBe(true);
    expect(svgToPng(svg).subarray(1, 4).toString()).toBe('PNG');
    // PDF: vector, the bundled font embedded, fixed dates: the same bytes twice.
    const pdf = await svgToPdf(svg);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.includes('DejaVuSans')).toBe(true);
    expect(pdf.equals(await svgToPdf(svg))).toBe(true);
    await writeFigure(buildFigure('timeline', dir), join(out, 'c.pdf'));
    expect(readFileSync(join(out, 'c.pdf')).equals(pdf)).toBe(true);
    await expect(writeFigure(buildFigure('timeline', dir), join(out, 'd.jpg'))).rejects.toThrow('d.jpg: expected a .svg, .png or .pdf file name');
    // The CSV holds the plotted rows; the spec is vega-lite with the same rows inline.
    const csv = parseCsvRecords(readFileSync(join(out, 'a.csv'), 'utf8'));
    expect(csv).toHaveLength(WORKLOADS.length * POLICIES.length * 3);
    const spec = JSON.parse(readFileSync(join(out, 'a.vl.json'), 'utf8'));
    expect(spec.$schema).toMatch(/vega-lite/);
    expect(spec.data.values).toHaveLength(csv.length);
    expect(figureCsv(buildFigure('timeline', dir))).toBe(readFileSync(join(out, 'a.csv'), 'utf8'));
  });

  it('embedded fonts do not depend on the clock, and their OpenType checksums hold', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>p99 latency (s)</text><text font-weight="bold">Video</text></svg>';
    vi.useFakeTimers();
    try {
      vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
      const early = embedFonts(svg);
      vi.setSystemTime(new Date('2031-06-15T12:34:56Z'));
      expect(embedFonts(svg)).toBe(early);
      for (const [, base64] of early.matchAll(/base64,([A-Za-z0-9+/=]+)\)/g)) {
        const font = Buffer.from(base64, 'base64');
        const checksum = (bytes: Buffer) => {
          const padded = Buffer.concat([bytes, Buffer.alloc(3)]);
          let s = 0;
          for (let i = 0; i < bytes.length; i += 4) s = (s + padded.readUInt32BE(i)) >>> 0;
          return s;
        };
        expect(checksum(font)).toBe(0xb1b0afba); // the whole-file checksum OpenType requires
        for (let record = 12; record < 12 + 16 * font.readUInt16BE(4); record += 16) {
          const tag = font.toString('latin1', record, record + 4);
          const offset = font.readUInt32BE(record + 8);
          const table = Buffer.from(font.subarray(offset, offset + font.readUInt32BE(record + 12)));
          if (tag === 'head') table.writeUInt32BE(0, 8); // checkSumAdjustment counts as zero
          expect(checksum(table), tag).toBe(font.readUInt32BE(record + 4));
        }
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('a table missing a needed column gives an error naming it', () => {
    expect(() => buildFigure('timeline', experimentFixture(['accuracy']))).toThrow(/steps\.csv: no column "accuracy"/);
    expect(() => buildFigure('bars', sweepFixture(), { metrics: ['goodput'] })).toThrow(/aggregate\.csv: no metric "goodput" \(no column goodput\.mean\); name one with --metric: latency\.p99, cost\.meanCores, adaptation\.meanAccuracy\.objective/);
    expect(() => buildFigure('bars', sweepFixture(), { x: 'tenant' })).toThrow(/no column "tenant"/);
    expect(() => buildFigure('bars', tempDir())).toThrow(/not a pipesim results folder/);
    const empty = experimentFixture();
    writeFileSync(join(empty, 'steps.csv'), readFileSync(join(empty, 'steps.csv'), 'utf8').split('\n')[0] + '\n');
    expect(() => buildFigure('timeline', empty)).toThrow(/nothing to draw/);
  });
});
