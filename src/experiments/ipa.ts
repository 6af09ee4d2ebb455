import {  } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { AtomicStreamWriter, makeFolders } from '../io/atomic.js';
import { csvNumber, csvText } from '../metrics/csv.js';
import { importScenarioModules, readScenarioOfKind } from '../kinds/load.js';
import type { AdaptationRow } from '../kinds/pipeline/adaptation.js';
import { preparePipelineRun } from '../kinds/pipeline/kind.js';
import { adaptationCsvRow, ADAPTATION_COLUMNS, runToFolder, type SummaryFile } from '../kinds/pipeline/run-folder.js';
import type { Scenario } from '../kinds/pipeline/schema.js';
import type { Override } from '../scenario/overrides.js';

/**
 * IPA's end-to-end experiments in simulation: the five pipelines x the four 20-minute
 * workloads x the four policies of the paper's Figure 8 (and its predictor ablation, Figure 16).
 * Each cell is the pipeline's scenario in scenarios/ipa/ with the workload, the policy and the
 * predictor set by overrides, so every run can be repeated alone with `pipesim run --set`.
 */

export const IPA_PIPELINES = ['video', 'audio-qa', 'audio-sent', 'sum-qa', 'nlp'] as const;
export const IPA_WORKLOADS = ['bursty', 'steady_low', 'steady_high', 'fluctuating'] as const;
export const IPA_POLICIES = ['ipa', 'fa2-low', 'fa2-high', 'rim'] as const;
export const IPA_PREDICTORS = ['lstm', 'reactive', 'last-value', 'oracle'] as const;

export type IpaPipeline = (typeof IPA_PIPELINES)[number];
export type IpaWorkload = (typeof IPA_WORKLOADS)[number];
export type IpaPolicy = (typeof IPA_POLICIES)[number];
export type IpaPredictor = (typeof IPA_PREDICTORS)[number];

export interface IpaCell {
  pipeline: IpaPipeline;
  workload: IpaWorkload;
  policy: IpaPolicy;
  predictor: IpaPredictor;
}

const SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/ipa/', import.meta.url));

/**
 * FA2-high's variants: IPA's yolov5s + resnet101 for video; elsewhere the second least accurate
 * variant of each stage (the only one where a stage has one), the same step up from the light
 * variants that yolov5s is for the detector.
 */
const HEAVY: Record<IpaPipeline, string[]> = {
  video: ['yolov5s', 'resnet101'],
  'audio-qa': ['facebook-s2t-medium-librispeech-asr', 'deepset-roberta-base-squad2'],
  'audio-sent': ['facebook-s2t-medium-librispeech-asr', 'Souvikcmsa-BERT_sentiment_analysis'],
  'sum-qa': ['sshleifer-distilbart-xsum-12-1', 'deepset-roberta-base-squad2'],
  nlp: ['dinalzein-xlm-roberta-base-finetuned-language-identification', 'Helsinki-NLP-opus-mt-tc-big-fr-en', 'sshleifer-distilbart-xsum-12-1'],
};

/** How each policy differs from the pipeline's scenario (IPA, light variants, one replica per stage). */
const POLICIES: Record<IpaPolicy, { adapter: string; heavy: boolean; replicas: number }> = {
  ipa: { adapter: 'ipa', heavy: false, replicas: 1 },
  'fa2-low': { adapter: 'fa2', heavy: false, replicas: 1 },
  'fa2-high': { adapter: 'fa2', heavy: true, replicas: 1 },
  rim: { adapter: 'rim', heavy: false, replicas: 3 },
};

export function ipaScenarioFile(pipeline: IpaPipeline): string {
  return join(SCENARIO_DIR, `${pipeline}.yaml`);
}

/** The overrides that turn the pipeline's scenario into `cell`. */
export function ipaOverrides(cell: IpaCell): Override[] {
  const policy = POLICIES[cell.policy];
  const overrides: Override[] = [
    { path: 'name', value: cellId(cell) },
    { path: 'workload.arrivals.path', value: `../../traces/ipa/${cell.workload}.txt` },
    { path: 'adaptation.adapter', value: { kind: policy.adapter } },
    { path: 'adaptation.predictor.kind', value: cell.predictor },
  ];
  HEAVY[cell.pipeline].forEach((heavy, s) => {
    if (policy.heavy) overrides.push({ path: `pipeline.stages[${s}].variant`, value: heavy });
    overrides.push({ path: `pipeline.stages[${s}].replicas`, value: policy.replicas });
  });
  return overrides;
}

/**
 * The scenario of `cell`; `extra` overrides apply after the cell's own (e.g. pipeline.loadTime for a
 * sensitivity study). Plug-in modules they name must have been imported (runIpaExperiment does).
 */
export function ipaScenario(cell: IpaCell, seed?: number, extra: readonly Override[] = []): Scenario {
  return readScenarioOfKind('pipeline', ipaScenarioFile(cell.pipeline), { set: [...ipaOverrides(cell), ...extra], seed });
}

export function cellId(cell: IpaCell): string {
  return `${cell.pipeline}-${cell.workload}-${cell.policy}-${cell.predictor}`;
}

/** The name of one run's folder under `runs/`: its cell and its seed. */
export function ipaRunId(cell: IpaCell, seed: number): string {
  return `${cellId(cell)}-seed${seed}`;
}

/** The cartesian product of the selections, in pipeline, workload, policy, predictor order. */
export function ipaCells(selection: { pipelines: readonly IpaPipeline[]; workloads: readonly IpaWorkload[]; policies: readonly IpaPolicy[]; predictors: readonly IpaPredictor[] }): IpaCell[] {
  const cells: IpaCell[] = [];
  for (const pipeline of selection.pipelines) {
    for (const workload of selection.workloads) {
      for (const policy of selection.policies) {
        for (const predictor of selection.predictors) cells.push({ pipeline, workload, policy, predictor });
      }
    }
  }
  return cells;
}

export const IPA_FILES = { steps: 'steps.csv', runs: 'runs.csv', runsDir: 'runs' } as const;

/** What tells an experiment's runs apart, in front of every row of its tables. */
const RUN_KEY_COLUMNS = 'pipeline,workload,policy,predictor,seed';
export const RUNS_COLUMNS =
  `${RUN_KEY_COLUMNS},requests,mean_cores,mean_planned_cores,mean_accuracy,mean_accuracy_raw,mean_pas,sla_violations,sla_violation_ratio,dropped,latency_p99,reconfigurations,kept_steps`;

export interface IpaRunResult {
  cell: IpaCell;
  summary: SummaryFile;
}

/** Seeds for an experiment: at least one, non-negative integers, none twice (`label` names them in messages). */
export function checkSeeds(seeds: readonly number[], label = 'seeds'): void {
  if (seeds.length === 0) throw new InputError(`${label}: name at least one seed, e.g. ${label} 1 2 3`);
  const bad = seeds.find((x) => !(Number.isInteger(x) && x >= 0));
  if (bad !== undefined) throw new InputError(`${label}: expected non-negative integers, got ${bad}`);
  const twice = seeds.find((x, i) => seeds.indexOf(x) !== i);
  if (twice !== undefined) throw new InputError(`${label}: ${twice} is named twice`);
}

/**
 * Run every cell with every seed (by default once, with the scenario's own seed), one after
 * another, each into `<out>/runs/<cell>-seed<seed>/`, and write the tidy tables `<out>/steps.csv`
 * (one row per adaptation step) and `<out>/runs.csv` (one row per run). Tables are written
 * atomically when every run is done. Seeds and every scenario are checked before anything is written.
 */
export async function runIpaExperiment(
  cells: readonly IpaCell[],
  out: string,
  options: { seeds?: readonly number[]; overrides?: readonly Override[]; onRun?: (done: number, total: number, result: IpaRunResult) => void } = {},
): Promise<IpaRunResult[]> {
  if (options.seeds !== undefined) checkSeeds(options.seeds);
  const seeds = options.seeds ?? [undefined];
  for (const cell of cells) await importScenarioModules(ipaScenarioFile(cell.pipeline), [...ipaOverrides(cell), ...(options.overrides ?? [])]);
  const planned = cells.flatMap((cell) => seeds.map((seed) => ({ cell, scenario: ipaScenario(cell, seed, options.overrides) })));
  makeFolders(join(out, IPA_FILES.runsDir));
  const steps = new AtomicStreamWriter(join(out, IPA_FILES.steps));
  const runs = new AtomicStreamWriter(join(out, IPA_FILES.runs));
  steps.write(`${RUN_KEY_COLUMNS},${ADAPTATION_COLUMNS}\n`);
  runs.write(RUNS_COLUMNS + '\n');
  const results: IpaRunResult[] = [];
  try {
    for (const { cell, scenario } of planned) {
      const prefix = `${cell.pipeline},${cell.workload},${cell.policy},${cell.predictor},${scenario.seed},`;
      const summary = runToFolder(scenario, join(out, IPA_FILES.runsDir, ipaRunId(cell, scenario.seed)), {
        resources: await preparePipelineRun(scenario),
        onAdaptationRow: (row: AdaptationRow) => steps.write(prefix + adaptationCsvRow(row)),
      });
      runs.write(prefix + runsRow(summary) + '\n');
      const result = { cell, summary };
      results.push(result);
      options.onRun?.(results.length, planned.length, result);
    }
    steps.commit();
    runs.commit();
  } catch (err) {
    steps.abort();
    runs.abort();
    throw err;
  }
  return results;
}

function runsRow(s: SummaryFile): string {
  const n = (x: number | null | undefined) => (x === null || x === undefined ? '' : csvNumber(x));
  const violations = s.requests.dropped + s.requests.late;
  const a = s.adaptation;
  return [
    s.requests.arrived,
    n(s.cost.meanCores),
    n(a?.meanPlannedCores),
    n(a?.meanAccuracy?.objective),
    n(a?.meanAccuracy?.raw),
    n(a?.meanAccuracy?.pas),
    violations,
    n(s.sloViolationRatio),
    s.requests.dropped,
    n(s.latency.p99),
    a?.reconfigurations ?? '',
    a?.notedSteps ?? '',
  ].map((x) => (typeof x === 'string' ? csvText(x) : String(x))).join(',');
}
