import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFigure } from '../../../src/figures/kinds.js';
import { buildReport } from '../../../src/figures/report.js';
import { parseCsvRecords } from '../../../src/metrics/csv.js';
import { tempDir } from '../../helpers.js';

/** Debian's Chromium (installed by .ci/run); no browser is downloaded at install time. */
const CHROMIUM = process.env.PIPESIM_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = resolve('test-artifacts');

let results: string;
let report: string;

beforeAll(() => {
  // A real experiment, small: the video pipeline, 2 workloads x 2 policies.
  results = join(tempDir(), 'ipa');
  const run = spawnSync(process.execPath, [resolve('bin/pipesim.js'), 'experiment', 'ipa', '--pipelines', 'video', '--workloads', 'bursty', 'steady_low', '--policies', 'ipa', 'rim', '--out', results, '-q'], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  report = join(results, 'report.html');
  const cli = spawnSync(process.execPath, [resolve('bin/pipesim.js'), 'report', results, '--out', report], { encoding: 'utf8' });
  expect(cli.status, cli.stderr).toBe(0);
}, 120_000);

describe('pipesim report', () => {
  it('is one self-contained page: scenario, version, seeds, the runs table and every figure that applies', () => {
    const html = readFileSync(report, 'utf8');
    // Nothing is fetched: no external scripts, styles, images or fonts.
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    expect(html).toContain('<dt>seeds</dt><dd>1</dd>');
    expect(html).toMatch(/<dt>pipesim<\/dt><dd>\d+\.\d+\.\d+/);
    expect(html).toContain('profile: video'); // the resolved scenario
    expect((html.match(/<tr><td>video<\/td>/g) ?? []).length).toBe(4); // a row per run
    const { figures, skipped } = buildReport(results);
    expect(figures).toEqual([
      'video, lstm: cost and accuracy over time',
      'video, lstm: p99 latency and SLA violations over time',
      'video, lstm: SLA violations and cores per workload',
      'video, lstm, bursty: per-second p99 latency',
      'video, lstm, bursty: accuracy against cost',
      'video, lstm, steady_low: per-second p99 latency',
      'video, lstm, steady_low: accuracy against cost',
    ]);
    expect(skipped).toEqual([]);
    const specs = [...html.matchAll(/<script type="application\/json" id="spec-\d+">(.*?)<\/script>/gs)].map((m) => JSON.parse(m[1]));
    expect(specs).toHaveLength(figures.length);
    for (const spec of specs) expect(spec.$schema).toMatch(/vega-lite/);
  });

  it('covers a single run and a sweep too; text from the data cannot break the page', () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    expect(spawnSync(process.execPath, [resolve('bin/pipesim.js'), 'run', 'scenarios/quickstart.yaml', '--out', run, '-q', '--set', 'name=q<!--x</script>']).status).toBe(0);
    const single = buildReport(run, join(dir, 'reports', 'run.html'));
    expect(single.figures).toEqual(['Latency, throughput, queues and utilisation over time', 'Per-second p99 latency']);
    expect(single.html).toContain('<dt>seed</dt><dd>1</dd>');
    // Titled by the scenario's name (escaped), its folder named relative to the report; a table per stage.
    expect(single.html).toContain('<h1>pipesim report: q&lt;!--x&lt;/script&gt;</h1>');
    expect(single.html).toContain('<dt>results</dt><dd>../run</dd>');
    const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
    expect(single.html).toContain('<h2>Stages</h2>');
    for (const s of summary.stages) expect(single.html).toContain(`<td>${s.name}</td><td>${s.replicas}</td>`);
    // The name reaches the page only escaped: as HTML text, and inside the spec as \u003c.
    expect(single.html).not.toContain('q<!--x</script>');
    for (const m of single.html.matchAll(/<script type="application\/json" id="spec-\d+">(.*?)<\/script>/gs)) expect(() => JSON.parse(m[1])).not.toThrow();

    // Serverless and accelerator runs: their applications side by side.
    const serverless = join(dir, 'serverless');
    expect(spawnSync(process.execPath, [resolve('bin/pipesim.js'), 'run', 'scenarios/harmonybatch/example.yaml', '--out', serverless, '-q', '--set', 'duration=2m']).status).toBe(0);
    expect(buildReport(serverless)).toMatchObject({ figures: ['Per application'], skipped: [] });
    const perApp = buildFigure('bars', serverless);
    expect(perApp.rows.map((r) => `${r.metric} ${r.group}`)).toEqual(['violation_ratio', 'latency_p99'].flatMap((m) => ['app0', 'app1', 'app2', 'app3'].map((a) => `${m} ${a}`)));
    const apps = parseCsvRecords(readFileSync(join(serverless, 'apps.csv'), 'utf8'));
    expect(perApp.rows.filter((r) => r.metric === 'latency_p99').map((r) => r.mean)).toEqual(apps.map((a) => Number(a.latency_p99)));
    const accelerator = join(dir, 'accelerator');
    expect(spawnSync(process.execPath, [resolve('bin/pipesim.js'), 'run', 'scenarios/abacus/pair.yaml', '--out', accelerator, '-q']).status).toBe(0);
    expect(buildReport(accelerator)).toMatchObject({ figures: ['Per service'], skipped: [] });
    expect(() => buildFigure('cdf', accelerator)).toThrow(/no timeseries\.csv \(serverless and accelerator runs write no per-second series/);

    const sweepFile = join(dir, 'sweep.yaml');
    writeFileSync(sweepFile, `scenario: ${resolve('scenarios/quickstart.yaml')}\ngrid:\n  pipeline.stages[0].replicas: [2, 3, 4]\n  workload.arrivals.rate: [10]\nseeds: 2\n`);
    const out = join(dir, 'sweep');
    expect(spawnSync(process.execPath, [resolve('bin/pipesim.js'), 'sweep', 'run', sweepFile, '--out', out, '--collect', '-q']).status).toBe(0);
    const sweep = buildReport(out);
    // The CDF pools each replica count's two seeds.
    expect(sweep.figures).toEqual(['Metrics per swept value', 'SLA violation ratio against replicas of stage 1', 'Per-second p99 latency']);
    // No accuracy without adaptation: the accuracy-cost figure is not attempted (it was, and listed every column as missing).
    expect(sweep.skipped).toEqual([]);
    expect(sweep.html).toContain('<dt>seeds</dt><dd>1, 2</dd>');
    expect(sweep.html).toContain('<h1>pipesim report: sweep</h1>');
    expect(sweep.html).toMatch(/<h2>Scenario of run [0-9a-f]+ \(pipeline\.stages\[0\]\.replicas = 2, workload\.arrivals\.rate = 10, seed 1; the others differ in these values\)<\/h2>/);
    expect((sweep.html.match(/<tr><td>[234]<\/td>/g) ?? []).length).toBe(3); // a row per swept value, with mean ± interval
    expect(sweep.html).toMatch(/<td>[\d.e-]+ ± [\d.e-]+<\/td>/);
  }, 60_000);

  const browser = existsSync(CHROMIUM)
    ? `renders in headless Chromium (${CHROMIUM}) with no console errors`
    : `renders in headless Chromium: SKIPPED, ${CHROMIUM} is not installed (apt-get install chromium, or set PIPESIM_CHROMIUM)`;
  it.skipIf(!existsSync(CHROMIUM))(browser, async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      // No network here: without these, Chromium keeps trying to reach Google's services.
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`file://${report}`);
      await page.waitForFunction(() => [...document.querySelectorAll('.view')].every((v) => v.querySelector('svg')), null, { timeout: 30_000 });
      const views = await page.$$eval('.view svg', (svgs) => svgs.map((s) => ({ width: s.getBoundingClientRect().width, height: s.getBoundingClientRect().height, marks: s.querySelectorAll('.role-mark path, .role-mark line').length })));
      expect(views).toHaveLength(7);
      for (const v of views) {
        expect(v.width).toBeGreaterThan(100);
        expect(v.height).toBeGreaterThan(100);
        expect(v.marks).toBeGreaterThan(0);
      }
      // Hovering a mark shows its values (vega-tooltip).
      // (A bar of height 0, e.g. no violations, cannot be hovered: take the first mark with an area.)
      const marks = await page.$$('#figure-2 .role-mark path');
      const boxes = await Promise.all(marks.map((m) => m.boundingBox()));
      const visible = marks.find((_, i) => (boxes[i]?.width ?? 0) > 0 && (boxes[i]?.height ?? 0) > 0);
      expect(visible).toBeDefined();
      await visible!.hover();
      await page.waitForSelector('#vg-tooltip-element.visible', { timeout: 5_000 });
      expect(await page.textContent('#vg-tooltip-element')).toMatch(/mean/);
      expect(errors).toEqual([]);
      mkdirSync(ARTIFACTS, { recursive: true });
      const shot = await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      expect(shot.length).toBeGreaterThan(50_000); // a page of tables and seven figures, not a blank one
    } finally {
      await browser.close();
    }
  }, 120_000);
});
