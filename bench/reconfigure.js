// Child process of bench/run.js: one stage of R replicas scaled down to 1 (all but one drain)
// and back up to R, with no load: the cost of reconfiguring a large cluster. Prints seconds.
import { RandomStreams } from '../dist/engine/random.js';
import { Simulation } from '../dist/engine/simulation.js';
import { DISCIPLINES } from '../dist/pipeline/disciplines/registry.js';
import { Pipeline } from '../dist/pipeline/pipeline.js';
import { ROUTERS } from '../dist/pipeline/routers/registry.js';
import { affineLatency, ServiceTime } from '../dist/pipeline/service.js';

const replicas = Number(process.argv[2]);
const sim = new Simulation();
const service = new ServiceTime(affineLatency(0.01, 0), 'exponential', 0, new RandomStreams(1).stream('service'));
const observer = { batchStarted() {}, batchFinished() {}, dropped() {}, arrived() {}, completed() {}, replicasChanged() {} };
/** @type {import('../dist/pipeline/stage.js').StageConfig} */
const config = { name: 's', batchTimeout: 0, capacity: Infinity, overflow: 'drop-newest', dropExpired: false, discipline: { definition: DISCIPLINES.get('fcfs'), options: {} }, abandon: false, router: ROUTERS.get('round-robin').create({}), drain: 1 };
const model = { variant: 'm', cores: 1, loadTime: 0, service };
const pipeline = new Pipeline(sim, [{ config, initial: { model, replicas, maxBatch: 1 } }], observer);
const stage = pipeline.stages[0];
const start = process.hrtime.bigint();
sim.scheduleAt(0, () => stage.reconfigure({ model, replicas: 1, maxBatch: 1 }), undefined);
sim.scheduleAt(5, () => stage.reconfigure({ model, replicas, maxBatch: 1 }), undefined);
sim.run();
process.stdout.write(JSON.stringify({ replicas, seconds: Number(process.hrtime.bigint() - start) / 1e9, after: stage.replicas.length }) + '\n');
