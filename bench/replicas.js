// Child process of bench/run.js: the replica-scaling model with R replicas per stage, in a
// fresh process (so each size gets its own heap), printing seconds, requests, events and peak
// RSS as JSON. The model: 2 stages, batches of up to 4 (5 ms timeout), exponential service of
// 4 ms + 2 ms per request, Poisson arrivals at 330 requests/s per replica (utilisation about
// 0.8); the same number of requests at every size, so seconds per request compare directly.
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
const { summary } = simulate(scenario);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const utilization = summary.stages.map((s) => s.utilization);
process.stdout.write(JSON.stringify({ replicas, requests: summary.requests.arrived, events: summary.events, seconds, utilization, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
