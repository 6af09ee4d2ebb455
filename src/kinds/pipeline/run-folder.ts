import type { AtomicStreamWriter } from '../../io/atomic.js';
import { CsvRowEncoder, csvNumber, csvText } from '../../metrics/csv.js';
import type { IntervalRow, MonitorSink, RunSummary, StageIntervalRow } from '../../metrics/monitor.js';
import { scenarioFileText } from '../../scenario/files.js';
import { summaryHeader, writeRunFolder, type RunFolderWriter } from '../../scenario/run-folder.js';
import type { AdaptationRow, AdaptationSummary } from './adaptation.js';
import { pipelinePaths } from './paths.js';
import type { Scenario } from './schema.js';
import { simulate, type PipelineResources } from './simulate.js';

/** Files of a run folder. A folder is complete exactly when summary.json exists: it is written last. */
export const RUN_FILES = {
  summary: 'summary.json',
  scenario: 'scenario.yaml',
  timeseries: 'timeseries.csv',
  stageTimeseries: 'stage_timeseries.csv',
  requests: 'requests.csv',
  adaptation: 'adaptation.csv',
} as const;

/** Columns of adaptation.csv, one row per adaptation step (documented in docs/RESULTS.md). */
export const ADAPTATION_COLUMNS =
  'step,time,end,forecast,arrival_rate,peak_rate,cores,planned_cores,accuracy,accuracy_raw,pas,latency_p99,arrived,completed,dropped,late,configuration,note';

export function adaptationCsvRow(r: AdaptationRow): string {
  const n = csvNumber;
  return (
    `${r.step},${n(r.time)},${n(r.end)},${n(r.forecast)},${n(r.arrivalRate)},${r.peakRate},${n(r.cores)},${n(r.plannedCores)},${n(r.accuracy)},${n(r.accuracyRaw)},${n(r.pas)},` +
    `${n(r.latencyP99)},${r.arrived},${r.completed},${r.dropped},${r.late},${csvText(r.configuration)},${csvText(r.note)}\n`
  );
}

/** The contract of summary.json (documented in docs/RESULTS.md). */
export interface SummaryFile extends RunSummary {
  pipesim: string;
  scenario: string;
  seed: number;
  tenants: string[];
  /** Present when the scenario adapts. */
  adaptation?: AdaptationSummary;
  warnings: string[];
}

export interface RunToFolderOptions {
  onProgress?: (fraction: number) => void;
  /** Plug-ins and loaded models the scenario needs (see preparePipelineRun). */
  resources?: PipelineResources;
  /** Also receives every adaptation step (after it is written to adaptation.csv). */
  onAdaptationRow?: (row: AdaptationRow) => void;
  /** fsync each table before it is renamed into place (default). Sweeps turn it off: see src/sweep/worker.ts. */
  durable?: boolean;
}

/**
 * The tables every pipeline run folder streams, and the monitor sink that fills them:
 * timeseries.csv, stage_timeseries.csv, and requests.csv when `requests` is set. A simulated run
 * and a run of the serving testbed (src/testbed/record.ts) write them through this one sink.
 * Call `flush` when the run is over.
 */
export function pipelineTables(out: RunFolderWriter, requests: boolean): { sink: MonitorSink; flush: () => void } {
  const timeseries = out.stream(RUN_FILES.timeseries);
  const stageSeries = out.stream(RUN_FILES.stageTimeseries);
  const requestTable = requests ? out.stream(RUN_FILES.requests) : undefined;
  timeseries.write('time,end,arrived,completed,dropped,late,throughput,latency_mean,latency_p50,latency_p99,in_system,cores\n');
  stageSeries.write('time,stage,queue,replicas,cores,busy,utilization,batches,mean_batch\n');
  requestTable?.write('id,tenant,arrival,end,latency,outcome,stage\n');

  // The long tables (a row per interval, per stage, per request) are encoded straight to bytes.
  const encoders: CsvRowEncoder[] = [];
  const rowsOf = (writer: AtomicStreamWriter) => {
    const encoder = new CsvRowEncoder((bytes) => writer.writeBytes(bytes));
    encoders.push(encoder);
    return encoder;
  };
  const seriesRows = rowsOf(timeseries);
  const stageRows = rowsOf(stageSeries);
  const sink: MonitorSink = {
    interval(row: IntervalRow, stages: readonly StageIntervalRow[]) {
      seriesRows.number(row.time).number(row.end).number(row.arrived).number(row.completed).number(row.dropped).number(row.late);
      seriesRows.number(row.completed / (row.end - row.time)).number(row.latencyMean).number(row.latencyP50).number(row.latencyP99);
      seriesRows.number(row.inSystem).number(row.cores).endRow();
      for (const s of stages) {
        stageRows.number(s.time).text(s.stage).number(s.queue).number(s.replicas).number(s.cores).number(s.busy);
        stageRows.number(s.utilization).number(s.batches).number(s.meanBatch).endRow();
      }
    },
  };
  if (requestTable) {
    const requestRows = rowsOf(requestTable);
    sink.request = (request, end, outcome) => {
      requestRows.number(request.id).number(request.tenant).number(request.arrival).number(end).number(end - request.arrival);
      requestRows.text(outcome).number(request.stage).endRow();
    };
  }
  return { sink, flush: () => encoders.forEach((e) => e.flush()) };
}

/** Simulate `scenario` and write its results into `dir` (created if needed; earlier results there are replaced). */
export function runToFolder(scenario: Scenario, dir: string, options: RunToFolderOptions = {}): SummaryFile {
  const { summary: _s, scenario: _c, ...tables } = RUN_FILES;
  return writeRunFolder(dir, Object.values(tables), { durable: options.durable }, (out) => {
    const { sink, flush } = pipelineTables(out, scenario.metrics.requests);
    const adaptation = scenario.adaptation ? out.stream(RUN_FILES.adaptation) : undefined;
    adaptation?.write(ADAPTATION_COLUMNS + '\n');
    const result = simulate(scenario, {
      sink,
      onProgress: options.onProgress,
      resources: options.resources,
      adaptationSink: adaptation
        ? (row) => {
            adaptation.write(adaptationCsvRow(row));
            options.onAdaptationRow?.(row);
          }
        : undefined,
    });
    flush();
    const summary: SummaryFile = {
      ...summaryHeader(scenario),
      tenants: result.tenantNames,
      ...result.summary,
      ...(result.adaptation ? { adaptation: result.adaptation } : {}),
      warnings: result.warnings,
    };
    return { summary, scenarioText: scenarioFileText(scenario, dir, pipelinePaths) };
  });
}
