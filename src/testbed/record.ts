import { availableParallelism, cpus } from 'node:os';
import { Simulation } from '../engine/simulation.js';
import { CsvRowEncoder } from '../metrics/csv.js';
import { Monitor, type ObservedStage } from '../metrics/monitor.js';
import { RequestTable } from '../pipeline/request.js';
import { scenarioFileText } from '../scenario/files.js';
import { summaryHeader, writeRunFolder } from '../scenario/run-folder.js';
import { pipelinePaths } from '../kinds/pipeline/paths.js';
import { pipelineTables, RUN_FILES, type SummaryFile } from '../kinds/pipeline/run-folder.js';
import type { Scenario } from '../kinds/pipeline/schema.js';
import type { TestbedRecord } from './serve.js';

/** The testbed's own table: one row per request per stage it went through (docs/RESULTS.md). */
export const TESTBED_FILES = { stages: 'request_stages.csv' } as const;
export const REQUEST_STAGE_COLUMNS = 'id,stage,replica,enqueued,started,finished,batch,inference';

/** What summary.json says of a testbed run beyond what every pipeline run says. */
export interface TestbedSummary {
  /** Per stage: the model, its input, threads per replica, and the mean time replicas spent in `session.run` per batch. */
  stages: { name: string; model: string; input: string; threads: number; meanInference: number | null }[];
  /** Seconds the load generator sent requests after their scheduled time. */
  lateness: { mean: number; max: number };
  machine: { cpus: number; model: string; node: string };
}

/**
 * Write a testbed run as a run folder, the same files a simulated run has (summary.json,
 * timeseries.csv, stage_timeseries.csv, requests.csv, always written here) plus
 * request_stages.csv. The record is replayed, event by event at its wall-clock times, through
 * the simulator's own Monitor: every statistic is computed by the same code for both, so any
 * difference between a real and a simulated folder is the systems', not the bookkeeping's.
 */
export function testbedToFolder(scenario: Scenario, record: TestbedRecord, dir: string): SummaryFile & { testbed: TestbedSummary } {
  const { summary: _s, scenario: _c, adaptation: _a, ...tables } = RUN_FILES;
  return writeRunFolder(dir, [...Object.values(tables), ...Object.values(TESTBED_FILES)], {}, (out) => {
    const { sink, flush } = pipelineTables(out, true);
    const sim = new Simulation();
    const specs = scenario.pipeline.stages;
    const stages = specs.map((s, i) => ({ index: i, name: s.name ?? `stage${i + 1}`, servingReplicas: s.replicas, provisionedCores: s.replicas * s.cores, queue: { size: 0 } }) satisfies ObservedStage);
    const end = record.end;
    const monitor = new Monitor(sim, scenario.metrics, sink, () => sim.now < end, record.tenantNames);
    // Every recorded request keeps its own slot (slot = id): a replay has no pipeline to reuse them.
    const table = new RequestTable(Math.max(1, record.requests.length), false);
    monitor.attach(stages, table);

    const { warmup } = scenario.metrics;
    // Measured as the simulator measures the same request: by its scheduled arrival.
    const requests = record.requests.map((r) => table.take(r.id, r.arrival, r.deadline, Infinity, r.tenant, 0, r.scheduled >= warmup));
    // Events in causal order (a request's arrival and queueing, then each batch's start, end and
    // what its end caused); a stable sort by time keeps that order among equal times.
    const events: { time: number; run: () => void }[] = [];
    for (const r of record.requests) {
      const request = requests[r.id];
      events.push({ time: r.arrival, run: () => monitor.arrived(request) });
      r.enqueued.forEach((time, stage) => {
        if (time === time) {
          events.push({
            time,
            run: () => {
              table.enter(request, stage, time);
              stages[stage].queue.size++;
            },
          });
        }
      });
    }
    const last = specs.length - 1;
    for (const b of record.batches) {
      const stage = stages[b.stage];
      const members = b.ids.map((id) => requests[id]);
      events.push({
        time: b.start,
        run: () => {
          stage.queue.size -= members.length;
          monitor.batchStarted(stage, members, members.length, b.end - b.start);
        },
      });
      if (b.end !== b.end) continue;
      events.push({ time: b.end, run: () => monitor.batchFinished(stage) });
      if (b.stage === last) for (const m of members) if (record.requests[table.id(m)].completed === b.end) events.push({ time: b.end, run: () => monitor.completed(m) });
    }
    events.sort((a, b) => a.time - b.time);
    for (const e of events) sim.scheduleAt(e.time, e.run, undefined);
    sim.run(end);
    const summary = monitor.finish(end);
    flush();

    const stageTable = out.stream(TESTBED_FILES.stages);
    const rows = new CsvRowEncoder((bytes) => stageTable.writeBytes(bytes));
    stageTable.write(REQUEST_STAGE_COLUMNS + '\n');
    for (const b of record.batches) {
      for (const id of b.ids) {
        rows.number(id).text(stages[b.stage].name).number(b.replica).number(record.requests[id].enqueued[b.stage]);
        rows.number(b.start).number(b.end).number(b.ids.length).number(b.inference).endRow();
      }
    }
    rows.flush();

    const inference = specs.map(() => ({ sum: 0, count: 0 }));
    for (const b of record.batches) {
      if (b.inference === b.inference) {
        inference[b.stage].sum += b.inference;
        inference[b.stage].count++;
      }
    }
    const testbed: TestbedSummary = {
      stages: specs.map((s, i) => ({
        name: stages[i].name,
        model: s.testbed?.model ?? '',
        input: `${record.models[i].input}=${record.models[i].shape.join('x')}`,
        threads: s.cores,
        meanInference: inference[i].count > 0 ? inference[i].sum / inference[i].count : null,
      })),
      lateness: record.lateness,
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version },
    };
    return {
      summary: { ...summaryHeader(scenario), tenants: record.tenantNames, ...summary, warnings: [], testbed },
      scenarioText: scenarioFileText(scenario, dir, pipelinePaths),
    };
  });
}
