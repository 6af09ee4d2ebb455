// Writes docs/results/testbed.md (and docs/figures/testbed-cdf.png): how close pipesim's simulation
// comes to the real serving testbed on this machine. Every number in the doc is measured here:
//   1. profile the two OCR models with `pipesim profile` (the profiles the simulation uses);
//   2. serve scenarios/testbed/ocr.yaml for real (`pipesim testbed run`) at 30%, 60% and 85% of
//      capacity and on a bursty trace, several times each (the real system's run-to-run spread),
//      and simulate the same scenario and seed (`pipesim run`) three ways: from the profiles as
//      measured (a core per replica), the same on the shared host (pipeline.host), and with each
//      stage's service scaled to what the real runs measured (in situ: the queueing model alone);
//   3. rank four configurations (batch size, replicas, threads) by latency, for real and simulated.
// Needs the testbed package (npm ci --prefix testbed) and `npm run build`. Takes about 9 minutes per
// repetition (the real runs are real time):  node scripts/testbed-study.mjs [--duration 60] [--reps 4] [--out DIR] [--reuse]
// (--reuse with a larger --reps adds rounds to an earlier study)
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRuns } from '../dist/testbed/compare.js';
import { parseCsvRecords } from '../dist/metrics/csv.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const DURATION = Number(arg('--duration', '60'));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const REPS = Number(arg('--reps', '4'));
const OUT = resolve(arg('--out', join(ROOT, 'results', 'testbed-study')));
const DOC = join(ROOT, 'docs', 'results', 'testbed.md');
const FIGURE = join(ROOT, 'docs', 'figures', 'testbed-cdf.png');
const SCENARIO = join(ROOT, 'scenarios', 'testbed', 'ocr.yaml');
const WARMUP = 5;
const CORES = availableParallelism();

function pipesim(args) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'pipesim.js'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`pipesim ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}
const log = (text) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);

if (!existsSync(join(ROOT, 'testbed', 'node_modules', 'onnxruntime-node'))) {
  console.error('testbed-study: the testbed is not installed: npm ci --prefix testbed');
  process.exit(2);
}
// --reuse keeps the profiles and real runs of an earlier study in OUT (only the simulations and the
// document are made again); without it the study starts afresh.
const REUSE = process.argv.includes('--reuse');
if (!REUSE) rmSync(OUT, { recursive: true, force: true });
rmSync(join(OUT, 'sim'), { recursive: true, force: true });
mkdirSync(join(OUT, 'profiles'), { recursive: true });
const done = (file) => REUSE && existsSync(file);

// 1. Profiles, measured in rounds: one before the real runs, one after each round of them. A profile
// of this shared machine moves over half an hour by more than the targets allow; the simulation uses
// the rounds pooled, so the profile and the real runs see the same machine over the same half hour.
const ROUNDS = REPS + 1;
const PROFILE_REPETITIONS = 15;
const roundFile = (model, k) => join(OUT, 'profiles', `${model}-round${k + 1}.csv`);
// Each round also times each model at batch 1 on one thread while the other runs beside it
// (--alongside): against the same point alone, how much a stage slows beside the other, the host's
// interference.
const PROFILES = [
  { name: 'paddleocr-det', args: ['paddleocr-det', '--batches', '1,2', '--threads', '1,2'] },
  { name: 'paddleocr-rec', args: ['paddleocr-rec', '--batches', '1,2,4,8', '--threads', '1'] },
  { name: 'paddleocr-det-beside-rec', args: ['paddleocr-det', '--batches', '1', '--threads', '1', '--alongside', 'paddleocr-rec'] },
  { name: 'paddleocr-rec-beside-det', args: ['paddleocr-rec', '--batches', '1', '--threads', '1', '--alongside', 'paddleocr-det'] },
];
function profileRound(k) {
  for (const p of PROFILES) {
    if (done(roundFile(p.name, k))) continue;
    log(`profiling ${p.name} (round ${k + 1} of ${ROUNDS})`);
    pipesim(['profile', ...p.args, '--repetitions', String(PROFILE_REPETITIONS), '--out', roundFile(p.name, k)]);
  }
}
const readProfile = (file) => parseCsvRecords(readFileSync(file, 'utf8')).map((r) => ({ batch: Number(r.batch), cores: Number(r.cores), latency: Number(r.latency), cv: Number(r.cv) }));

/**
 * The rounds of one model pooled point by point: every round's repetitions taken as one sample (the
 * mean of the round means; the variance within rounds plus that between them), written where the
 * simulations read it; with each point's lowest and highest round mean.
 */
function pooledProfile(model) {
  const rounds = Array.from({ length: ROUNDS }, (_, k) => readProfile(roundFile(model, k)));
  const rows = rounds[0].map((p) => {
    const same = rounds.map((r) => r.find((q) => q.batch === p.batch && q.cores === p.cores));
    const latency = mean(same.map((q) => q.latency));
    const secondMoment = mean(same.map((q) => q.latency ** 2 * (1 + q.cv ** 2)));
    const low = Math.min(...same.map((q) => q.latency));
    const high = Math.max(...same.map((q) => q.latency));
    return { batch: p.batch, cores: p.cores, latency, cv: Math.sqrt(Math.max(0, secondMoment - latency ** 2)) / latency, low, high, rounds: same.map((q) => q.latency) };
  });
  const file = join(OUT, 'profiles', `${model}.csv`);
  writeFileSync(file, 'batch,cores,latency,cv\n' + rows.map((r) => `${r.batch},${r.cores},${r.latency},${r.cv}\n`).join(''));
  return { file, rows };
}
profileRound(0);
// The loads are fractions of the capacity the first round measures (they are set before the real
// runs): the pipeline's bottleneck is detection at batch 1 on one thread.
const detFirst = readProfile(roundFile('paddleocr-det', 0)).find((p) => p.batch === 1 && p.cores === 1);
const capacity = 1 / detFirst.latency;

/** Latency of `batch` on `cores` threads from a profile: linear in batch between its points. */
function profileLatency(rows, batch, cores) {
  const points = rows.filter((p) => p.cores === cores).sort((a, b) => a.batch - b.batch);
  const upper = points.findIndex((p) => p.batch >= batch);
  if (upper < 0) return points.at(-1).latency * (batch / points.at(-1).batch);
  if (points[upper].batch === batch || upper === 0) return points[upper].latency;
  const [a, b] = [points[upper - 1], points[upper]];
  return a.latency + ((b.latency - a.latency) * (batch - a.batch)) / (b.batch - a.batch);
}

/**
 * Each stage's service as the real runs measured it, relative to its profile: the mean over every
 * batch of (time it took / the profile's latency for its size), and that ratio's coefficient of
 * variation. The in-situ simulation scales the profile by the one and draws with the other.
 */
function inSitu(realDirs, config) {
  const ratios = [[], []];
  for (const dir of realDirs) {
    const seen = new Set();
    for (const r of parseCsvRecords(readFileSync(join(dir, 'request_stages.csv'), 'utf8'))) {
      const key = `${r.stage}/${r.replica}/${r.started}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const stage = r.stage === 'detect' ? 0 : 1;
      const predicted = stage === 0 ? profileLatency(detProfile, Number(r.batch), config.detThreads) : profileLatency(recProfile, Number(r.batch), 1);
      ratios[stage].push((Number(r.finished) - Number(r.started)) / predicted);
    }
  }
  return ratios.map((xs) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
    return { factor: m, cv: sd / m };
  });
}

/** A copy of a profile with every latency multiplied by `factor`. */
function scaledProfile(file, factor, name) {
  const out = join(OUT, 'profiles', name);
  writeFileSync(out, 'batch,cores,latency\n' + parseCsvRecords(readFileSync(file, 'utf8')).map((r) => `${r.batch},${r.cores},${Number(r.latency) * factor}\n`).join(''));
  return out;
}

/**
 * --set flags for a run: its arrivals and configuration; for a simulation also each stage's service
 * (a profile and its spread) and whether the replicas share the host's cores.
 * @param {string} arrivals
 * @param {{ detReplicas: number, detThreads: number, recBatch: number }} config
 * @param {{ host?: boolean, interference?: number, service?: { path: string, cv: number }[] }} [variant]
 */
function settings(arrivals, config, variant = {}) {
  const { host = false, interference = 0, service = [] } = variant;
  return [
    `duration=${DURATION}s`,
    `metrics.warmup=${WARMUP}s`,
    `workload.arrivals=${arrivals}`,
    `pipeline.stages[0].replicas=${config.detReplicas}`,
    `pipeline.stages[0].cores=${config.detThreads}`,
    `pipeline.stages[1].batch.max=${config.recBatch}`,
    ...service.flatMap((x, i) => [`pipeline.stages[${i}].service.profile.path=${x.path}`, `pipeline.stages[${i}].service.cv=${x.cv.toFixed(3)}`]),
    host ? `pipeline.host={cores: ${CORES}, interference: ${interference.toFixed(4)}}` : 'pipeline.host=null',
  ].flatMap((s) => ['--set', s]);
}
const summaryOf = (dir) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));

const BASE = { name: 'det 1x1 thread, rec batch 4', detReplicas: 1, detThreads: 1, recBatch: 4 };
const poisson = (load) => `{kind: poisson, rate: ${(load * capacity).toFixed(3)}}`;
const LOADS = [
  { name: '30%', load: 0.3, arrivals: poisson(0.3) },
  { name: '60%', load: 0.6, arrivals: poisson(0.6) },
  { name: '85%', load: 0.85, arrivals: poisson(0.85) },
  // The burstiest minute of the bundled trace (coefficient of variation of its counts 0.70, peak 2.6x its mean), at a mean of 50%.
  { name: 'bursty, mean 50%', load: 0.5, arrivals: `{kind: trace, path: ${join(ROOT, 'traces', 'bursty.txt')}, start: 600, duration: ${DURATION}, rate: ${(0.5 * capacity).toFixed(3)}, expand: poisson}` },
];
const CONFIGS = [
  BASE,
  { name: 'det 1x1 thread, rec batch 1', detReplicas: 1, detThreads: 1, recBatch: 1 },
  { name: 'det 2x1 thread, rec batch 4', detReplicas: 2, detThreads: 1, recBatch: 4 },
  { name: 'det 1x2 threads, rec batch 4', detReplicas: 1, detThreads: 2, recBatch: 4 },
];

/** The folder of a real run: the k-th (from 0) of setting `tag`. */
const realDir = (tag, k) => join(OUT, 'real', `${tag}-${k + 1}`);
/**
 * Serve every setting for real, the k-th run of each before any (k+1)-th: the shared machine drifts
 * over the half hour, and interleaving spreads its drift over every setting instead of loading it
 * onto the ones measured last.
 */
function serveAll(settingsList) {
  const most = Math.max(...settingsList.map((x) => x.reps));
  for (let k = 0; k < most; k++) {
    for (const x of settingsList) {
      if (k >= x.reps || done(join(realDir(x.tag, k), 'summary.json'))) continue;
      log(`real ${x.tag} #${k + 1}`);
      pipesim(['testbed', 'run', SCENARIO, '--out', realDir(x.tag, k), '-q', ...settings(x.arrivals, x.config)]);
    }
    profileRound(k + 1);
  }
}
/** A simulation of a setting; by default from the pooled profiles, each stage with its spread there. */
function simRun(tag, arrivals, config, variant = {}) {
  const dir = join(OUT, 'sim', tag);
  const service = variant.service ?? [
    { path: profiles.det, cv: detProfile.find((p) => p.batch === 1 && p.cores === config.detThreads).cv },
    { path: profiles.rec, cv: mean(recProfile.map((p) => p.cv)) },
  ];
  pipesim(['run', SCENARIO, '--out', dir, '-q', ...settings(arrivals, config, { ...variant, service })]);
  return dir;
}
/** The simulations of one real setting: from the profiles (without and with the host) and in situ. */
function simulations(tag, arrivals, config, real) {
  const factors = inSitu(real, config);
  const insitu = [
    { path: scaledProfile(profiles.det, factors[0].factor, `${tag}-det-insitu.csv`), cv: factors[0].cv },
    { path: scaledProfile(profiles.rec, factors[1].factor, `${tag}-rec-insitu.csv`), cv: factors[1].cv },
  ];
  return {
    factors,
    sim: simRun(tag, arrivals, config),
    host: simRun(`${tag}-host`, arrivals, config, { host: true }),
    interference: simRun(`${tag}-interference`, arrivals, config, { host: true, interference: INTERFERENCE }),
    calibrated: simRun(`${tag}-calibrated`, arrivals, config, { host: true, service: calibrated() }),
    insitu: simRun(`${tag}-insitu`, arrivals, config, { service: insitu }),
  };
}

/**
 * The service a user would calibrate from one real run at a light load: each stage's profile scaled
 * by the in-situ factor of the 30% runs (base configuration), with their spread; every other setting
 * is then predicted out of sample, on the shared host.
 */
let calibration;
function calibrated() {
  if (calibration === undefined) {
    const factors = inSitu(realDirs('load1', REPS), BASE);
    calibration = {
      factors,
      service: [
        { path: scaledProfile(profiles.det, factors[0].factor, 'det-calibrated.csv'), cv: factors[0].cv },
        { path: scaledProfile(profiles.rec, factors[1].factor, 'rec-calibrated.csv'), cv: factors[1].cv },
      ],
    };
  }
  return calibration.service;
}

// 2. Loads.
serveAll([
  ...LOADS.map((l, i) => ({ tag: `load${i + 1}`, arrivals: l.arrivals, config: BASE, reps: REPS })),
  ...CONFIGS.slice(1).map((c, i) => ({ tag: `config${i + 2}`, arrivals: LOADS[1].arrivals, config: c, reps: REPS })),
]);
const detPooled = pooledProfile('paddleocr-det');
const recPooled = pooledProfile('paddleocr-rec');
// How much each model slowed beside the other (batch 1, one thread each, pooled over the rounds);
// the host takes their mean as its interference (one factor for the machine).
const beside = {
  det: pooledProfile('paddleocr-det-beside-rec').rows[0].latency / detPooled.rows.find((p) => p.batch === 1 && p.cores === 1).latency - 1,
  rec: pooledProfile('paddleocr-rec-beside-det').rows[0].latency / recPooled.rows.find((p) => p.batch === 1 && p.cores === 1).latency - 1,
};
const INTERFERENCE = Math.max(0, (beside.det + beside.rec) / 2);
const profiles = { det: detPooled.file, rec: recPooled.file };
const detProfile = detPooled.rows;
const recProfile = recPooled.rows;
const realDirs = (tag, reps) => Array.from({ length: reps }, (_, k) => realDir(tag, k));
const loadRuns = LOADS.map((l, i) => {
  const tag = `load${i + 1}`;
  const real = realDirs(tag, REPS);
  return { ...l, tag, real, ...simulations(tag, l.arrivals, BASE, real) };
});

// 3. Configurations at 60% (the first is the base configuration: the 60% load's runs).
const configRuns = CONFIGS.map((c, i) => {
  const tag = `config${i + 1}`;
  const real = i === 0 ? loadRuns[1].real : realDirs(tag, REPS);
  return { ...c, real, ...simulations(tag, LOADS[1].arrivals, c, real) };
});


// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------
const ms = (x) => (x === null || x === undefined ? 'n/a' : (1000 * x).toFixed(1));
const pct = (x) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`);
const VARIANTS = /** @type {const} */ (['sim', 'host', 'interference', 'calibrated', 'insitu']);
const VARIANT_NAMES = { sim: 'sim', host: 'host', interference: 'interference', calibrated: 'calibrated', insitu: 'in situ' };

/** One compared metric: the real runs' values, their mean and spread, and each simulation's value and error against that mean. */
function metricRow(run, scope, metric) {
  const pick = (rows) => rows.find((r) => r.scope === scope && r.metric === metric);
  const reals = run.real.map((d) => pick(compareRuns(d, run.sim)).real);
  const m = mean(reals);
  const med = median(reals);
  /** @typedef {{ value: number, error: number | null, errorMedian: number | null }} Simulated */
  /** @type {{ reals: number[], mean: number, median: number, spread: number, sim?: Simulated, host?: Simulated, interference?: Simulated, calibrated?: Simulated, insitu?: Simulated }} */
  const row = { reals, mean: m, median: med, spread: Math.max(...reals.map((x) => Math.abs(x - m))) / m };
  for (const v of VARIANTS) {
    const value = pick(compareRuns(run.real[0], run[v])).simulated;
    row[v] = { value, error: m === 0 ? null : (value - m) / m, errorMedian: med === 0 ? null : (value - med) / med };
  }
  return row;
}

const lines = [];
const out = (s = '') => lines.push(s);
const summary0 = summaryOf(loadRuns[0].real[0]);
out('# The serving testbed: real ONNX models against the simulation');
out();
out('Generated by `node scripts/testbed-study.mjs` (needs `npm ci --prefix testbed`); do not edit by hand.');
out(`Machine: ${summary0.testbed.machine.cpus} cores (${summary0.testbed.machine.model}), Node ${summary0.testbed.machine.node}, ONNX Runtime 1.30 (CPU); a shared machine.`);
out();
out('The pipeline (`scenarios/testbed/ocr.yaml`): PaddleOCR v4 text detection on a 640x640 image, then recognition');
out('of a 48x320 text line, one replica each on one thread (ONNX Runtime intra-op threads), recognition batching up');
out(`to 4 (timeout 20 ms), SLO 500 ms. Each run: ${DURATION} s of load, the first ${WARMUP} s left out of the statistics. The`);
out('real system replays the arrival times the simulation draws for the same seed (seed 1), so both see the same');
out('requests at the same moments. Five simulations of each real setting:');
out();
out('- **sim**: each stage\'s latency per batch from the profiles `pipesim profile` measured on this machine in rounds');
out('  between the real runs (each model alone, runs back to back), pooled, lognormal with their spread; a core per');
out('  replica.');
out(`- **host**: the same with \`pipeline.host: {cores: ${CORES}}\`: the replicas share the machine's cores (processor sharing`);
out('  while busy threads outnumber them).');
out('- **interference**: the same host with `interference` measured by `pipesim profile --alongside`: each model timed');
out('  at batch 1 while the other runs beside it on the other core, in every round; the host\'s factor is the mean of the');
out(`  two slow-downs (detection beside recognition ${pct(beside.det)}, recognition beside detection ${pct(beside.rec)}: ${INTERFERENCE.toFixed(3)}).`);
out('  Like sim, it uses nothing measured in the real runs.');
out('- **calibrated**: what a user would do with one real run at a light load: each stage\'s profile scaled by how');
out('  much slower the 30% runs\' batches were than it says (and their spread), on the shared host; every other');
out('  setting is then a prediction (at 30% itself it is fitted).');
out('- **in situ**: each stage\'s profile scaled by how much slower the real runs\' batches were than it says (the mean');
out('  of time taken over profile latency, over every batch of the runs), lognormal with that ratio\'s spread. This');
out('  takes the service times from the real runs and leaves the rest (arrivals, queues, batching, routing) to the');
out('  simulation: its error is the error of pipesim\'s queueing and batching model; sim\'s is that plus the error of');
out('  a profile measured alone.');
out();
out('## Profiles (measured alone)');
out();
out(`Measured in ${ROUNDS} rounds of ${PROFILE_REPETITIONS} runs per point (after 3 warm-up runs): one before the real runs and one after each`);
out('round of them, each model alone in its own process with nothing else of pipesim running. The simulations use the');
out('rounds pooled (the mean of the round means; the spread within and between rounds). How much one round differs');
out('from another is how much a profile of this machine moves while the real runs are made:');
out();
out(`| model | batch | threads | pooled mean ms | cv | ${Array.from({ length: ROUNDS }, (_, k) => `round ${k + 1} ms`).join(' | ')} | highest / lowest |`);
out(`| --- | --- | --- | --- | --- | ${Array.from({ length: ROUNDS }, () => '---').join(' | ')} | --- |`);
const profileShifts = [];
for (const { model, rows } of [
  { model: 'paddleocr-det', rows: detProfile },
  { model: 'paddleocr-rec', rows: recProfile },
]) {
  for (const p of rows) {
    profileShifts.push(p.high / p.low);
    out(`| ${model} | ${p.batch} | ${p.cores} | ${ms(p.latency)} | ${p.cv.toFixed(3)} | ${p.rounds.map(ms).join(' | ')} | ${(p.high / p.low).toFixed(3)} |`);
  }
}
out();
out(`The loads are fractions of the capacity the first round measured before any real run: detection at batch 1 on one`);
out(`thread, 1 / ${ms(detFirst.latency)} ms = ${capacity.toFixed(2)} requests/s (pooled over the rounds: ${ms(detProfile.find((p) => p.batch === 1 && p.cores === 1).latency)} ms).`);
out();
out('## Loads');
out();
out(`Real: mean of ${REPS} runs at the same load and seed (interleaved with the other settings' runs); spread: the largest deviation of one run from that mean`);
out('(how far the real system moves between identical runs: no simulation can be expected to get closer). Errors');
out('are against the real mean.');
out();
const METRICS = [
  ['end-to-end', 'latency p50'],
  ['end-to-end', 'latency p95'],
  ['end-to-end', 'latency p99'],
  ['end-to-end', 'latency mean'],
  ['end-to-end', 'throughput'],
  ['end-to-end', 'SLO violations'],
  ['recognise', 'mean batch'],
  ['detect', 'service mean'],
  ['recognise', 'service mean'],
  ['detect', 'wait p50'],
  ['detect', 'wait p99'],
];
const value = (metric, x) => (/latency|wait|service/.test(metric) ? `${ms(x)} ms` : metric === 'SLO violations' ? `${(100 * x).toFixed(2)}%` : x.toFixed(2));
const targets = [];
for (const l of loadRuns) {
  const counts = l.real.map((d) => summaryOf(d).requests.arrived);
  out(`### ${l.name} (${(l.load * capacity).toFixed(2)} requests/s${l.name.startsWith('bursty') ? ' on average' : ''}; ${Math.min(...counts)}-${Math.max(...counts)} requests measured per run)`);
  out();
  out('| metric | real (mean) | spread | sim | error | interference | error | calibrated | error | in situ | error |');
  out('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [scope, metric] of METRICS) {
    const r = metricRow(l, scope, metric);
    const label = scope === 'end-to-end' ? metric : `${scope} ${metric}`;
    const spread = r.mean === 0 ? 'n/a' : `${(100 * r.spread).toFixed(1)}%`;
    out(`| ${label} | ${value(metric, r.mean)} | ${spread} | ${['sim', 'interference', 'calibrated', 'insitu'].map((v) => `${value(metric, r[v].value)} | ${pct(r[v].error)}`).join(' | ')} |`);
    if (l.load <= 0.6 && !l.name.startsWith('bursty') && (metric === 'latency p50' || metric === 'latency p99')) targets.push({ load: l.name, metric, limit: metric === 'latency p50' ? 0.1 : 0.2, ...r });
  }
  out();
}
out('## Against the targets');
out();
out('Simulated p50 within 10% and p99 within 20% of the real system at loads up to 60% of capacity. The real system');
out(`is ${REPS} identical runs; each error is given against their mean and against their median. One run slowed by`);
out(`the shared machine (another tenant, which the profile round measured after it may show too) moves the mean by 1/${REPS}`);
out(`of its excess; ${REPS % 2 === 1 ? 'the median is not moved by one such run' : `the median (the mean of the middle two) moves less`}. Met or missed is marked on each.`);
out();
out('| load | metric | target | real runs ms | spread | sim error (mean / median) | interference error | calibrated error | in situ error |');
out('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const t of targets) {
  const mark = (e) => (e === null ? 'n/a' : `${pct(e)} ${Math.abs(e) <= t.limit ? '(met)' : '(missed)'}`);
  const both = (v) => `${mark(t[v].error)} / ${mark(t[v].errorMedian)}`;
  out(`| ${t.load} | ${t.metric} | ${(100 * t.limit).toFixed(0)}% | ${t.reals.map(ms).join(', ')} | ${(100 * t.spread).toFixed(1)}% | ${both('sim')} | ${both('interference')} | ${both('calibrated')}${t.load === '30%' ? ' (fitted here)' : ''} | ${both('insitu')} |`);
}
out();
out('## Ordering of configurations (60% load)');
out();
out(`Real: mean of ${REPS} runs; every setting's k-th run was made before any setting's`);
out('next, so that the machine\'s drift over the study falls on all alike. Rank 1 is the lowest latency.');
out();
const rank = (xs) => xs.map((x) => xs.filter((y) => y < x).length + 1);
for (const metric of ['latency p50', 'latency p99']) {
  const rows = configRuns.map((c) => metricRow(c, 'end-to-end', metric));
  const real = rank(rows.map((r) => r.mean));
  const ranks = Object.fromEntries(VARIANTS.map((v) => [v, rank(rows.map((r) => r[v].value))]));
  out(`${metric}:`);
  out();
  out(`| configuration | real ms (rank) | spread | ${VARIANTS.map((v) => `${VARIANT_NAMES[v]} ms (rank)`).join(' | ')} |`);
  out(`| --- | --- | --- | ${VARIANTS.map(() => '---').join(' | ')} |`);
  configRuns.forEach((c, i) => out(`| ${c.name} | ${ms(rows[i].mean)} (${real[i]}) | ${(100 * rows[i].spread).toFixed(1)}% | ${VARIANTS.map((v) => `${ms(rows[i][v].value)} (${ranks[v][i]})`).join(' | ')} |`));
  out();
  out(`Same order as the real system (all four): ${VARIANTS.map((v) => `${VARIANT_NAMES[v]} ${ranks[v].every((x, i) => x === real[i]) ? 'yes' : 'no'}`).join(', ')}.`);
  // Two configurations the real runs tell apart: every run of one below every run of the other.
  const apart = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      if (Math.max(...rows[i].reals) < Math.min(...rows[j].reals) || Math.max(...rows[j].reals) < Math.min(...rows[i].reals)) apart.push([i, j]);
    }
  }
  const agree = (v) => apart.filter(([i, j]) => Math.sign(rows[i][v].value - rows[j][v].value) === Math.sign(rows[i].mean - rows[j].mean)).length;
  out(`Pairs the real runs tell apart (every run of one faster than every run of the other): ${apart.length} of ${(rows.length * (rows.length - 1)) / 2}`);
  out(`(${apart.map(([i, j]) => `${configRuns[i].name} / ${configRuns[j].name}`).join('; ')}); ordered the same way: ${VARIANTS.map((v) => `${VARIANT_NAMES[v]} ${agree(v)}`).join(', ')}.`);
  out();
}
out('## What explains the difference');
out();
out('How much slower each stage\'s batches ran in the real pipeline than its profile (measured alone) says: the mean');
out('ratio over every batch (the in-situ factor) and its spread; and the load generator\'s lateness:');
out();
out('| run | detect factor (cv) | recognise factor (cv) | generator lateness mean / max ms |');
out('| --- | --- | --- | --- |');
const lateness = (real) => `${ms(mean(real.map((d) => summaryOf(d).testbed.lateness.mean)))} / ${ms(Math.max(...real.map((d) => summaryOf(d).testbed.lateness.max)))}`;
const factor = (f) => `${f.factor.toFixed(3)} (${f.cv.toFixed(3)})`;
for (const l of loadRuns) out(`| ${l.name} | ${factor(l.factors[0])} | ${factor(l.factors[1])} | ${lateness(l.real)} |`);
for (const c of configRuns.slice(1)) out(`| 60%, ${c.name} | ${factor(c.factors[0])} | ${factor(c.factors[1])} | ${lateness(c.real)} |`);
out();
out('Each real run on its own (run k of every setting was made in round k, between profile rounds k and k + 1):');
out('mean service per stage, and the end-to-end p99:');
out();
out('| setting | detect service ms | recognise service ms | latency p99 ms |');
out('| --- | --- | --- | --- |');
const perRun = (dirs, pick) => dirs.map((d) => ms(pick(summaryOf(d)))).join(', ');
for (const l of loadRuns) {
  out(`| ${l.name} | ${perRun(l.real, (x) => x.stages[0].service.mean)} | ${perRun(l.real, (x) => x.stages[1].service.mean)} | ${perRun(l.real, (x) => x.latency.p99)} |`);
}
out();
const config4 = configRuns[3].factors;
const lowShift = Math.min(...profileShifts);
const highShift = Math.max(...profileShifts);
out(`- A profile is a snapshot of a shared machine. The same models profiled in rounds between the real runs differ by`);
out(`  up to ${pct(highShift - 1)} between the highest and lowest round at one point (at least ${pct(lowShift - 1)}), and in the pipeline each stage ran at the factors above`);
out('  (in situ) times its profile. Whatever moved the machine between the profile and the run carries into every');
out('  simulated latency, amplified by queueing: near capacity a few percent more service takes much of the headroom,');
out('  which is why 85% and the bursty trace\'s peaks are far off from the profile. With the service times the real runs');
const belowCapacity = loadRuns.filter((l) => l.load <= 0.6);
const insituErrors = belowCapacity.flatMap((l) => ['latency p50', 'latency p95', 'latency p99'].map((m) => Math.abs(metricRow(l, 'end-to-end', m).insitu.error)));
out('  measured (in situ), what is left is the error of the queueing and batching model itself: at most');
out(`  ${(100 * Math.max(...insituErrors)).toFixed(1)}% on p50, p95 and p99 at ${belowCapacity.map((l) => l.name).join(', ')}.`);
const byLoad = loadRuns.map((l) => `${l.factors[0].factor.toFixed(2)}x at ${l.name}`).join(', ');
out(`- Beside the other model. Timed alone and then beside the other model (--alongside, batch 1, pooled over the`);
out(`  rounds), detection changed by ${pct(beside.det)} and recognition by ${pct(beside.rec)}, each on a core of its own (the`);
out('  cores share caches and memory bandwidth, and may be hyper-threads of one physical core). The interference column');
out(`  sets \`pipeline.host.interference\` to their mean, at least 0 (${INTERFERENCE.toFixed(3)}), from those profiles alone. In the`);
out(`  pipeline detection ran at ${byLoad} its profile; a factor calibrated at`);
out('  one load (the calibrated column, fitted at 30%) carries that load\'s to the others.');
out(`- Threads against cores. Two detection replicas, or detection on two threads, put three busy threads on ${CORES}`);
out(`  cores, and every replica slows (detection on two threads: factors ${config4[0].factor.toFixed(2)} and ${config4[1].factor.toFixed(2)}).`);
out('  `pipeline.host` models that as processor sharing (the host and interference columns). ONNX Runtime\'s intra-op');
out('  pool spins while it waits for work by default, taking cycles from the other replicas; the testbed and its');
out('  profiles turn spinning off (recognition beside a two-thread detection: 27-28 ms per inference spinning, 22-24 ms');
out('  not, a one-off check on 2026-12-01).');
out('- Measured and ruled out: an idle pause before an inference does not make it slower (detection 70-74 ms with and');
out('  without 50-200 ms pauses between runs, recognition 17.5-18.7 ms), and two single-thread detections at once in two');
out('  processes ran 73 and 84 ms against 75 ms alone (2026-12-01, a one-off check outside this script).');
out('- The real system moves between identical runs (the spread columns): no simulation, however exact, is closer');
out('  to one run than the runs are to each other. At 85% the runs differ by more than the mean itself.');
out('- What the simulation leaves out: message passing between threads (tenths of a millisecond per batch), timer');
out('  granularity of the load generator and the batch timeout (about a millisecond: the lateness column), and the');
out('  shape of the service-time distribution (a lognormal with the measured spread stands for the real one).');
out();
out('## The latency distribution (60% load)');
out();
out('![End-to-end latency CDF at 60% load: the real testbed and the simulation from the profiles](../figures/testbed-cdf.png)');
out();
out(`Drawn by \`pipesim testbed compare ${join('results', 'testbed-study', 'real', 'load2-1')} ${join('results', 'testbed-study', 'sim', 'load2')} --plot docs/figures/testbed-cdf.png\`.`);
pipesim(['testbed', 'compare', loadRuns[1].real[0], loadRuns[1].sim, '--plot', FIGURE, '--title', 'end-to-end latency at 60% load: real testbed and simulation']);
writeFileSync(DOC, lines.join('\n') + '\n');
log(`wrote ${DOC}`);
