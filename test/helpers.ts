import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseWith } from '../src/config/yaml.js';
import { ScenarioSchema, type Scenario } from '../src/kinds/pipeline/schema.js';
import { DISCIPLINES } from '../src/pipeline/disciplines/registry.js';
import { ROUTERS } from '../src/pipeline/routers/registry.js';
import type { Simulation } from '../src/engine/simulation.js';
import type { Replica } from '../src/pipeline/replica.js';
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
