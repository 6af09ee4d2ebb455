import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipesimInProcess, tempDir } from '../helpers.js';

/**
 * The shipped deploy/slurm/sweep.sbatch on a real Slurm: a single-node cluster (munged,
 * slurmctld, slurmd on localhost) that deploy/slurm/local-cluster.sh starts for this test, or
 * the one SLURM_CONF names. `.ci/run` installs Debian's slurm-wlm and munge first.
 */

const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const asRoot = process.getuid?.() === 0;
const why = process.env.SLURM_CONF
  ? undefined
  : !onPath('slurmctld') || !onPath('sbatch')
    ? 'Slurm is not installed (apt-get install slurm-wlm munge)'
    : !asRoot
      ? 'starting a local Slurm needs root (or set SLURM_CONF to a running cluster)'
      : undefined;

let clusterDir: string | undefined;
const env = () => ({ ...process.env, ...(clusterDir ? { SLURM_CONF: join(clusterDir, 'slurm.conf') } : {}) });
const slurm = (tool: string, ...args: string[]) => {
  const r = spawnSync(tool, args, { encoding: 'utf8', env: env() });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
};
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Submit the shipped sbatch file as an array over `tasks` tasks; returns the job ID. */
function submit(sweep: string, out: string, tasks: number, logs: string): string {
  mkdirSync(logs, { recursive: true });
  // The file asks for 4 CPUs and 8 GB per task; this node has 2 CPUs, so the command line asks for less.
  return slurm('sbatch', '--parsable', `--array=0-${tasks - 1}`, '--cpus-per-task=1', '--mem=1G', `--output=${logs}/%x-%A_%a.out`, 'deploy/slurm/sweep.sbatch', sweep, out);
}

/** The state of each task of an array job still known to slurmctld, e.g. { '0': 'COMPLETED' }. */
function taskStates(job: string): Record<string, string> {
  const text = slurm('scontrol', '-o', 'show', 'job', job);
  const states: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const task = /ArrayTaskId=(\d+)/.exec(line)?.[1];
    const state = /JobState=(\w+)/.exec(line)?.[1];
    if (task !== undefined && state !== undefined) states[task] = state;
  }
  return states;
}

async function waitUntil(done: () => boolean, what: string, seconds = 120): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (done()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const finished = (job: string) => () => slurm('squeue', '-h', '-j', job) === '';
const table = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

describe.skipIf(why !== undefined)(why === undefined ? 'a sweep on Slurm' : `a sweep on Slurm: SKIPPED, ${why}`, () => {
  beforeAll(() => {
    if (process.env.SLURM_CONF) return;
    // Not in the tests' private temporary folder: the munge user must reach it.
    clusterDir = mkdtempSync(join(tmpdir(), 'pipesim-slurm-'));
    const r = spawnSync('deploy/slurm/local-cluster.sh', ['start', clusterDir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`local Slurm did not start: ${r.stderr}`);
  }, 60_000);
  afterAll(() => {
    if (clusterDir === undefined) return;
    spawnSync('deploy/slurm/local-cluster.sh', ['stop', clusterDir]);
    rmSync(clusterDir, { recursive: true, force: true });
  });

  it('a job array through deploy/slurm/sweep.sbatch gives the local tables byte for byte; a task killed mid-run and resubmitted too', async () => {
    const dir = tempDir();
    // Runs of a million requests (about half a second each), so that a task can be killed between two.
    const sweep = join(dir, 'sweep.yaml');
    writeFileSync(sweep, `scenario: ${resolve('scenarios/mm4.yaml')}\ngrid:\n  workload.arrivals.rate: [300, 320, 340, 360, 380, 400]\nseeds: 2\n`);
    const local = join(dir, 'local');
    expect((await pipesimInProcess(['sweep', 'run', sweep, '--out', local, '-q', '--collect'])).code).toBe(0);

    // Three tasks, waited for, collected.
    const whole = join(dir, 'slurm');
    const job = submit(sweep, whole, 3, join(dir, 'logs'));
    await waitUntil(finished(job), `job ${job}`);
    expect(taskStates(job)).toEqual({ 0: 'COMPLETED', 1: 'COMPLETED', 2: 'COMPLETED' });
    expect((await pipesimInProcess(['sweep', 'collect', whole])).code).toBe(0);
    for (const f of ['runs.csv', 'aggregate.csv']) expect(table(whole, f), f).toBe(table(local, f));

    // Task 1 killed (SIGKILL) once it has finished one of its runs and has several to go: those
    // are missing, nothing half-written counts. Resubmitting the same array runs only what is missing.
    const killed = join(dir, 'killed');
    const second = submit(sweep, killed, 2, join(dir, 'logs'));
    const taskLog = join(dir, 'logs', `pipesim-sweep-${second}_1.out`);
    const progress = () => {
      const done = existsSync(taskLog) ? [...readFileSync(taskLog, 'utf8').matchAll(/\[(\d+)\/(\d+)\] .*: done/g)] : [];
      return done.length === 0 ? { ran: 0, of: Infinity } : { ran: Number(done.at(-1)?.[1]), of: Number(done.at(-1)?.[2]) };
    };
    await waitUntil(() => progress().ran >= 1, `task ${second}_1 to finish a run`);
    const before = progress();
    expect(before.of - before.ran).toBeGreaterThanOrEqual(2);
    slurm('scancel', '--signal=KILL', `${second}_1`);
    await waitUntil(finished(second), `job ${second}`);
    expect(taskStates(second)[1]).toMatch(/CANCELLED|FAILED/);
    expect(progress().ran).toBeLessThan(before.of);
    expect((await pipesimInProcess(['sweep', 'collect', killed])).stdout).toMatch(/, [1-9]\d* not finished \(left out\)/);
    const resumed = submit(sweep, killed, 2, join(dir, 'logs'));
    await waitUntil(finished(resumed), `job ${resumed}`);
    expect(taskStates(resumed)).toEqual({ 0: 'COMPLETED', 1: 'COMPLETED' });
    const log = readFileSync(join(dir, 'logs', `pipesim-sweep-${resumed}_0.out`), 'utf8');
    expect(log).toMatch(/0 ran, \d+ already done, 0 failed/);
    expect((await pipesimInProcess(['sweep', 'collect', killed])).code).toBe(0);
    for (const f of ['runs.csv', 'aggregate.csv']) expect(table(killed, f), f).toBe(table(local, f));
  }, 240_000);
});
