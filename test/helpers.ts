import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseWith } from '../src/config/yaml.js';
import { ScenarioSchema, type Scenario } from '../src/kinds/pipeline/schema.js';
import { DISCIPLINES } from '../src/pipeline/disciplines/registry.js';
import { ROUTERS } from '../src/pipeline/routers/registry.js';
import { RandomStreams } from '../src/engine/random.js';
import { Simulation } from '../src/engine/simulation.js';
import { Pipeline, type PipelineObserver } from '../src/pipeline/pipeline.js';
import type { Replica } from '../src/pipeline/replica.js';
import { RequestTable } from '../src/pipeline/request.js';
import type { Router } from '../src/pipeline/router.js';
import { affineLatency, ServiceTime } from '../src/pipeline/service.js';
import type { Stage, StageConfig } from '../src/pipeline/stage.js';

/** A fresh folder inside the test run's temporary root (removed when the run ends). */
export function tempDir(): string {
  return mkdtempSync(join(process.env.PIPESIM_TEST_TMP ?? tmpdir(), 'case-'));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The `pipesim` command (bin/pipesim.js, compiled dist/) in a child process, as a user runs it. */
export function pipesim(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [resolve('bin/pipesim.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The compiled CLI's main() in this process, its output captured: for the many small cases of
 * messages and exit codes, without a process start (about half a second) each. What only a
 * process shows (signals, the launcher) is tested with `pipesim`.
 */
export async function pipesimInProcess(args: readonly string[], options: Parameters<typeof import('../src/cli/main.js').main>[1] = {}): Promise<CliResult> {
  const { main } = (await import(pathToFileURL(resolve('dist/cli/main.js')).href)) as typeof import('../src/cli/main.js');
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (stream: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array) => {
      out[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    return { code: await main([...args], options), ...out };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
}

/** A stage's fixed settings for tests that build a Pipeline by hand: defaults (FCFS, round-robin, no timeout, no capacity) overridden by `settings`. */
export function stageConfig(settings: { discipline?: string; routing?: string; batchTimeout?: number; capacity?: number } = {}): StageConfig {
  return {
    name: 's',
    batchTimeout: settings.batchTimeout ?? 0,
    capacity: settings.capacity ?? Infinity,
    overflow: 'drop-newest',
    dropExpired: false,
    discipline: { definition: DISCIPLINES.get(settings.discipline ?? 'fcfs'), options: {} },
    abandon: false,
    router: ROUTERS.get(settings.routing ?? 'round-robin').create({}),
    drain: 0,
  };
}

/** A validated scenario from plain data, as a YAML file would give it. */
export function scenario(data: Record<string, unknown>): Scenario {
  const s = parseWith(ScenarioSchema, data, 'test');
  s.name ??= 'test';
  s.pipeline.stages.forEach((stage, i) => {
    stage.name ??= `stage${i + 1}`;
  });
  return s;
}

/** Mean waiting time in an M/M/c queue (Erlang C). */
export function erlangCWait(lambda: number, mu: number, c: number): number {
  const a = lambda / mu;
  const rho = a / c;
  let sum = 0;
  let term = 1;
  for (let k = 0; k < c; k++) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const queued = (term * a) / c / (1 - rho);
  return queued / (sum + queued) / (c * mu - lambda);
}

/**
 * For an observer's batchStarted: the replica the batch just went to, found among the stage's
 * replicas as the one busy with a batch started now that no earlier batch of this instant went to
 * (the stage does not say which replica, and its own round-robin goes through no router to ask).
 */
export function batchReplicaFinder(sim: Simulation): (stage: Stage) => Replica {
  let instant = -1;
  const startedNow = new Set<Replica>();
  return (stage) => {
    if (sim.now !== instant) startedNow.clear();
    instant = sim.now;
    const replica = stage.replicas.find((r) => r.busy && r.batchStart === sim.now && !startedNow.has(r));
    if (replica === undefined) throw new Error(`no replica started a batch at ${sim.now}`);
    startedNow.add(replica);
    return replica;
  };
}

/**
 * One stage run to its end under Poisson arrivals (`rate` a second until `until`) and random
 * reconfiguration from 0.5 s on: 1 to 40 replicas, a batch limit of 1 to `maxBatch`, now and then
 * a switch between two models (load times 0.5 and 2 s), drains of 0.3 s that end mid-batch. For
 * checks that must hold through every kind of change; `observer` is made before the run, with the
 * simulation and the requests its methods name by slot.
 */
export function runChurningStage(settings: {
  seed: number;
  replicas: number;
  maxBatch: number;
  rate: number;
  until: number;
  /** Cores of each of the two models' replicas. */
  cores: readonly [number, number];
  router: Router;
  observer: (sim: Simulation, requests: RequestTable) => PipelineObserver;
}): Stage {
  const sim = new Simulation();
  const streams = new RandomStreams(settings.seed);
  const rng = streams.stream('test');
  const service = new ServiceTime(affineLatency(0.05, 0.01), 'exponential', 0, streams.stream('service'));
  const models = [0.5, 2].map((loadTime, i) => ({ variant: `m${i}`, cores: settings.cores[i], loadTime, service }));
  const requests = new RequestTable();
  const config = { ...stageConfig({ batchTimeout: 0.01 }), router: settings.router, drain: 0.3 };
  const pipeline = new Pipeline(sim, [{ config, initial: { model: models[0], replicas: settings.replicas, maxBatch: 4 } }], settings.observer(sim, requests), requests);
  const stage = pipeline.stages[0];
  let id = 0;
  const arrive = () => {
    pipeline.inject(requests.take(id++, sim.now, Infinity, Infinity, 0, 0, true));
    if (sim.now < settings.until) sim.schedule(rng.exponential(1 / settings.rate), arrive, undefined);
  };
  const adapt = () => {
    const model = rng.random() < 0.15 ? models[1 - models.indexOf(stage.model as (typeof models)[number])] : stage.model;
    stage.reconfigure({ model, replicas: 1 + rng.integer(40), maxBatch: 1 + rng.integer(settings.maxBatch) });
    if (sim.now < settings.until) sim.schedule(0.1 + rng.random(), adapt, undefined);
  };
  sim.scheduleAt(0, arrive, undefined);
  sim.scheduleAt(0.5, adapt, undefined);
  sim.run();
  return stage;
}
