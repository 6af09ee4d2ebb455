// Writes docs/results/harmonybatch.md: HarmonyBatch's plans against its BATCH baseline for the
// worked example and other application mixes on the four models, and the plans run in
// simulation (Poisson arrivals and HarmonyBatch's traces). Every number in the doc is computed here.
// Run after `npm run build`:  node scripts/harmonybatch-results.mjs   (or `npm run docs:harmonybatch`)
import { writeFileSync } from 'node:fs';
import { HarmonyPlanner } from '../dist/adapters/harmonybatch/planner.js';
import { loadServerlessModel } from '../dist/profiles/serverless.js';
import { readScenarioOfKind } from '../dist/kinds/load.js';
import { simulateServerless } from '../dist/kinds/serverless/simulate.js';

const MODELS = ['VGG19', 'Bert', 'GPT-2', 'VideoMAE'];
/** The worked example as HarmonyBatch's own code prints it (MODEL.md). */
const REFERENCE = { costs: [4.3498e-5, 4.3498e-5, 2.854e-5], total: 3.35259e-5, timeouts: [0.51331, 0.71331] };

const e = (x) => (x === null || x === undefined ? 'n/a' : x.toExponential(4));
const f = (x, d) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const pct = (x, d = 2) => (x === null || x === undefined ? 'n/a' : `${(100 * x).toFixed(d)}%`);
const pass = (ok) => (ok ? 'PASS' : 'FAIL');

/**
 * Application mixes. SLOs are multiples of the model's batch-1 tail latency on a 2-vCPU CPU
 * function (`base`), so the same mix is as tight for every model; the worked example's are
 * absolute (VGG19's base is 0.294 s: its SLOs are 1.7-3.4 x base).
 */
const MIXES = [
  { name: 'worked example', apps: [[0.5, 5], [0.6, 5], [0.8, 5], [1.0, 15]], absolute: true },
  { name: 'tight SLOs', apps: [[1.2, 10], [1.4, 10], [1.6, 10], [1.8, 10]] },
  { name: 'loose SLOs, high rates', apps: [[3, 30], [4, 30], [5, 30], [6, 30]] },
  { name: 'one heavy application', apps: [[1.5, 2], [2, 2], [2.5, 2], [3, 60]] },
  { name: 'eight applications', apps: [[1.3, 3], [1.6, 6], [1.9, 2], [2.2, 12], [2.5, 4], [3, 20], [4, 8], [5, 1]] },
];

function plan(modelName, mix, algorithm) {
  const model = loadServerlessModel(modelName);
  const base = model.cpuLatency(2, 1, 'tail');
  const apps = mix.apps.map(([slo, rate], i) => ({ name: `app${i}`, slo: mix.absolute ? slo : slo * base, rate }));
  try {
    return { plan: new HarmonyPlanner(model, { algorithm }).plan(apps), apps };
  } catch (err) {
    return { error: err.message, apps };
  }
}

const describe = (p) =>
  p.groups
    .map((g) => `${g.apps.map((a) => `app${a}`).join('+')}: ${g.function.kind === 'gpu' ? `GPU ${g.function.gpuMemGb} GB` : `CPU ${g.function.vcpu} vCPU`}, b${g.batch}`)
    .join('; ');

// ---------- 1. the worked example ----------

const worked = plan('VGG19', MIXES[0], 'harmony').plan;
const workedBatch = plan('VGG19', MIXES[0], 'batch').plan;
const close = (a, b) => Math.abs(a / b - 1) <= 1e-3;
const reproduced =
  worked.groups.length === 3 &&
  worked.groups.every((g, i) => close(g.costPerRequest, REFERENCE.costs[i])) &&
  close(worked.totalCostPerRequest, REFERENCE.total) &&
  worked.groups[2].timeouts.every((t, i) => close(t, REFERENCE.timeouts[i]));

const groupRows = (p) =>
  p.groups.map((g) => {
    const fn = g.function;
    return `| ${g.apps.map((a) => `app${a}`).join(' + ')} | ${fn.kind.toUpperCase()} | ${f(fn.vcpu, 3)} | ${f(fn.memGb, 3)} | ${fn.kind === 'gpu' ? fn.gpuMemGb : '-'} | ${g.batch} | ${g.timeouts.map((t) => f(t, 5)).join(', ')} | ${e(g.costPerRequest)} | ${pct(g.share, 1)} |`;
  });

// ---------- 2. HarmonyBatch against BATCH ----------

const comparison = [];
for (const modelName of MODELS) {
  for (const mix of MIXES) {
    const h = plan(modelName, mix, 'harmony');
    const b = plan(modelName, mix, 'batch');
    comparison.push({ modelName, mix, h, b });
  }
}

// ---------- 3. simulation ----------

function simulate(file, overrides = {}) {
  const scenario = readScenarioOfKind('serverless', file);
  Object.assign(scenario.adaptation.adapter, overrides.adapter ?? {});
  if (overrides.serviceTime) scenario.serverless.serviceTime = overrides.serviceTime;
  return { scenario, ...simulateServerless(scenario) };
}
const runs = [
  { label: 'worked example, Poisson, 1 h', file: 'scenarios/harmonybatch/example.yaml' },
  { label: 'HarmonyBatch traces, 2 h', file: 'scenarios/harmonybatch/traces.yaml' },
];
const simulated = [];
for (const run of runs) {
  for (const kind of ['harmony', 'batch']) {
    for (const serviceTime of ['normal', 'lognormal']) {
      const r = simulate(run.file, { adapter: { kind }, serviceTime });
      simulated.push({ ...run, kind, serviceTime, summary: r.summary });
    }
  }
}
const workedSim = simulated.find((s) => s.file.endsWith('example.yaml') && s.kind === 'harmony' && s.serviceTime === 'normal').summary;
const workedRatio = workedSim.cost.perRequest / workedSim.cost.plannedPerRequest;
const pick = (file, kind) => simulated.find((s) => s.file.endsWith(file) && s.kind === kind && s.serviceTime === 'normal').summary;
const workedBatchSim = pick('example.yaml', 'batch');
const traceHarmony = pick('traces.yaml', 'harmony');
const traceBatch = pick('traces.yaml', 'batch');
const worst = (summary) => summary.apps.reduce((w, a) => (a.violationRatio > w.violationRatio ? a : w));
const worstHarmony = worst(traceHarmony);
const worstBatch = worst(traceBatch);

// ---------- the doc ----------

const text = `# HarmonyBatch in pipesim

Generated by \`npm run docs:harmonybatch\` (\`scripts/harmonybatch-results.mjs\`); do not edit by hand.
Model coefficients, prices and limits: \`profiles/serverless/harmonybatch.yaml\` (HarmonyBatch's \`conf/model.json\`).
Planner: \`src/adapters/harmonybatch/planner.ts\`, reproducing HarmonyBatch's code (defaults: the reference's
quirks, \`cpuSearch: proxy\`).

## The worked example (HarmonyBatch's \`main.py\`)

VGG19; app0 (SLO 0.5 s, 5 requests/s), app1 (0.6 s, 5/s), app2 (0.8 s, 5/s), app3 (1.0 s, 15/s).

| group | function | vCPU | memory (GB) | GPU memory (GB) | batch | timeouts (s) | cost per request | share of requests |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${groupRows(worked).join('\n')}

Total cost per request (weighted by rate): **${e(worked.totalCostPerRequest)}**. HarmonyBatch's own code prints
${e(REFERENCE.total)} with groups costing ${REFERENCE.costs.map(e).join(', ')} and GPU timeouts ${REFERENCE.timeouts.join(' and ')} s:
${pass(reproduced)} (groups, functions and batch sizes equal; costs and timeouts within 0.1%).

BATCH on the same input (CPU functions only, one per application, the average-latency model):

| group | function | vCPU | memory (GB) | GPU memory (GB) | batch | timeouts (s) | cost per request | share of requests |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${groupRows(workedBatch).join('\n')}

Total **${e(workedBatch.totalCostPerRequest)}**: HarmonyBatch is ${pct(1 - worked.totalCostPerRequest / workedBatch.totalCostPerRequest, 1)} cheaper: ${pass(worked.totalCostPerRequest < workedBatch.totalCostPerRequest)}.

## HarmonyBatch against BATCH: mixes x models

Planned cost per request (rate-weighted). SLOs of the mixes other than the worked example are multiples of each
model's batch-1 tail latency on a 2-vCPU CPU function (${MODELS.map((m) => `${m} ${f(loadServerlessModel(m).cpuLatency(2, 1, 'tail'), 3)} s`).join(', ')}),
so a mix is equally tight for every model; rates are requests/s.

| model | mix (SLO x base, rate) | HarmonyBatch | BATCH | saving | HarmonyBatch's groups |
| --- | --- | --- | --- | --- | --- |
${comparison
  .map(({ modelName, mix, h, b }) => {
    const mixText = mix.absolute ? 'worked example (absolute SLOs)' : `${mix.name}: ${mix.apps.map(([s, r]) => `${s}/${r}`).join(', ')}`;
    if (h.error || b.error) return `| ${modelName} | ${mixText} | ${h.error ? `infeasible: ${h.error}` : e(h.plan.totalCostPerRequest)} | ${b.error ? `infeasible: ${b.error}` : e(b.plan.totalCostPerRequest)} | n/a | |`;
    return `| ${modelName} | ${mixText} | ${e(h.plan.totalCostPerRequest)} | ${e(b.plan.totalCostPerRequest)} | ${pct(1 - h.plan.totalCostPerRequest / b.plan.totalCostPerRequest, 1)} | ${describe(h.plan)} |`;
  })
  .join('\n')}

BATCH plans with the average latency for the SLO too, so its plans are cheaper than a tail-aware plan could be
when the two models differ a lot, and they miss SLOs in simulation (below); a negative saving means BATCH's
plan is cheaper on paper. BATCH falls back to the largest CPU function at batch 1 when nothing meets an SLO.

## The plans in simulation

Each application's requests go to its group's batch queue; a batch leaves when full or when the earliest
deadline of its members (arrival + the application's timeout) comes; each batch is one invocation, lasting a
draw from the function's latency model for that batch size (\`normal\`: HarmonyBatch's own simulator, mean
the average and the tail at z = 2.33; \`lognormal\`: mean the average, p99 the tail), billed as the model says.
Plans are remade every minute for the coming minute's rates; no cold starts. Seed 1.

| run | planner | service time | requests | cost per request: simulated | planned | ratio | SLO violations | ${['app 1', 'app 2', 'app 3', 'app 4'].map((a) => `${a}: violations / p99 (s)`).join(' | ')} |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${simulated
  .map((s) => {
    const m = s.summary;
    return `| ${s.label} | ${s.kind === 'harmony' ? 'HarmonyBatch' : 'BATCH'} | ${s.serviceTime} | ${m.requests.completed.toLocaleString('en-US')} | ${e(m.cost.perRequest)} | ${e(m.cost.plannedPerRequest)} | ${f(m.cost.perRequest / m.cost.plannedPerRequest, 4)} | ${pct(m.violationRatio)} | ${m.apps
      .map((a) => `${pct(a.violationRatio)} / ${f(a.latency.p99, 3)}`)
      .join(' | ')} |`;
  })
  .join('\n')}

Checks on the worked example with Poisson arrivals (HarmonyBatch, HarmonyBatch's service-time model):
- simulated cost per request within 5% of the planned: ratio ${f(workedRatio, 4)}: ${pass(Math.abs(workedRatio - 1) <= 0.05)}.
  The simulated cost is higher because GPU time is billed in whole seconds per invocation: a batch that leaves
  at its timeout with fewer than the planned ${worked.groups[2].batch} requests costs as much as a full one.
- SLO-violation ratio per application: ${workedSim.apps.map((a) => `${a.name} ${pct(a.violationRatio, 3)}`).join(', ')}.

Findings (computed from the table):
- HarmonyBatch's violation ratio is ${pct(workedSim.violationRatio, 3)} on the worked example and ${pct(traceHarmony.violationRatio, 3)} on the traces.
  Its worst application on the traces is ${worstHarmony.name} (SLO ${worstHarmony.slo} s): ${pct(worstHarmony.violationRatio)} of its requests miss, with p99
  ${f(worstHarmony.latency.p99, 3)} s. HarmonyBatch's tail model is a p99 (its simulator draws the tail at z = 2.33), so
  a function sized exactly to its SLO (a CPU function at the least vCPU whose tail meets it) misses it for about 1% of
  requests by construction: the tail model is optimistic by that much, not more, under Poisson arrivals.
- BATCH plans with the average latency and misses SLOs: ${pct(workedBatchSim.violationRatio)} on the worked example and ${pct(traceBatch.violationRatio)} on
  the traces, ${pct(worstBatch.violationRatio)} for ${worstBatch.name} (SLO ${worstBatch.slo} s), while costing ${pct(traceBatch.cost.perRequest / traceHarmony.cost.perRequest - 1, 1)} more per request than HarmonyBatch there.
- The simulated cost is ${f(workedRatio, 3)}x (worked example) and ${f(traceHarmony.cost.perRequest / traceHarmony.cost.plannedPerRequest, 3)}x (traces) the planned cost: whole-second
  GPU billing of batches that leave below the expected size, which the planner's expected batch does not price.

## How to reproduce

\`\`\`sh
npm run docs:harmonybatch                                              # this file
npx pipesim harmony plan --model VGG19 --app slo=0.5,rps=5 --app slo=0.6,rps=5 --app slo=0.8,rps=5 --app slo=1,rps=15
npx pipesim harmony plan scenarios/harmonybatch/example.yaml --algorithm batch --json
npx pipesim run scenarios/harmonybatch/example.yaml                    # 1 h of the worked example, Poisson arrivals
npx pipesim run scenarios/harmonybatch/traces.yaml --set adaptation.adapter.kind=batch
\`\`\`
`;

writeFileSync('docs/results/harmonybatch.md', text);
console.log(`wrote docs/results/harmonybatch.md (worked example reproduced: ${reproduced}; ${comparison.length} plan pairs; ${simulated.length} simulations)`);
