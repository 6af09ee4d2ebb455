// pipesim benchmarks (`npm run bench`). Not part of the test suite: timings on shared
// machines are noisy, so each figure is the median of several repetitions, and the
// comparisons are ratios measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RandomStreams } from '../dist/engine/random.js';
import { generateTrace } from '../dist/workload/generators.js';
import { formatCountTrace } from '../dist/workload/trace.js';
import { readScenarioOfKind } from '../dist/kinds/load.js';
import { simulate } from '../dist/kinds/pipeline/simulate.js';
import { HarmonyPlanner } from '../dist/adapters/harmonybatch/planner.js';
import { loadServerlessModel } from '../dist/profiles/serverless.js';
import { simulateServerless } from '../dist/kinds/serverless/simulate.js';
import { mmcEngine } from './mmc-engine.js';
import { benchOptimizer } from './optimizer.js';
import { benchForecast } from './predictor.js';
import { benchSweeps } from './sweep.js';

const SIMPY_SRC = process.env.SIMPY_SRC ?? '../shared/peers/simpy-4.1.2/src';
const REPS = Number(process.env.BENCH_REPS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x, d = 2) => x.toLocaleString('en-US', { maximumFractionDigits: d });
const results = {};
const wall = (fn) => {
  const t = process.hrtime.bigint();
  const value = fn();
  return { value, seconds: Number(process.hrtime.bigint() - t) / 1e9 };
};
const section = (title) => console.log(`\n== ${title}`);

// 1. M/M/c on the engine alone, and through the full pipeline model (simulate()).
section('M/M/4 (rho 0.8), 1,000,000 customers (median of ' + REPS + ')');
const engineRuns = Array.from({ length: REPS }, () => mmcEngine(1_000_000, 4, 3.2, 1, 1));
const engineSeconds = median(engineRuns.map((r) => r.seconds));
const engineEventsPerSec = engineRuns[0].events / engineSeconds;
console.log(`engine alone:   ${fmt(engineEventsPerSec / 1e6)} M events/s, ${fmt(1e6 / engineSeconds / 1e6)} M customers/s (target >= 3 M events/s)`);
const mmc = readScenarioOfKind('pipeline', 'bench/scenarios/mmc.yaml');
const pipelineRuns = Array.from({ length: REPS }, () => wall(() => simulate(mmc)));
const pipelineSeconds = median(pipelineRuns.map((r) => r.seconds));
const pipelineEvents = pipelineRuns[0].value.summary.events;
console.log(`pipeline model: ${fmt(pipelineEvents / pipelineSeconds / 1e6)} M events/s, ${fmt(1e6 / pipelineSeconds / 1e6)} M customers/s (with metrics and sketches)`);
results.mmc = { engineEventsPerSec, engineCustomersPerSec: 1e6 / engineSeconds, pipelineEventsPerSec: pipelineEvents / pipelineSeconds, pipelineCustomersPerSec: 1e6 / pipelineSeconds };

// 2. Whole `pipesim run` process on the same model.
const runDir = mkdtempSync(join(tmpdir(), 'pipesim-bench-'));
const processRuns = Array.from({ length: Math.min(REPS, 3) }, (_, i) =>
  wall(() => spawnSync(process.execPath, ['bin/pipesim.js', 'run', 'bench/scenarios/mmc.yaml', '-q', '--out', join(runDir, String(i))], { stdio: 'inherit' })).seconds,
);
const processSeconds = median(processRuns);
console.log(`pipesim run process: ${fmt(processSeconds)} s wall -> ${fmt(1e6 / processSeconds / 1e6)} M customers/s`);
results.mmc.processSeconds = processSeconds;
rmSync(runDir, { recursive: true, force: true });

// 3. SimPy 4 on the same model, engine time and whole process.
section('SimPy 4.1.2, same M/M/4 model, 1,000,000 customers');
if (!existsSync(join(SIMPY_SRC, 'simpy', 'core.py'))) {
  console.log(`skipped: SimPy's source is not at ${SIMPY_SRC} (set SIMPY_SRC to its src folder)`);
} else {
  const simpyRuns = Array.from({ length: Math.min(REPS, 3) }, () => {
    const r = wall(() => spawnSync('python3', ['bench/simpy_mmc.py', '1000000', '4', '3.2', '1', '1'], { env: { ...process.env, PYTHONPATH: SIMPY_SRC }, encoding: 'utf8' }));
    if (r.value.status !== 0) throw new Error(`SimPy run failed: ${r.value.stderr}`);
    return { engine: JSON.parse(r.value.stdout).seconds, process: r.seconds };
  });
  const simpyEngine = median(simpyRuns.map((r) => r.engine));
  const simpyProcess = median(simpyRuns.map((r) => r.process));
  console.log(`SimPy env.run(): ${fmt(simpyEngine)} s -> ${fmt(1e6 / simpyEngine / 1e3)} k customers/s; whole process ${fmt(simpyProcess)} s`);
  console.log(`ratio, customers/s pipesim over SimPy: engine ${fmt(simpyEngine / engineSeconds, 1)}x (target >= 12x), whole process ${fmt(simpyProcess / processSeconds, 1)}x (target >= 5x)`);
  results.simpy = { engineSeconds: simpyEngine, processSeconds: simpyProcess, engineRatio: simpyEngine / engineSeconds, processRatio: simpyProcess / processSeconds };
}

// 4. Three-stage batching pipeline replaying one hour at 500 requests/s.
section('3-stage batching pipeline, 1-hour trace at 500 requests/s (median of ' + Math.min(REPS, 3) + ')');
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/steady-500.txt', formatCountTrace(generateTrace({ pattern: 'steady', rate: 500, duration: 3600 }, new RandomStreams(1).stream('workload'))));
const batching = readScenarioOfKind('pipeline', 'bench/scenarios/batching-3stage.yaml');
const batchRuns = Array.from({ length: Math.min(REPS, 3) }, () => wall(() => simulate(batching)));
const batchSeconds = median(batchRuns.map((r) => r.seconds));
const b = batchRuns[0].value.summary;
console.log(`${fmt(b.requests.arrived)} requests, ${fmt(b.events)} events in ${fmt(batchSeconds)} s -> ${fmt(b.events / batchSeconds / 1e6)} M events/s, ${fmt(b.requests.arrived / batchSeconds / 1e6)} M requests/s; simulated hour in ${fmt(batchSeconds)} s`);
results.batching = { events: b.events, seconds: batchSeconds, eventsPerSec: b.events / batchSeconds };

// 5. Event queue: the hold model at two queue sizes, each implementation in its own process.
section('event queue: hold model, 2e6 operations (median of ' + REPS + ')');
const holdSeconds = (implementation, size) => {
  const r = spawnSync(process.execPath, ['bench/hold.js', implementation, String(size), String(REPS)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return median(JSON.parse(r.stdout).seconds);
};
for (const size of [1_000, 100_000]) {
  const engine = holdSeconds('engine', size);
  const sdsl = holdSeconds('js-sdsl', size);
  results[`hold${size}`] = { engineMops: 2 / engine, jsSdslMops: 2 / sdsl, engineOverSdsl: sdsl / engine };
  console.log(`queue size ${fmt(size)}: engine (calendar queue, used) ${fmt(2 / engine)} M ops/s, js-sdsl PriorityQueue of event objects ${fmt(2 / sdsl)} M ops/s -> engine ${fmt(sdsl / engine)}x`);
}

// 6. IPA optimizer: one decision on 3 stages x 6 variants x 7 batch sizes, up to 100 replicas.
section('IPA optimizer: 3 stages x 6 variants x 7 batch sizes, replicas up to 100');
const opt = benchOptimizer();
console.log(`${opt.decisions} decisions (sum and product accuracy, loads 5-400/s): median ${fmt(opt.medianMs, 3)} ms, p99 ${fmt(opt.p99Ms, 3)} ms (target: median < 10 ms)`);
results.optimizer = opt;

// 7. Load prediction: one LSTM forecast on the shipped model.
section('load prediction: one forecast with the shipped LSTM (models/ipa-lstm), median of 1000');
const fc = await benchForecast();
if (fc === undefined) console.log('skipped: models/ipa-lstm is not here');
else {
  console.log(`LSTM (${fc.backend} backend at training; loaded with auto): median ${fmt(fc.lstm.medianMs, 3)} ms, p99 ${fmt(fc.lstm.p99Ms, 3)} ms (target: median < 5 ms); last value ${fmt(fc.lastValue.medianMs, 4)} ms`);
  results.forecast = fc;
}

// 8. Peak memory: 1e6 against 1e7 requests of the M/M/c scenario, each in a fresh process.
section('peak memory (RSS) of a whole run, 1e6 and 1e7 requests');
const peak = (n) => {
  const r = spawnSync(process.execPath, ['bench/peak-memory.js', String(n)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout).maxRssKiB / 1024;
};
const mem6 = peak(1e6);
const mem7 = peak(1e7);
console.log(`1e6 requests: ${fmt(mem6, 0)} MiB; 1e7 requests: ${fmt(mem7, 0)} MiB -> ratio ${fmt(mem7 / mem6)} (target <= 1.5)`);
results.memory = { mib1e6: mem6, mib1e7: mem7, ratio: mem7 / mem6 };

// 9. IPA's experiment grid: 5 pipelines x 4 workloads x 4 policies, LSTM predictor, one process.
section("IPA experiment grid: 80 simulated 20-minute runs with adaptation every 10 s (pipesim experiment ipa)");
const gridDir = mkdtempSync(join(tmpdir(), 'pipesim-bench-ipa-'));
const gridRuns = Array.from({ length: Math.min(REPS, 3) }, (_, i) => {
  const r = wall(() => spawnSync(process.execPath, ['bin/pipesim.js', 'experiment', 'ipa', '-q', '--out', join(gridDir, String(i))], { encoding: 'utf8' }));
  if (r.value.status !== 0) throw new Error(r.value.stderr);
  return r.seconds;
});
rmSync(gridDir, { recursive: true, force: true });
const gridSeconds = median(gridRuns);
console.log(`80 runs in ${fmt(gridSeconds)} s wall, one process (target < 120 s) -> ${fmt(gridSeconds / 80, 3)} s per simulated 20-minute run`);
results.ipaGrid = { runs: 80, seconds: gridSeconds, secondsPerRun: gridSeconds / 80 };

// 10. HarmonyBatch: one plan for 8 applications, and a simulated hour of the worked example.
section('HarmonyBatch: a plan for 8 applications (VGG19), and one simulated hour of 4 applications');
{
  const model = loadServerlessModel('VGG19');
  const apps = [[0.4, 3], [0.5, 6], [0.6, 2], [0.7, 12], [0.8, 4], [1, 20], [1.2, 8], [1.5, 1]].map(([slo, rate], i) => ({ name: `app${i}`, slo, rate }));
  const planTimes = Array.from({ length: 20 }, () => wall(() => new HarmonyPlanner(model).plan(apps)).seconds * 1000);
  const planMs = median(planTimes);
  const example = readScenarioOfKind('serverless', 'scenarios/harmonybatch/example.yaml');
  const hourRuns = Array.from({ length: Math.min(REPS, 3) }, () => wall(() => simulateServerless(example)));
  const hourSeconds = median(hourRuns.map((r) => r.seconds));
  console.log(`plan for 8 applications (a fresh planner, thresholds included): median ${fmt(planMs, 1)} ms (target < 50 ms)`);
  console.log(`one simulated hour of the worked example (${fmt(hourRuns[0].value.summary.requests.arrived)} requests, re-planned every minute): ${fmt(hourSeconds)} s (target < 2 s)`);
  results.harmonybatch = { planMs, hourSeconds };
}

// 11. Scheduling: a 4-tenant EDF station against the single-tenant FCFS one, 1e6 requests each.
section('scheduling: 4-tenant EDF against 1-tenant FCFS, M/M/4 at rho 0.8, 1,000,000 requests (median of ' + Math.min(REPS, 3) + ')');
{
  const eventsPerSecond = (file) => {
    const scenario = readScenarioOfKind('pipeline', file);
    const runs = Array.from({ length: Math.min(REPS, 3) }, () => wall(() => simulate(scenario)));
    return runs[0].value.summary.events / median(runs.map((r) => r.seconds));
  };
  const fcfs = eventsPerSecond('bench/scenarios/fcfs-1tenant.yaml');
  const edf = eventsPerSecond('bench/scenarios/edf-4tenant.yaml');
  console.log(`FCFS, 1 tenant: ${fmt(fcfs / 1e6)} M events/s; EDF, 4 tenants: ${fmt(edf / 1e6)} M events/s -> ratio ${fmt(edf / fcfs)} (target >= 0.7)`);
  results.scheduling = { fcfsEventsPerSec: fcfs, edfEventsPerSec: edf, ratio: edf / fcfs };
  // The request heap: pipesim's KeyedQueue against js-sdsl's PriorityQueue, EDF hold model.
  const queueSeconds = (implementation, size) => {
    const r = spawnSync(process.execPath, ['bench/request-queue.js', implementation, String(size), String(REPS)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return median(JSON.parse(r.stdout).seconds);
  };
  for (const size of [1_000, 100_000]) {
    const keyed = queueSeconds('keyed', size);
    const sdsl = queueSeconds('js-sdsl', size);
    results.scheduling[`heap${size}`] = { keyedMops: 2 / keyed, jsSdslMops: 2 / sdsl, keyedOverSdsl: sdsl / keyed };
    console.log(`request heap, ${fmt(size)} waiting: KeyedQueue (used) ${fmt(2 / keyed)} M ops/s, js-sdsl PriorityQueue ${fmt(2 / sdsl)} M ops/s -> KeyedQueue ${fmt(sdsl / keyed)}x`);
  }
}

// 12. Sweeps: parallel efficiency of the worker pool, and what each run costs the machinery.
section('sweeps: 200 runs of the quickstart scenario (about 35 ms each), 1 worker then 2; 200 one-request runs (median of ' + Math.min(REPS, 3) + ')');
{
  const s = await benchSweeps(Math.min(REPS, 3));
  console.log(`1 worker ${fmt(s.oneWorkerSeconds)} s, 2 workers ${fmt(s.twoWorkerSeconds)} s -> ${fmt(s.efficiency)}x (target >= 1.8x on 2 cores)`);
  console.log(`the machine's ceiling, the same runs in 1 process then split over 2 at once: ${fmt(s.machineCeiling)}x`);
  console.log(`per-run overhead: ${fmt(s.overheadMsPerRun)} ms (target < 20 ms)`);
  results.sweeps = s;
}

// 13. Replica scaling: the same requests through 2 stages of 10 to 100,000 replicas each, each
// size in a fresh process; then a million requests per second for a simulated minute.
// Five rounds: a noisy spell of this shared machine lasts minutes and can move one size's median
// by a third; the fastest of the rounds (the run least disturbed) is printed beside the median.
const SCALING_ROUNDS = Math.min(REPS, 5);
section('replica scaling: 4.8 million requests, 2 batching stages at utilisation about 0.8, R replicas per stage (median of ' + SCALING_ROUNDS + ', sizes interleaved; fastest of the ' + SCALING_ROUNDS + ' in brackets)');
{
  const sizes = [10, 1_000, 10_000, 100_000];
  const runs = sizes.map(() => []);
  const valueRuns = sizes.map(() => []);
  const child = (script, replicas) => {
    const r = spawnSync(process.execPath, [script, String(replicas), '4800000'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  };
  // Round by round over the sizes, so that a noisy spell of this shared machine hits every size alike.
  for (let round = 0; round < SCALING_ROUNDS; round++) {
    sizes.forEach((replicas, i) => {
      runs[i].push(child('bench/replicas.js', replicas));
      valueRuns[i].push(child('bench/value-layout.js', replicas));
    });
  }
  const rows = runs.map((rs) => ({
    ...rs[0],
    seconds: median(rs.map((r) => r.seconds)),
    fastestSeconds: Math.min(...rs.map((r) => r.seconds)),
    steadyPerRequest: median(rs.map((r) => r.steadyPerRequest)),
    fastestSteadyPerRequest: Math.min(...rs.map((r) => r.steadyPerRequest)),
    maxRssKiB: Math.max(...rs.map((r) => r.maxRssKiB)),
  }));
  const [base] = rows;
  const ratios = (r) => ({
    ratio: r.seconds / base.seconds,
    fastestRatio: r.fastestSeconds / base.fastestSeconds,
    steadyRatio: r.steadyPerRequest / base.steadyPerRequest,
    fastestSteadyRatio: r.fastestSteadyPerRequest / base.fastestSteadyPerRequest,
  });
  for (const r of rows) {
    const x = ratios(r);
    console.log(
      `${fmt(r.replicas).padStart(7)} replicas: ${fmt(r.seconds)} s, ${fmt((r.seconds / r.requests) * 1e9, 0)} ns/request (${fmt(x.ratio)}x [${fmt(x.fastestRatio)}x] of 10 replicas; target 1.3x to 10,000, 1.5x at 100,000); ` +
        `filled (50-90% of arrivals) ${fmt(r.steadyPerRequest * 1e9, 0)} ns/request (${fmt(x.steadyRatio)}x [${fmt(x.fastestSteadyRatio)}x]), utilisation ${r.utilization.map((u) => fmt(u)).join('/')}, peak RSS ${fmt(r.maxRssKiB / 1024, 0)} MiB`,
    );
  }
  results.replicaScaling = rows.map((r) => ({ ...r, nsPerRequest: (r.seconds / r.requests) * 1e9, ...ratios(r) }));
  // The yardstick: the same model with the least memory traffic it allows (a request is its arrival time, carried by value).
  const valueSeconds = valueRuns.map((rs) => median(rs.map((r) => r.seconds)));
  console.log(
    `the same model with the least memory traffic (bench/value-layout.js): ` +
      sizes.map((replicas, i) => `${fmt(replicas)} ${fmt(valueSeconds[i])} s (${fmt(valueSeconds[i] / valueSeconds[0])}x, +${fmt(((valueSeconds[i] - valueSeconds[0]) / 4.8e6) * 1e9, 0)} ns/request)`).join(', '),
  );
  console.log(`pipesim's own growth over 10 replicas: ` + rows.map((r) => `${fmt(r.replicas)} +${fmt(((r.seconds - rows[0].seconds) / r.requests) * 1e9, 0)} ns/request`).join(', '));
  results.valueLayout = sizes.map((replicas, i) => ({ replicas, seconds: valueSeconds[i], utilization: valueRuns[i][0].utilization }));
  // Both draw from the same seeded streams: if the utilisations part, the yardstick no longer models what pipesim runs.
  const apart = sizes.filter((_, i) => runs[i][0].utilization.some((u, s) => Math.abs(u - valueRuns[i][0].utilization[s]) > 1e-4));
  if (apart.length > 0) console.log(`WARNING: bench/value-layout.js's utilisations differ from pipesim's at ${apart.join(', ')} replicas: the two models have drifted apart`);
  // What a cache miss costs here, by how much memory the misses range over: what is in flight at
  // 10 replicas per stage fits the caches; at 10,000 it is about their size (by Little's law
  // about 80,000 requests in flight, a 64-byte row each, and 20,000 replica records of about 60
  // bytes: some 6 MB, with the pending events beside), and at 100,000 ten times that.
  const latency = JSON.parse(spawnSync(process.execPath, ['bench/memory-latency.js', '256', '2048', '4096', '16384', '262144'], { encoding: 'utf8' }).stdout);
  console.log(`memory latency here (dependent loads over a working set of): ${latency.map((l) => `${fmt(l.kib / 1024, 2)} MiB ${fmt(l.ns, 0)} ns`).join(', ')}`);
  results.memoryLatency = latency;
  // Instructions and simulated cache misses per request (about 1.5 minutes a size): the work done
  // for a request against the memory it misses, each free of this machine's noise.
  if (process.env.BENCH_CACHEGRIND === '1') {
    const counted = spawnSync(process.execPath, ['bench/cachegrind.js', '10', '1000', '10000'], { encoding: 'utf8' });
    if (counted.status !== 0) console.log(`cachegrind counts skipped: ${counted.stderr.trim().split('\n')[0]}`);
    else {
      const rows = JSON.parse(counted.stdout);
      for (const r of rows) console.log(`cachegrind, ${fmt(r.replicas).padStart(6)} replicas: ${fmt(r.instructionsPerRequest, 0)} instructions/request, ${fmt(r.llMissesPerRequest, 1)} misses/request of a 4 MiB last-level cache`);
      results.cachegrind = rows;
    }
  } else console.log('(BENCH_CACHEGRIND=1 adds instructions and cache misses per request under valgrind, about 1.5 minutes a size)');
  const reconfigure = JSON.parse(spawnSync(process.execPath, ['bench/reconfigure.js', '100000'], { encoding: 'utf8' }).stdout);
  console.log(`100,000 replicas scaled down to 1 (99,999 drain) and back up: ${fmt(reconfigure.seconds)} s (quadratic before issue 18: 40,000 took 54 s)`);
  results.reconfigure = reconfigure;
  const dir = mkdtempSync(join(tmpdir(), 'pipesim-bench-'));
  const million = wall(() => spawnSync(process.execPath, ['bin/pipesim.js', 'run', 'bench/scenarios/million.yaml', '-q', '--out', join(dir, 'million')], { stdio: 'inherit' }));
  rmSync(dir, { recursive: true, force: true });
  console.log(`1,000,000 requests/s, 10,000 replicas, 60 simulated seconds (pipesim run, whole process): ${fmt(million.seconds)} s (target < 60 s)`);
  results.replicaScaling.push({ million: true, seconds: million.seconds });
}

writeFileSync('bench/out/results.json', JSON.stringify(results, null, 2) + '\n');
console.log('\nwritten bench/out/results.json');
