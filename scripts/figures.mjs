// Regenerates docs/figures/ (`npm run figures`): every figure from the shipped scenarios and sweep
// files, through the same commands a user runs. Intermediate results go to results/figures/.
// Each step is printed before it runs; any failure stops the script with its exit code.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';

const RESULTS = 'results/figures';
const FIGURES = 'docs/figures';

function pipesim(...args) {
  console.log(`$ pipesim ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['bin/pipesim.js', ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

rmSync(RESULTS, { recursive: true, force: true });
mkdirSync(FIGURES, { recursive: true });

// IPA's grid: 5 pipelines x 4 workloads x 4 policies. Figure 8 (video) and Figures 9-12 (the other
// four pipelines): cost and accuracy over time; Figure 15: per-second p99 CDFs with IPA's SLA lines.
pipesim('experiment', 'ipa', '--out', `${RESULTS}/ipa`, '-q');
const FIGURE = { video: 8, 'audio-qa': 9, 'audio-sent': 10, 'sum-qa': 11, nlp: 12 };
for (const [pipeline, n] of Object.entries(FIGURE)) {
  const name = pipeline === 'video' ? 'ipa-timeline' : `ipa-timeline-${pipeline}`;
  pipesim('plot', 'timeline', `${RESULTS}/ipa`, '--where', `pipeline=${pipeline}`, '--title', `${pipeline} (IPA's Figure ${n})`, '--out', `${FIGURES}/${name}.png`);
  pipesim('plot', 'cdf', `${RESULTS}/ipa`, '--where', `pipeline=${pipeline}`, '--where', 'workload=bursty', '--title', `${pipeline}, bursty load (IPA's Figure 15)`, '--out', `${FIGURES}/ipa-cdf-${pipeline}.png`);
}
pipesim('plot', 'timeline', `${RESULTS}/ipa`, '--where', 'pipeline=video', '--panels', 'latency', '--out', `${FIGURES}/ipa-timeline-latency.png`);
pipesim('plot', 'pareto', `${RESULTS}/ipa`, '--where', 'pipeline=video', '--where', 'workload=bursty', '--out', `${FIGURES}/ipa-pareto.png`);

// The predictor ablation (Figure 16): video, bursty, over 5 seeds.
pipesim('sweep', 'run', 'sweeps/ipa-predictors.yaml', '--out', `${RESULTS}/ipa-predictors`, '--collect', '-q');
pipesim('plot', 'bars', `${RESULTS}/ipa-predictors`, '--metric', 'sloViolationRatio', '--metric', 'cost.meanCores', '--out', `${FIGURES}/ipa-predictors.png`);
// The same ablation on all five pipelines, 5 seeds each.
pipesim('experiment', 'ipa', '--workloads', 'bursty', '--policies', 'ipa', '--predictors', 'lstm', 'reactive', 'oracle', '--seeds', '1', '2', '3', '4', '5', '--out', `${RESULTS}/ipa-ablation`, '-q');
pipesim('plot', 'bars', `${RESULTS}/ipa-ablation`, '--x', 'pipeline', '--color', 'predictor', '--metric', 'sla_violation_ratio', '--metric', 'mean_cores', '--out', `${FIGURES}/ipa-predictors-pipelines.png`);

// Scheduling on a shared GPU (QoS 20 ms and 100 ms): four policies, five loads, 10 seeds.
pipesim('sweep', 'run', 'sweeps/scheduling.yaml', '--out', `${RESULTS}/scheduling`, '--collect', '-q');
pipesim('plot', 'bars', `${RESULTS}/scheduling`, '--where', 'accelerator.services[0].arrivals.rate=30', '--x', 'accelerator.policy',
  '--metric', 'byTenant.resnet50.latency.p99', '--metric', 'violationRatio', '--out', `${FIGURES}/scheduling-bars.png`);
pipesim('plot', 'sweep', `${RESULTS}/scheduling`, '--x', 'accelerator.services[0].arrivals.rate', '--color', 'accelerator.policy',
  '--metric', 'violationRatio', '--out', `${FIGURES}/scheduling-load.png`);

// HarmonyBatch against BATCH: cost per request.
pipesim('sweep', 'run', 'sweeps/harmonybatch.yaml', '--out', `${RESULTS}/harmonybatch`, '--collect', '-q');
pipesim('plot', 'bars', `${RESULTS}/harmonybatch`, '--x', 'serverless.model', '--color', 'adaptation.adapter.kind',
  '--metric', 'cost.perRequest', '--metric', 'violationRatio', '--out', `${FIGURES}/harmonybatch-cost.png`);
console.log(`figures in ${FIGURES}/`);
