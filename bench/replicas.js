// Child process of bench/run.js: the replica-scaling model with R replicas per stage, in a
// fresh process (so each size gets its own heap), printing seconds, requests, events and peak
// RSS as JSON; also the seconds per request between the 50% and 90% arrival marks
// (`steadyPerRequest`), where the cluster has filled and is not yet draining: with 100,000
// replicas per stage the 4.8 million requests last 0.15 simulated seconds, and filling a
// cluster of that size (its first batches, every request object made) is a large part of the
// whole. The model: 2 stages, batches of up to 4 (5 ms timeout), exponential service of 4 ms +
// 2 ms per request beyond the first, Poisson arrivals at 330 requests/s per replica (utilisation
// about 0.8); the same number of requests at every size, so seconds per request compare
// directly. bench/value-layout.js writes the same model with the least memory traffic it allows.
import { peakRssKiB } from './peak-rss.js';
import { simulate } from '../dist/kinds/pipeline/simulate.js';
import { parseWith } from '../dist/config/yaml.js';
import { ScenarioSchema } from '../dist/kinds/pipeline/schema.js';

const [replicasText, requestsText] = process.argv.slice(2);
const replicas = Number(replicasText);
const requests = Number(requestsText);
const stage = (name) => ({ name, replicas, batch: { max: 4, timeout: '5ms' }, service: { dist: 'exponential', mean: '4ms', perItem: '2ms' } });
const scenario = parseWith(ScenarioSchema, {
  name: `replicas-${replicas}`,
  seed: 1,
  workload: { arrivals: { kind: 'poisson', rate: 330 * replicas }, requests },
  pipeline: { maxWaiting: 10_000_000, stages: [stage('a'), stage('b')] },
}, 'bench/replicas.js');
const start = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
/** [fraction of the arrivals, seconds] at each progress report (every 16,384 arrivals). */
const marks = [];
const { summary } = simulate(scenario, { onProgress: (fraction) => marks.push([fraction, elapsed()]) });
const seconds = elapsed();
// The last report comes after the run, drain included: not a mark within the arrivals.
marks.pop();
const from = marks.find(([fraction]) => fraction >= 0.5);
const to = marks.find(([fraction]) => fraction >= 0.9);
if (from === undefined || to === undefined || !(to[0] > from[0])) throw new Error(`${requests} requests are too few to time the filled cluster apart (progress is reported every 16,384 arrivals)`);
const steadyPerRequest = (to[1] - from[1]) / ((to[0] - from[0]) * requests);
const utilization = summary.stages.map((s) => s.utilization);
process.stdout.write(JSON.stringify({ replicas, requests: summary.requests.arrived, events: summary.events, seconds, steadyPerRequest, utilization, maxRssKiB: peakRssKiB() }) + '\n');
