// Derives the shipped profiles of IPA's five pipelines (profiles/ipa/*.yaml) from the IPA data
// snapshot in ../shared/data/ipa (read-only, not part of this repository). The derivation, its rules
// and its limits are described in profiles/README.md; this script is the executable form of it.
//
// Run from the project root after `npm run build`:
//   node scripts/derive-ipa-profiles.mjs [--data DIR] [--out DIR]
// It writes one YAML file per pipeline, validates each with loadPipelineProfile, and prints a report
// (data kept and excluded, every fit with its errors, base allocations, SLAs, sanity checks).
// The output is deterministic: the same data always gives byte-identical files.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { fitLatencyModel, predictLatency } from '../dist/profiles/fit.js';
import { baseAllocation } from '../dist/profiles/allocation.js';
import { loadPipelineProfile } from '../dist/profiles/pipeline-profile.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Command line and inputs
// ---------------------------------------------------------------------------------------------

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const DATA = resolve(argValue('--data') ?? join(ROOT, '..', 'shared', 'data', 'ipa'));
const OUT = resolve(argValue('--out') ?? join(ROOT, 'profiles', 'ipa'));
const CSV_FILE = join(DATA, 'profiling_fragments_from_notebooks.csv');
const ACCURACY_FILE = join(DATA, 'configs', 'accuracies.yaml');
const CONFIG_DIR = join(DATA, 'configs', 'final');

for (const f of [CSV_FILE, ACCURACY_FILE, CONFIG_DIR]) {
  if (!existsSync(f)) {
    console.error(
      `derive-ipa-profiles: the IPA data snapshot is not available (missing ${f}).\n` +
        `This script regenerates profiles/ipa/*.yaml from the read-only data in ../shared/data/ipa (or --data DIR).\n` +
        `pipesim itself does not need that data: it uses the shipped profiles/ipa/*.yaml.`,
    );
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------
// Fixed facts and settings
// ---------------------------------------------------------------------------------------------

/** Batch sizes every variant gets (the optimizer applies the pipeline's batch cap). */
const BATCHES = [1, 2, 4, 8, 16, 32, 64];
/** max_batch_time of every node in IPA's configs: the batcher waits at most this long for a batch to fill. */
const MAX_BATCH_TIME = 1;
/** A run saturated its replica when it completed less than this share of the offered load. */
const SATURATED = 0.9;

/**
 * The five pipelines, their IPA config, and the facts the brief fixes (cross-checked against the
 * configs). `sla`: the end-to-end SLAs IPA ran with, as its Figure 15 notebook draws them
 * (../shared/research/ipa.md section 6); its full profiles, from which its rule computed them, are
 * not public.
 */
const PIPELINES = [
  { name: 'video', config: 'video-1.yaml', dropLimit: 10, threshold: 4, alpha: 2, beta: 1, batchCap: 8, sla: 6.89 },
  { name: 'audio-qa', config: 'sample-audio-qa.yaml', dropLimit: 20, threshold: 1, alpha: 10, beta: 0.5, batchCap: 1, sla: 9.23 },
  { name: 'audio-sent', config: 'sample-audio-sent.yaml', dropLimit: 20, threshold: 1, alpha: 10, beta: 0.5, batchCap: 1, sla: 9.42 },
  { name: 'sum-qa', config: 'sample-sum-qa.yaml', dropLimit: 5, threshold: 5, alpha: 10, beta: 0.5, batchCap: 1, sla: 3.84 },
  { name: 'nlp', config: 'sample-nlp.yaml', dropLimit: 20, threshold: 4, alpha: 10, beta: 0.5, batchCap: 1, sla: 17.61 },
];

/**
 * Public facts about the models (not in the IPA data): total parameters in millions (for load
 * time), GFLOPs per image (YOLOv5 at 640x640, ResNet at 224x224) and encoder layers of the
 * 768-wide BERT-family encoders (their non-embedding compute). The Souvikcmsa sentiment models'
 * architectures are taken from their names (BERT-base, DistilBERT, RoBERTa-base).
 */
const FACTS = {
  yolov5n: { params: 1.9, gflops: 4.5 },
  yolov5s: { params: 7.2, gflops: 16.5 },
  yolov5m: { params: 21.2, gflops: 49.0 },
  yolov5l: { params: 46.5, gflops: 109.1 },
  yolov5x: { params: 86.7, gflops: 205.7 },
  resnet18: { params: 11.7, gflops: 1.8 },
  resnet34: { params: 21.8, gflops: 3.6 },
  resnet50: { params: 25.6, gflops: 4.1 },
  resnet101: { params: 44.5, gflops: 7.8 },
  resnet152: { params: 60.2, gflops: 11.6 },
  'facebook-s2t-small-librispeech-asr': { params: 31 },
  'facebook-s2t-medium-librispeech-asr': { params: 71 },
  'facebook-s2t-large-librispeech-asr': { params: 268 },
  'deepset-roberta-base-squad2': { params: 125, layers: 12 },
  'deepset-xlm-roberta-base-squad2': { params: 278, layers: 12 },
  'distilbert-base-uncased-finetuned-sst-2-english': { params: 67, layers: 6 },
  'Souvikcmsa-BERT_sentiment_analysis': { params: 110, layers: 12 },
  'Souvikcmsa-SentimentAnalysisDistillBERT': { params: 66, layers: 6 },
  'Souvikcmsa-Roberta_Sentiment_Analysis': { params: 125, layers: 12 },
  'dinalzein-xlm-roberta-base-finetuned-language-identification': { params: 278, layers: 12 },
  'Helsinki-NLP-opus-mt-fr-en': { params: 75 },
  'Helsinki-NLP-opus-mt-tc-big-fr-en': { params: 230 },
  'sshleifer-distilbart-xsum-1-1': { params: 83 },
  'sshleifer-distilbart-xsum-12-1': { params: 222 },
  'sshleifer-distilbart-xsum-6-6': { params: 230 },
  'sshleifer-distilbart-xsum-12-3': { params: 255 },
  'sshleifer-distilbart-xsum-9-6': { params: 268 },
  'sshleifer-distilbart-xsum-12-6': { params: 306 },
};

/** Load time estimate: process start and imports, plus reading fp32 weights at 200 MB/s. */
const LOAD_BASE = 5;
const LOAD_PER_MPARAM = 0.02; // 4 bytes per parameter / 200 MB/s
const loadTime = (variant) => LOAD_BASE + LOAD_PER_MPARAM * FACTS[variant].params;

const LI = 'nlp-li/dinalzein-xlm-roberta-base-finetuned-language-identification';
const TRANS = ['nlp-trans/Helsinki-NLP-opus-mt-fr-en', 'nlp-trans/Helsinki-NLP-opus-mt-tc-big-fr-en'];

/**
 * How each stage is modelled.
 * - node: the model container name in the profiling data; series: the profiling series admitted
 *   (the one IPA's final config names, plus same-container series of the same cluster where they
 *   add points); allocations: the CPU allocations the profiling grid covered.
 * - rule per variant (default `fit`): `fit` fits the variant's own points; `gammaFrom` borrows the
 *   core exponent when its points are at one core count; `shapeFrom` borrows the split between
 *   per-batch and per-request cost when its points are at one batch size. `interpolate` is linear
 *   in a size measure between two siblings; `scale` multiplies a sibling by a size ratio.
 */
const STAGES = {
  crop: {
    node: 'yolo',
    series: [71, 70, 74],
    allocations: [1, 2, 4, 8],
    rules: {
      yolov5m: { gammaFrom: ['crop/yolov5n'] },
      yolov5x: { gammaFrom: ['crop/yolov5n'] },
      yolov5s: { interpolate: ['crop/yolov5n', 'crop/yolov5m'], by: 'gflops' },
      yolov5l: { interpolate: ['crop/yolov5m', 'crop/yolov5x'], by: 'gflops' },
    },
  },
  classification: {
    node: 'resnet-human',
    series: [72, 75],
    allocations: [1, 2, 4, 8],
    rules: {
      resnet34: { gammaFrom: ['classification/resnet18'] },
      resnet50: { gammaFrom: ['classification/resnet18'], shapeFrom: 'classification/resnet18' },
      resnet152: { gammaFrom: ['classification/resnet18'], shapeFrom: 'classification/resnet18' },
      resnet101: { interpolate: ['classification/resnet50', 'classification/resnet152'], by: 'gflops' },
    },
  },
  audio: {
    node: 'audio',
    series: [85],
    allocations: [1, 2, 4, 8],
    rules: {
      'facebook-s2t-small-librispeech-asr': { shapeFrom: LI },
      'facebook-s2t-medium-librispeech-asr': { shapeFrom: LI },
      'facebook-s2t-large-librispeech-asr': { shapeFrom: LI },
    },
  },
  'nlp-li': { node: 'nlp-li', series: [98], allocations: [1, 2, 4, 8, 16, 32], rules: {} },
  'nlp-qa': {
    node: 'nlp-qa',
    series: [86],
    allocations: [1, 2, 4, 8],
    rules: {
      'deepset-xlm-roberta-base-squad2': { gammaFrom: [LI] },
      'deepset-roberta-base-squad2': { scale: 'nlp-qa/deepset-xlm-roberta-base-squad2', by: 'layers' },
    },
  },
  'nlp-sent': {
    node: 'nlp-sent',
    series: [],
    allocations: [1, 2, 4, 8],
    rules: {
      'distilbert-base-uncased-finetuned-sst-2-english': { scale: LI, by: 'layers' },
      'Souvikcmsa-BERT_sentiment_analysis': { scale: LI, by: 'layers' },
      'Souvikcmsa-SentimentAnalysisDistillBERT': { scale: LI, by: 'layers' },
      'Souvikcmsa-Roberta_Sentiment_Analysis': { scale: LI, by: 'layers' },
    },
  },
  'nlp-trans': {
    node: 'nlp-trans',
    series: [99],
    allocations: [2, 4, 8, 16],
    rules: { 'Helsinki-NLP-opus-mt-fr-en': { shapeFrom: LI }, 'Helsinki-NLP-opus-mt-tc-big-fr-en': { shapeFrom: LI } },
  },
  'nlp-sum': {
    node: 'nlp-sum',
    series: [97],
    allocations: [2, 4, 8, 16],
    defaultRule: { gammaFrom: TRANS, shapeFrom: LI },
    rules: {},
  },
};

/**
 * Runs excluded by judgement (the general rules are in selectRuns). Key: series/variant/cap/cores/load.
 */
const EXCLUDED_RUNS = {
  '74/yolov5n/32/2/40': 'per-request latency 49% of that at cap 8 while throughput stayed at 22/s: batches far from full',
  '75/resnet18/32/2/40': 'per-request latency 41% of that at cap 8 while throughput stayed at 39/s: batches far from full',
  '75/resnet34/32/2/40': 'per-request latency 51% of that at cap 8 while throughput stayed at 27/s: batches far from full',
};
/** Series of the admitted containers left out entirely. */
const EXCLUDED_SERIES = {
  100: 'not referenced by the final configs; its 1-core yolov5n throughput (4.6/s at cap 4) contradicts series 70/74 by 3x, and its audio runs duplicate series 85',
  500: 'load of 1 request/s only: its 2-core resnet18 batch-1 latency is 44% above series 75 at the same point (low-load runs)',
};

// ---------------------------------------------------------------------------------------------
// Reading the data
// ---------------------------------------------------------------------------------------------

function readRuns() {
  const lines = readFileSync(CSV_FILE, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',');
  const num = (s) => (s === undefined || s === '' || s === 'None' || s === 'NaN' ? undefined : Number(s));
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const r = Object.fromEntries(header.map((h, i) => [h, cells[i]]));
    return {
      series: Number(r.profiling_series),
      node: r.node,
      variant: r.model_variant,
      cap: Number(r.max_batch_size),
      cores: Number(r.cpu_request),
      load: Number(r.load_rps),
      mean: num(r.model_latencies_avg),
      p99: num(r.model_latencies_p99),
      throughput: num(r.throughput_max),
      notebook: r.source_notebook,
    };
  });
}

const runKey = (r) => `${r.series}/${r.variant}/${r.cap}/${r.cores}/${r.load}`;

function readConfigs() {
  const out = {};
  for (const p of PIPELINES) out[p.name] = YAML.parse(readFileSync(join(CONFIG_DIR, p.config), 'utf8'), { uniqueKeys: false }); // IPA's configs repeat some keys
  return out;
}

/** Variants per pipeline and stage, from accuracies.yaml (commented-out variants are excluded by the parser). */
function readAccuracies() {
  return YAML.parse(readFileSync(ACCURACY_FILE, 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// Selecting runs
// ---------------------------------------------------------------------------------------------

/**
 * Which runs may stand for "a full batch of size cap at this many cores":
 * 1. only admitted series of the stage's container;
 * 2. per (series, variant, cap, cores), the run at IPA's profiling load for that series if there
 *    is one, else the run at the highest load;
 * 3. caps above load x max_batch_time are excluded: the batcher gives up waiting before the batch fills;
 * 4. the runs listed in EXCLUDED_RUNS.
 * Returns the kept runs and a log of every exclusion.
 */
function selectRuns(runs, profilingLoad) {
  const kept = [];
  const excluded = [];
  const admitted = new Map();
  for (const [stage, spec] of Object.entries(STAGES)) for (const s of spec.series) admitted.set(`${spec.node}/${s}`, stage);
  const groups = new Map();
  for (const r of runs) {
    const stage = admitted.get(`${r.node}/${r.series}`);
    if (stage === undefined) {
      const why = EXCLUDED_SERIES[r.series] ?? `series ${r.series} is not one the final configs profile ${r.node} with, nor a companion series`;
      excluded.push({ run: r, why });
      continue;
    }
    const k = `${r.series}/${r.variant}/${r.cap}/${r.cores}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push({ ...r, stage });
  }
  for (const group of groups.values()) {
    const preferred = profilingLoad(group[0].series);
    const chosen = group.find((r) => r.load === preferred) ?? group.reduce((a, b) => (b.load > a.load ? b : a));
    for (const r of group) {
      if (r !== chosen) excluded.push({ run: r, why: `another load of the same point was used (${chosen.load} req/s)` });
    }
    const r = chosen;
    if (r.mean === undefined && r.p99 === undefined && !(r.throughput !== undefined && r.throughput < SATURATED * r.load)) {
      excluded.push({ run: r, why: 'no latency, and its throughput is not a capacity (the replica was not saturated)' });
    } else if (r.cap > r.load * MAX_BATCH_TIME) {
      excluded.push({ run: r, why: `cap ${r.cap} > ${r.load} req/s x ${MAX_BATCH_TIME} s batch timeout: the batch cannot be assumed full` });
    } else if (EXCLUDED_RUNS[runKey(r)]) {
      excluded.push({ run: r, why: EXCLUDED_RUNS[runKey(r)] });
    } else {
      kept.push(r);
    }
  }
  kept.sort((a, b) => a.stage.localeCompare(b.stage) || a.variant.localeCompare(b.variant) || a.cores - b.cores || a.cap - b.cap);
  return { kept, excluded };
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

const sig = (x, n = 4) => Number(x.toPrecision(n));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (x) => `${(100 * x).toFixed(1)}%`;

// ---------------------------------------------------------------------------------------------
// The derivation
// ---------------------------------------------------------------------------------------------

const report = [];
const log = (line = '') => report.push(line);

const runs = readRuns();
const configs = readConfigs();
const accuracies = readAccuracies();

// Cross-check the brief's facts against IPA's configs, and collect the profiling loads per series.
const seriesLoad = new Map();
for (const p of PIPELINES) {
  const c = configs[p.name];
  const mismatch = [];
  if (c.alpha !== p.alpha) mismatch.push(`alpha ${c.alpha}`);
  if (c.beta !== p.beta) mismatch.push(`beta ${c.beta}`);
  if (c.batching_cap !== p.batchCap) mismatch.push(`batching_cap ${c.batching_cap}`);
  if (c.threshold !== p.threshold) mismatch.push(`threshold ${c.threshold}`);
  if (c.drop_limit !== p.dropLimit) mismatch.push(`drop_limit ${c.drop_limit}`);
  if (c.sla_factor !== 5) mismatch.push(`sla_factor ${c.sla_factor}`);
  if (mismatch.length) throw new Error(`${p.config}: differs from the expected settings: ${mismatch.join(', ')}`);
  const loads = Array.isArray(c.profiling_load) ? c.profiling_load : c.profiling_series.map(() => c.profiling_load);
  c.profiling_series.forEach((s, i) => {
    if (!seriesLoad.has(s)) seriesLoad.set(s, loads[i]);
  });
}
// Companion series take the profiling load of their stage's final series.
for (const spec of Object.values(STAGES)) {
  const load = seriesLoad.get(spec.series[0]);
  for (const s of spec.series) if (!seriesLoad.has(s)) seriesLoad.set(s, load);
}

const { kept, excluded } = selectRuns(runs, (s) => seriesLoad.get(s));

// The p99/mean ratio, from kept runs that report both.
const ratioRuns = kept.filter((r) => r.mean !== undefined && r.p99 !== undefined);
const R = sig(median(ratioRuns.map((r) => r.p99 / r.mean)), 3);

log('# IPA profile derivation report');
log();
log(`Data: ${relative(ROOT, DATA) || DATA}`);
log(`Runs in the notebook fragments: ${runs.length}; kept as full-batch measurements: ${kept.length}.`);
log();
log('## Excluded runs');
for (const e of excluded) {
  if (e.why.startsWith('series ') || EXCLUDED_SERIES[e.run.series]) continue;
  log(`- ${runKey(e.run)} (series/variant/cap/cores/load): ${e.why}`);
}
for (const [s, why] of Object.entries(EXCLUDED_SERIES)) {
  log(`- series ${s} (${runs.filter((r) => r.series === Number(s)).length} runs): ${why}`);
}
const others = excluded.filter((e) => e.why.startsWith('series '));
const otherSeries = [...new Set(others.map((e) => `${e.run.series} (${e.run.node})`))];
if (otherSeries.length) log(`- series ${otherSeries.join(', ')}: not referenced by any final config for that container`);
log();
log(`p99/mean ratio R = ${R}: median over the ${ratioRuns.length} kept runs reporting both (range ${sig(Math.min(...ratioRuns.map((r) => r.p99 / r.mean)), 3)}-${sig(Math.max(...ratioRuns.map((r) => r.p99 / r.mean)), 3)}).`);
log('Where a run reports only one of mean and p99, the other is obtained with R.');
log();

/** A latency estimate of the mean from a kept run: the mean, else p99 / R, else batch / throughput (saturated runs). */
function meanOf(r) {
  if (r.mean !== undefined) return { value: r.mean, from: 'mean' };
  if (r.p99 !== undefined) return { value: r.p99 / R, from: 'p99/R' };
  return { value: r.cap / r.throughput, from: 'batch/throughput' };
}

/** 'stage/variant' -> { kind: 'fit' | 'interpolate' | 'scale', ... }: the latency model (of the mean) of every variant. */
const models = new Map();
const fitLines = [];

function variantRuns(stage, variant) {
  return kept.filter((r) => r.stage === stage && r.variant === variant);
}

function ruleOf(stage, variant) {
  const spec = STAGES[stage];
  return spec.rules[variant] ?? spec.defaultRule ?? {};
}

/** The latency model (of the mean) of a variant with its own data, resolving borrowed parameters first. */
function modelOf(key) {
  if (models.has(key)) return models.get(key);
  const [stage, variant] = splitKey(key);
  const rule = ruleOf(stage, variant);
  if (rule.interpolate || rule.scale) {
    const entry = { kind: rule.interpolate ? 'interpolate' : 'scale', rule };
    models.set(key, entry);
    return entry;
  }
  const own = variantRuns(stage, variant);
  if (own.length === 0) throw new Error(`${key}: no kept runs and no derivation rule`);
  const batches = [...new Set(own.map((r) => r.cap))].sort((a, b) => a - b);
  const cores = [...new Set(own.map((r) => r.cores))].sort((a, b) => a - b);
  let gamma;
  if (cores.length < 2) {
    if (!rule.gammaFrom) throw new Error(`${key}: points at one core count need gammaFrom`);
    const gs = rule.gammaFrom.map((k) => modelOf(k).model.gamma);
    gamma = gs.reduce((a, b) => a + b, 0) / gs.length;
  }
  let phi;
  let points = own.map((r) => ({ batch: r.cap, cores: r.cores, latency: meanOf(r).value }));
  if (batches.length < 2) {
    if (!rule.shapeFrom) throw new Error(`${key}: points at one batch size need shapeFrom`);
    const m = modelOf(rule.shapeFrom).model;
    phi = m.alpha / (m.alpha + m.beta);
    // Reduce every point to its batch-1 equivalent, fit, then split the batch-1 latency by phi.
    const f = phi + (1 - phi) * batches[0];
    points = points.map((p) => ({ batch: 1, cores: p.cores, latency: p.latency / f }));
  }
  const fit = fitLatencyModel(points, gamma === undefined ? {} : { gamma });
  let model = fit.model;
  if (phi !== undefined) {
    const s = model.alpha + model.beta;
    model = { alpha: phi * s, beta: (1 - phi) * s, gamma: model.gamma };
  }
  const entry = { kind: 'fit', model, fit, own, batches, cores, phi, borrowedGamma: gamma !== undefined, borrowedShape: phi !== undefined };
  models.set(key, entry);
  const srcs = [...new Set(own.map((r) => meanOf(r).from))].join(', ');
  let worst = own[0];
  let worstErr = -1;
  for (const r of own) {
    const e = Math.abs(predictLatency(model, r.cap, r.cores) / meanOf(r).value - 1);
    if (e > worstErr) {
      worstErr = e;
      worst = r;
    }
  }
  const borrowedText = [gamma !== undefined && `gamma from ${rule.gammaFrom.map(short).join(' + ')}${rule.gammaFrom.length > 1 ? ' (mean)' : ''}`, phi !== undefined && `shape from ${short(rule.shapeFrom)} (fixed share ${sig(phi, 3)})`];
  fitLines.push(
    `| ${stage} | ${short(key)} | ${own.length} | ${batches.join(',')} | ${cores.join(',')} | ${srcs} | ${sig(model.alpha, 3)} | ${sig(model.beta, 3)} | ${sig(model.gamma, 3)} | ${pct(fit.rmsRelativeError)} | ${pct(fit.maxRelativeError)} (b${worst.cap}@${worst.cores}c) | ${borrowedText.filter(Boolean).join('; ') || '-'} |`,
  );
  return entry;
}

const short = (key) => splitKey(key)[1].replace(/^(dinalzein|Helsinki-NLP|sshleifer|deepset|facebook)-/, '');

function splitKey(key) {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/**
 * The grid of a variant: for every allocation of the stage and every batch size, the p99 and mean
 * latency, the source, and any measured throughput (a capacity if the run saturated the replica,
 * else a lower bound).
 */
const grids = new Map();
function gridOf(key) {
  if (grids.has(key)) return grids.get(key);
  const [stage, variant] = splitKey(key);
  const spec = STAGES[stage];
  const m = modelOf(key);
  const grid = new Map();
  if (m.kind === 'fit') {
    for (const c of spec.allocations) {
      const row = [];
      for (const b of BATCHES) {
        const run = m.own.find((r) => r.cap === b && r.cores === c);
        const cell = {};
        if (run && (run.mean !== undefined || run.p99 !== undefined)) {
          cell.mean = run.mean ?? run.p99 / R;
          cell.p99 = run.p99 ?? run.mean * R;
          cell.source = 'measured';
        } else {
          cell.mean = predictLatency(m.model, b, c);
          cell.p99 = R * cell.mean;
          const batchOwn = !m.borrowedShape || m.batches.includes(b);
          const coresOwn = !m.borrowedGamma || m.cores.includes(c);
          cell.source = batchOwn && coresOwn ? 'fitted' : 'derived';
        }
        if (run && run.throughput !== undefined) {
          if (run.throughput < SATURATED * run.load) cell.capacity = run.throughput;
          else cell.lowerBound = run.throughput;
        }
        row.push(cell);
      }
      grid.set(c, row);
    }
  } else if (m.kind === 'interpolate') {
    const [lo, hi] = m.rule.interpolate;
    const x = (k) => FACTS[splitKey(k)[1]][m.rule.by];
    const w = (FACTS[variant][m.rule.by] - x(lo)) / (x(hi) - x(lo));
    m.weight = w;
    const gl = gridOf(lo);
    const gh = gridOf(hi);
    for (const c of spec.allocations) {
      grid.set(
        c,
        BATCHES.map((_, i) => {
          const a = gl.get(c)[i];
          const z = gh.get(c)[i];
          return { mean: a.mean + w * (z.mean - a.mean), p99: a.p99 + w * (z.p99 - a.p99), source: 'derived' };
        }),
      );
    }
  } else {
    const sib = m.rule.scale;
    const f = FACTS[variant][m.rule.by] / FACTS[splitKey(sib)[1]][m.rule.by];
    m.factor = f;
    const gs = gridOf(sib);
    for (const c of spec.allocations) {
      grid.set(c, BATCHES.map((_, i) => ({ mean: f * gs.get(c)[i].mean, p99: f * gs.get(c)[i].p99, source: 'derived' })));
    }
  }
  // Throughput: measured capacity, else IPA's batch / p99 raised to any measured lower bound; never
  // lower than at the next smaller batch size.
  for (const row of grid.values()) {
    let prev = 0;
    row.forEach((cell, i) => {
      const b = BATCHES[i];
      let t = cell.capacity ?? Math.max(b / cell.p99, cell.lowerBound ?? 0);
      cell.throughputRule = cell.capacity !== undefined ? 'measured' : cell.lowerBound !== undefined && cell.lowerBound > b / cell.p99 ? 'lower bound' : 'b/p99';
      if (t < prev) {
        t = prev;
        cell.throughputRule = 'raised to smaller batch';
      }
      cell.throughput = t;
      prev = t;
    });
  }
  grids.set(key, grid);
  return grid;
}

// Stage variants per pipeline, in IPA's order (ascending accuracy).
function stagesOf(pipeline) {
  const c = configs[pipeline];
  return c.task_name.map((task, i) => {
    const variants = Object.entries(accuracies[pipeline][task]).map(([name, accuracy]) => ({ name, accuracy }));
    variants.sort((a, b) => a.accuracy - b.accuracy || a.name.localeCompare(b.name));
    const spec = STAGES[task];
    if (!spec) throw new Error(`no modelling rules for stage ${task}`);
    if (spec.node !== c.model_name[i]) throw new Error(`${pipeline}/${task}: config container ${c.model_name[i]} != ${spec.node}`);
    return { name: task, series: c.profiling_series[i], variants };
  });
}

const fmt = (x) => sig(x).toString();

const results = [];
for (const p of PIPELINES) {
  const cfg = configs[p.name];
  const stages = stagesOf(p.name);
  // IPA's SLA rule (Task.sla in its optimizer/models.py): per stage, 5 x the mean over variants of
  // sla_factor x the batch-1 p99 at the variant's last-profiled allocation (the largest: IPA's
  // profiles list allocations in ascending order), summed over stages.
  let rule = 0;
  const slaParts = [];
  for (const st of stages) {
    const cmax = STAGES[st.name].allocations.at(-1);
    const l1 = st.variants.map((v) => gridOf(`${st.name}/${v.name}`).get(cmax)[0].p99);
    const meanP99 = l1.reduce((a, b) => a + b, 0) / l1.length;
    st.ruleSla = 5 * cfg.sla_factor * meanP99;
    rule += st.ruleSla;
    slaParts.push({ stage: st.name, cores: cmax, meanP99, task: st.ruleSla });
  }
  // The SLA is IPA's own (its Figure 15); each stage's share of it is the rule's share.
  for (const st of stages) st.sla = sig((p.sla * st.ruleSla) / rule);
  // Base allocation by the library's rule (src/profiles/allocation.ts), on the rounded numbers the file holds.
  for (const st of stages) {
    const allocations = STAGES[st.name].allocations;
    const grids = st.variants.map((v) => gridOf(`${st.name}/${v.name}`));
    const cores = baseAllocation(
      st.variants.map((v, i) => ({ name: v.name, accuracy: v.accuracy, allocations: allocations.map((c) => ({ cores: c, batches: grids[i].get(c).map((cell) => ({ latency: sig(cell.p99), throughput: sig(cell.throughput) })) })) })),
      p.threshold,
      st.sla,
    );
    st.variants.forEach((v, i) => {
      v.cores = cores[i];
      v.cells = grids[i].get(v.cores);
      v.reachingBatch = BATCHES[v.cells.findIndex((cell) => sig(cell.throughput) >= p.threshold && sig(cell.p99) <= st.sla)];
    });
  }
  results.push({ p, cfg, stages, sla: p.sla, rule, slaParts });
}

// ---------------------------------------------------------------------------------------------
// Describing each variant
// ---------------------------------------------------------------------------------------------

const listOf = (xs) => (xs.length < 2 ? `${xs.join('')}` : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** What a variant's own runs reported (runs reporting only a throughput enter the fit as mean = batch / throughput). */
function reported(own) {
  const kinds = new Set(own.filter((r) => r.mean !== undefined || r.p99 !== undefined).map((r) => (r.mean !== undefined && r.p99 !== undefined ? 'mean and p99' : r.mean !== undefined ? 'mean' : 'p99')));
  return [...kinds].sort().join(' or ');
}
function throughputOnly(own) {
  const t = own.filter((r) => r.mean === undefined && r.p99 === undefined);
  return t.length ? `the saturated run at batch ${listOf(t.map((r) => String(r.cap)))} and ${listOf(t.map((r) => String(r.cores)))} core${t.some((r) => r.cores > 1) ? 's' : ''} reported throughput only and enters as mean = batch / throughput` : '';
}

function variantSource(stage, v) {
  const m = models.get(`${stage}/${v.name}`);
  if (m.kind === 'interpolate') {
    const [lo, hi] = m.rule.interpolate.map(short);
    return `Not profiled: every entry linear in GFLOPs between ${lo} and ${hi} (weight ${sig(m.weight, 3)} on ${hi}).`;
  }
  if (m.kind === 'scale') {
    const sib = splitKey(m.rule.scale)[1];
    return `Not profiled: every entry is ${short(m.rule.scale)} (${splitKey(m.rule.scale)[0]}) times ${FACTS[v.name].layers}/${FACTS[sib].layers}, the ratio of encoder layers.`;
  }
  const measuredBatches = BATCHES.filter((_, i) => v.cells[i].source === 'measured');
  const capacity = BATCHES.filter((_, i) => v.cells[i].throughputRule === 'measured');
  const borrowed = [];
  const rule = ruleOf(stage, v.name);
  if (m.borrowedGamma) borrowed.push(`core exponent from ${rule.gammaFrom.length > 1 ? `the mean of ${listOf(rule.gammaFrom.map(short))}` : short(rule.gammaFrom[0])}`);
  if (m.borrowedShape) borrowed.push(`batch shape from ${short(rule.shapeFrom)}`);
  const parts = [
    `Fitted to ${m.own.length} run${m.own.length > 1 ? 's' : ''} of series ${listOf(seriesList(m.own))} (batch ${listOf(m.batches.map(String))} at ${listOf(m.cores.map(String))} core${m.cores.length > 1 || m.cores[0] > 1 ? 's' : ''}, ${reported(m.own)})`,
  ];
  if (throughputOnly(m.own)) parts.push(throughputOnly(m.own));
  if (borrowed.length) parts.push(borrowed.join(', '));
  parts.push(
    measuredBatches.length
      ? `batch ${listOf(measuredBatches.map(String))} at ${v.cores} core${v.cores > 1 ? 's' : ''} read off the runs, the rest from the fit`
      : `no latency was measured at ${v.cores} core${v.cores > 1 ? 's' : ''}, so every entry is from the fit`,
  );
  const stats = reported(m.own);
  if (stats === 'mean') parts.push(`p99 taken as ${R} x mean`);
  if (stats === 'p99') parts.push(`mean taken as p99 / ${R}`);
  if (capacity.length) parts.push(`measured capacity used as throughput at batch ${listOf(capacity.map(String))}`);
  return parts.join('; ') + '.';
}

function seriesList(own) {
  return [...new Set(own.map((r) => r.series))].sort((a, b) => a - b).map(String);
}

/** A short statement of the rule, for the README tables. */
function ruleSummary(stage, v) {
  const m = models.get(`${stage}/${v.name}`);
  if (m.kind === 'interpolate') return `GFLOPs interpolation ${m.rule.interpolate.map(short).join('-')} (w ${sig(m.weight, 2)})`;
  if (m.kind === 'scale') return `${short(m.rule.scale)} x ${FACTS[v.name].layers}/${FACTS[splitKey(m.rule.scale)[1]].layers} layers`;
  const rule = ruleOf(stage, v.name);
  const bits = [`fit to series ${seriesList(m.own).join('+')} (${reported(m.own)}${throughputOnly(m.own) ? ', one run throughput only' : ''})`];
  if (m.borrowedGamma) bits.push(`gamma from ${rule.gammaFrom.map(short).join(' + ')}${rule.gammaFrom.length > 1 ? ' (mean)' : ''}`);
  if (m.borrowedShape) bits.push(`batch shape from ${short(rule.shapeFrom)}`);
  return bits.join('; ');
}

// ---------------------------------------------------------------------------------------------
// Sanity checks
// ---------------------------------------------------------------------------------------------

/**
 * Pairs (in ascending accuracy) where the more accurate variant is not the slower one, accepted
 * because the public facts say so. Anything else failing a check stops the script.
 */
const ACCEPTED = {
  'nlp-qa: xlm-roberta-base-squad2 < roberta-base-squad2':
    'both are 12-layer, 768-wide encoders with a 2-logit span head: the same compute, so the same latency (roberta-base is the more accurate)',
  'nlp-sent: Souvikcmsa-BERT_sentiment_analysis < Souvikcmsa-Roberta_Sentiment_Analysis': 'both 12-layer, 768-wide encoders: the same compute',
  'nlp-sent: Souvikcmsa-Roberta_Sentiment_Analysis < distilbert-base-uncased-finetuned-sst-2-english':
    'the most accurate sentiment model is a 6-layer DistilBERT, half the compute of the 12-layer ones',
  'nlp-sum: distilbart-xsum-6-6 < distilbart-xsum-12-3':
    'measured: 6-6 (6 decoder layers) is 1.4% slower than 12-3 (3 decoder layers) at batch 1, though less accurate',
};

const failures = [];
const accepted = new Set();
for (const { p, stages } of results) {
  for (const st of stages) {
    for (const v of st.variants) {
      const where = `${p.name}/${st.name}/${v.name}@${v.cores}c`;
      v.cells.forEach((cell, i) => {
        if (i > 0) {
          const prev = v.cells[i - 1];
          if (!(cell.p99 > prev.p99)) failures.push(`${where}: p99 does not grow from batch ${BATCHES[i - 1]} to ${BATCHES[i]}`);
          if (!(cell.mean > prev.mean)) failures.push(`${where}: mean does not grow from batch ${BATCHES[i - 1]} to ${BATCHES[i]}`);
          if (cell.throughput < prev.throughput) failures.push(`${where}: throughput falls from batch ${BATCHES[i - 1]} to ${BATCHES[i]}`);
        }
        const ratio = cell.p99 / cell.mean;
        if (ratio < 1 || ratio > 2.5) failures.push(`${where} b${BATCHES[i]}: implausible p99/mean ${sig(ratio, 3)}`);
        if (cell.throughput > (1.0001 * BATCHES[i]) / cell.mean) failures.push(`${where} b${BATCHES[i]}: throughput above batch/mean latency`);
      });
    }
    // Ascending accuracy: slower at batch 1 at every allocation, and less batch-1 throughput per core at the base allocations.
    for (let i = 1; i < st.variants.length; i++) {
      const a = st.variants[i - 1];
      const b = st.variants[i];
      const pair = `${st.name}: ${short(`x/${a.name}`)} < ${short(`x/${b.name}`)}`;
      const ga = gridOf(`${st.name}/${a.name}`);
      const gb = gridOf(`${st.name}/${b.name}`);
      const slower = STAGES[st.name].allocations.every((c) => gb.get(c)[0].p99 > ga.get(c)[0].p99);
      const lessPerCore = b.cells[0].throughput / b.cores < a.cells[0].throughput / a.cores;
      if (slower && lessPerCore) continue;
      if (ACCEPTED[pair]) accepted.add(pair);
      else failures.push(`${p.name}/${pair}: the more accurate variant is ${slower ? '' : 'not slower at batch 1'}${!slower && !lessPerCore ? ' and ' : ''}${lessPerCore ? '' : 'has no lower batch-1 throughput per core'}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing the YAML files
// ---------------------------------------------------------------------------------------------

const q = (s) => JSON.stringify(s);

/** The profiling series a variant's numbers rest on, through the siblings it borrows from. */
function seriesUsed(key) {
  const m = models.get(key);
  const rule = ruleOf(...splitKey(key));
  if (m.kind === 'interpolate') return m.rule.interpolate.flatMap(seriesUsed);
  if (m.kind === 'scale') return seriesUsed(m.rule.scale);
  const borrowed = [...(m.borrowedGamma ? rule.gammaFrom : []), ...(m.borrowedShape ? [rule.shapeFrom] : [])];
  return [...m.own.map((r) => r.series), ...borrowed.flatMap(seriesUsed)];
}

function pipelineNotes(r) {
  const { p, cfg, stages, slaParts } = r;
  return [
    `IPA's ${p.name} pipeline (${stages.map((s) => s.name).join(' -> ')}). IPA's config profiles it as series ${cfg.profiling_series.join(', ')}; ` +
      `the surviving runs used here are from series ${listOf([...new Set(stages.flatMap((st) => st.variants.flatMap((v) => seriesUsed(`${st.name}/${v.name}`))))].sort((a, b) => a - b).map(String))}.`,
    `latency is the p99 of one batch; throughput is a measured capacity where a run saturated the replica, else batch / p99 (IPA's rule for unmeasured points), never falling as the batch grows.`,
    `sla = ${fmt(p.sla)} s: IPA's SLA for this pipeline (the line its Figure 15 draws). Each stage's sla is the share IPA's rule gives it.`,
    `slaRule = ${fmt(r.rule)} s: IPA's rule on these profiles, the sum over stages of 5 x mean over variants of (sla_factor ${cfg.sla_factor} x batch-1 p99 at the largest allocation): ` +
      slaParts.map((s) => `${s.stage} 25 x ${fmt(s.meanP99)} s at ${s.cores} cores = ${fmt(s.task)} s`).join('; ') +
      '.',
    `allocation: IPA's base allocation (src/profiles/allocation.ts) over the profiled allocations with threshold ${p.threshold} req/s and each stage's sla.`,
    `Per-variant sources, rules and limitations: profiles/README.md.`,
  ].join('\n');
}

function toYaml(r) {
  const { p, cfg, stages, sla, rule } = r;
  const out = [];
  out.push(`# Generated by scripts/derive-ipa-profiles.mjs from IPA's data (../shared/data/ipa); do not edit by hand.`);
  out.push(`# Format, derivation and limitations: profiles/README.md.`);
  out.push(`pipeline: ${p.name}`);
  out.push(`sla: ${fmt(sla)}`);
  out.push(`slaRule: ${fmt(rule)}`);
  out.push(`allocation: { rule: base, threshold: ${p.threshold} }`);
  out.push(`dropLimit: ${cfg.drop_limit}`);
  out.push(`defaults:`);
  out.push(`  alpha: ${cfg.alpha}`);
  out.push(`  beta: ${cfg.beta}`);
  out.push(`  gamma: ${cfg.gamma}`);
  out.push(`  batchCap: ${cfg.batching_cap}`);
  out.push(`  replicaCap: ${cfg.scaling_cap}`);
  out.push(`  accuracyMethod: ${{ sum: 'sum', average: 'average', multiply: 'product' }[cfg.accuracy_method]}`);
  out.push(`  normalize: ${cfg.normalize_accuracy ? 'rank' : 'none'}`);
  out.push(`notes: |`);
  for (const l of pipelineNotes(r).split('\n')) out.push(`  ${l}`);
  out.push(`stages:`);
  for (const st of stages) {
    out.push(`  - name: ${st.name}`);
    out.push(`    sla: ${fmt(st.sla)}`);
    out.push(`    variants:`);
    for (const v of st.variants) {
      out.push(`      - name: ${q(v.name)}`);
      out.push(`        accuracy: ${v.accuracy}`);
      out.push(`        loadTime: ${fmt(loadTime(v.name))}`);
      out.push(`        source: ${q(variantSource(st.name, v))}`);
      out.push(`        allocations:`);
      for (const [cores, cells] of gridOf(`${st.name}/${v.name}`)) {
        out.push(`          - cores: ${cores}`);
        out.push(`            batches:`);
        cells.forEach((cell, i) => {
          out.push(
            `              - { size: ${BATCHES[i]}, latency: ${fmt(cell.p99)}, latencyMean: ${fmt(cell.mean)}, throughput: ${fmt(cell.throughput)}, source: ${cell.source} }`,
          );
        });
      }
    }
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

log('## Fits');
log();
log('fitLatencyModel on mean latency, (alpha + beta*b) / c^gamma with alpha, beta in seconds at 1 core; errors are relative, at the fitted points.');
log();
log('| stage | variant | points | batches | cores | mean from | alpha | beta | gamma | rms err | max err (at) | borrowed |');
log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const l of fitLines) log(l);
log();
const p99err = [];
const thrCmp = [];
for (const m of models.values()) {
  if (m.kind !== 'fit') continue;
  for (const r of m.own) {
    if (r.p99 !== undefined) p99err.push(Math.abs((R * predictLatency(m.model, r.cap, r.cores)) / r.p99 - 1));
    if (r.throughput !== undefined && r.throughput < SATURATED * r.load && r.p99 !== undefined) thrCmp.push(r.throughput / (r.cap / r.p99));
  }
}
const rms = (xs) => Math.sqrt(xs.reduce((a, e) => a + e * e, 0) / xs.length);
log(`p99 as R x fitted mean, at the ${p99err.length} fitted runs reporting p99: rms error ${pct(rms(p99err))}, max ${pct(Math.max(...p99err))}.`);
log(
  `Measured capacity / (batch / measured p99) at the ${thrCmp.length} saturated runs reporting p99: median ${sig(median(thrCmp), 3)}, range ${sig(Math.min(...thrCmp), 3)}-${sig(Math.max(...thrCmp), 3)}` +
    ` (IPA's batch/p99 rule understates capacity).`,
);
log();

function pipelineTable(r) {
  const lines = [];
  const parts = r.slaParts.map((s) => `${s.stage} 25 x ${fmt(s.meanP99)} s = ${fmt(s.task)} s`);
  const where = r.slaParts.map((s) => `${s.stage} ${s.cores}`).join(', ');
  lines.push(
    `SLA ${fmt(r.sla)} s (IPA's, Figure 15); stage SLAs ${r.stages.map((st) => `${st.name} ${fmt(st.sla)} s`).join(', ')}, IPA's rule split. ` +
      `IPA's rule on these profiles gives ${fmt(r.rule)} s = ${parts.join(' + ')}, where each product is 5 x sla_factor 5 x the stage's mean batch-1 p99 at its largest allocation (cores: ${where}); ` +
      `rule / IPA's = ${sig(r.rule / r.sla, 3)}. Threshold for the base allocation: ${r.p.threshold} req/s.`,
  );
  lines.push('');
  lines.push('| stage | variant | accuracy | base cores | reaches threshold at | b1 p99 (s) | b1 mean (s) | b1 throughput (/s) | b1..b64 | rule |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const st of r.stages) {
    for (const v of st.variants) {
      const c = v.cells;
      lines.push(
        `| ${st.name} | ${v.name} | ${sig(v.accuracy, 6)} | ${v.cores} | batch ${v.reachingBatch} | ${fmt(c[0].p99)} | ${fmt(c[0].mean)} | ${fmt(c[0].throughput)} | ${c.map((x) => x.source[0]).join('')} | ${ruleSummary(st.name, v)} |`,
      );
    }
  }
  return lines.join('\n');
}

for (const r of results) {
  log(`## ${r.p.name}`);
  log();
  log(pipelineTable(r));
  log();
}

// Plausibility of the video profile under IPA's optimizer (skipped if the optimizer is not built).
let planLines = [];
try {
  const { planIpa } = await import('../dist/adapters/ipa/optimizer.js');
  const video = results.find((r) => r.p.name === 'video');
  const profile = { pipeline: 'video', sla: video.sla, stages: video.stages.map((st) => ({ name: st.name, variants: st.variants.map((v) => ({ name: v.name, accuracy: v.accuracy, cores: v.cores, batches: v.cells.map((c, i) => ({ size: BATCHES[i], latency: sig(c.p99), latencyMean: sig(c.mean), throughput: sig(c.throughput), source: c.source })) })) })) };
  const d = video.cfg;
  const base = { alpha: d.alpha, beta: d.beta, gamma: d.gamma, batchCap: d.batching_cap, replicaCap: d.scaling_cap, accuracyMethod: /** @type {const} */ ('sum'), normalize: /** @type {const} */ ('rank'), sla: video.sla };
  planLines.push('| req/s | IPA: configuration | IPA cores | FA2-low (yolov5n + resnet18) cores | FA2-high (yolov5s + resnet101) cores |');
  planLines.push('| --- | --- | --- | --- | --- |');
  for (const rate of [5, 10, 20, 30]) {
    const ipa = planIpa(profile, { ...base, rate, mode: 'ipa' });
    const lock = (a, b) => planIpa(profile, { ...base, rate, mode: 'scale', locked: [{ variant: a, replicas: 1 }, { variant: b, replicas: 1 }] });
    const low = lock('yolov5n', 'resnet18');
    const high = lock('yolov5s', 'resnet101');
    const cfgText = ipa.feasible ? ipa.stages.map((s) => `${s.variant} b${s.batch} x${s.replicas}`).join(' + ') : 'infeasible';
    planLines.push(`| ${rate} | ${cfgText} | ${ipa.feasible ? ipa.cost : '-'} | ${low.feasible ? low.cost : '-'} | ${high.feasible ? high.cost : '-'} |`);
  }
} catch (err) {
  planLines = [`(skipped: ${err.message})`];
}
log('## Video pipeline under IPA\'s optimizer (IPA\'s settings)');
log();
for (const l of planLines) log(l);
log();

// How many rows of the distinct variants (stages shared between pipelines counted once) are measured, fitted, derived.
const distinct = new Map();
for (const r of results) for (const st of r.stages) for (const v of st.variants) distinct.set(`${st.name}/${v.name}`, v);
const counts = { measured: 0, fitted: 0, derived: 0 };
const measuredRows = [];
for (const [key, v] of distinct) {
  for (const c of v.cells) counts[c.source]++;
  const mb = BATCHES.filter((_, i) => v.cells[i].source === 'measured');
  if (mb.length) measuredRows.push(`${short(key)} (batch ${listOf(mb.map(String))})`);
}
const totalRows = counts.measured + counts.fitted + counts.derived;
const countsLine =
  `Of the ${totalRows} batch rows of the ${distinct.size} distinct variants (${results.reduce((a, r) => a + r.stages.reduce((b, st) => b + st.variants.length, 0), 0)} variant entries across the five files; ` +
  `audio, nlp-qa and nlp-sum appear in two pipelines each), ${counts.measured} are measured, ${counts.fitted} fitted and ${counts.derived} derived. ` +
  `The measured rows: ${measuredRows.join(', ')}.`;
log('## Sources of the rows');
log();
log(countsLine);
log();

log('## Sanity checks');
log();
log('Per variant: p99 and mean grow with batch size, throughput never falls, 1 <= p99/mean <= 2.5, throughput <= batch/mean.');
log('Per stage, in ascending accuracy: slower at batch 1 at every allocation, less batch-1 throughput per core at the base allocation.');
for (const pair of [...accepted].sort()) log(`- accepted exception, ${pair}: ${ACCEPTED[pair]}`);
for (const f of failures) log(`- FAILED: ${f}`);
if (failures.length === 0) log('No other exceptions.');
log();

if (failures.length > 0) {
  console.log(report.join('\n'));
  console.error(`derive-ipa-profiles: ${failures.length} sanity check(s) failed; nothing written.`);
  process.exit(1);
}

mkdirSync(OUT, { recursive: true });
const written = results.map((r) => {
  const file = join(OUT, `${r.p.name}.yaml`);
  writeFileSync(file, toYaml(r));
  // Throws on any schema problem; the loader's base allocation must be the one reported here.
  const loaded = loadPipelineProfile(file);
  r.stages.forEach((st, s) =>
    st.variants.forEach((v, i) => {
      if (loaded.stages[s].variants[i].cores !== v.cores) throw new Error(`${file}: ${st.name}/${v.name}: loaded at ${loaded.stages[s].variants[i].cores} cores, derived ${v.cores}`);
    }),
  );
  return relative(ROOT, file);
});
log(`Wrote and validated with loadPipelineProfile: ${written.join(', ')}`);

// The README's generated tables (between <!-- generated:NAME --> and <!-- /generated:NAME -->), if it has them.
const README = join(ROOT, 'profiles', 'README.md');
if (OUT === join(ROOT, 'profiles', 'ipa') && existsSync(README)) {
  let text = readFileSync(README, 'utf8');
  const blocks = { fits: ['| stage | variant | points | batches | cores | mean from | alpha | beta | gamma | rms err | max err (at) | borrowed |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |', ...fitLines].join('\n'), plans: planLines.join('\n'), counts: countsLine };
  for (const r of results) blocks[r.p.name] = pipelineTable(r);
  let replaced = 0;
  for (const [name, body] of Object.entries(blocks)) {
    const re = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (re.test(text)) {
      text = text.replace(re, (_, a, b) => `${a}${body}\n${b}`);
      replaced++;
    }
  }
  writeFileSync(README, text);
  log(`Updated ${replaced} generated table(s) in profiles/README.md.`);
}
console.log(report.join('\n'));
