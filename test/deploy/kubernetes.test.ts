import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { planSweep } from '../../src/sweep/spec.js';
import { shardOf } from '../../src/sweep/store.js';
import { pipesimInProcess, tempDir } from '../helpers.js';

/**
 * deploy/k8s/sweep-job.yaml. No Kubernetes API server can run here (Debian has only the kubectl
 * client), so the manifest is checked against the Kubernetes OpenAPI schema (kubernetes-models'
 * validators, generated from it), and its pods' command is run as the Indexed Job controller
 * would run it: one process per completion index, JOB_COMPLETION_INDEX set, the volume's mount
 * path a local folder, a killed pod restarted.
 */

const MANIFEST = 'deploy/k8s/sweep-job.yaml';
type Manifest = {
  spec: {
    completions: number;
    parallelism: number;
    completionMode: string;
    template: { spec: { restartPolicy: string; containers: { command: string[]; volumeMounts: { mountPath: string }[] }[] } };
  };
};
const manifest = () => YAML.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;

/**
 * One pod of the Job: its container's command with the volume mounted at `results`; resolves to
 * its exit code (null when killed) and standard error. `workingDir` stands for the image's working directory. `killAfterFirstRun` kills the whole pod (its process group,
 * as a node failure would) once it has finished its first run.
 */
function pod(workingDir: string, index: number, results: string, killAfterFirstRun = false): Promise<{ code: number | null; output: string }> {
  const { template } = manifest().spec;
  const container = template.spec.containers[0];
  const mount = container.volumeMounts[0].mountPath;
  const [shell, flag, script] = container.command;
  const child = spawn(shell, [flag, script.replaceAll(`${mount}/`, `${results}/`)], {
    cwd: workingDir,
    env: { ...process.env, JOB_COMPLETION_INDEX: String(index) },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let output = '';
  // Progress ("[1/3] ...: done in 0.3 s") goes to standard error.
  child.stderr.on('data', (chunk) => {
    output += chunk;
    if (killAfterFirstRun && /\[1\/\d+\] .*: done/.test(output)) process.kill(-(child.pid as number), 'SIGKILL');
  });
  return new Promise((done) => child.on('close', (code) => done({ code, output })));
}

describe('the Kubernetes Indexed Job', () => {
  it('is a valid batch/v1 Job under the Kubernetes OpenAPI schema; a broken copy is not', () => {
    const job = manifest();
    expect(() => new Job(job as never).validate()).not.toThrow();
    const broken = structuredClone(job) as { spec: { completionMode: string; completions: unknown } };
    broken.spec.completionMode = 'indexed';
    broken.spec.completions = '8';
    expect(() => new Job(broken as never).validate()).toThrow(/completionMode must be equal to one of the allowed values.*completions must be integer/s);
  });

  it('tells every pod the shard count it has, and names a sweep file that exists', () => {
    const { spec } = manifest();
    expect(spec.completionMode).toBe('Indexed');
    const script = spec.template.spec.containers[0].command[2];
    expect(script).toContain(`--shard-count ${spec.completions}`);
    const sweep = /sweep run (\S+)/.exec(script)?.[1] as string;
    expect(existsSync(sweep), sweep).toBe(true);
    expect(script).toContain(`--out ${spec.template.spec.containers[0].volumeMounts[0].mountPath}/`);
  });

  it('its pods, run as the Job controller would, give the local tables byte for byte, also after a pod is killed mid-run and restarted', async () => {
    const { spec } = manifest();
    const script = spec.template.spec.containers[0].command[2];
    const sweepPath = /sweep run (\S+)/.exec(script)?.[1] as string;
    // The image: a checkout whose sweep file (at the path the command names) has short and long
    // runs, so that a pod can be killed with one run done and another under way.
    const app = tempDir();
    for (const entry of ['bin', 'dist', 'node_modules', 'package.json']) symlinkSync(resolve(entry), join(app, entry));
    mkdirSync(dirname(join(app, sweepPath)), { recursive: true });
    const sweep = join(app, sweepPath);
    writeFileSync(sweep, `scenario: ${resolve('scenarios/mm4.yaml')}\ngrid:\n  workload.requests: [20000, 800000]\n  workload.arrivals.rate: [300, 400]\nseeds: 3\n`);
    const local = join(tempDir(), 'local');
    expect((await pipesimInProcess(['sweep', 'run', sweep, '--out', local, '-q', '--collect'])).code).toBe(0);

    const results = tempDir();
    const out = join(results, /--out \/\w+\/(\S+)/.exec(script)?.[1] as string);
    // All indexes at once (parallelism = completions). A pod with a short and a long run is
    // killed when the short one is done and, with restartPolicy OnFailure, started again.
    expect(spec.parallelism).toBe(spec.completions);
    expect(spec.template.spec.restartPolicy).toBe('OnFailure');
    const shards = Array.from({ length: spec.completions }, () => new Set<number>());
    for (const run of (await planSweep(sweep)).runs) shards[shardOf(run.id, spec.completions)].add(run.params['workload.requests'] as number);
    const victim = shards.findIndex((sizes) => sizes.size === 2);
    expect(victim).toBeGreaterThanOrEqual(0);
    const pods = await Promise.all(shards.map((_, k) => pod(app, k, results, k === victim)));
    expect(pods[victim].code).toBe(null); // killed
    for (const [k, { code, output }] of pods.entries()) if (k !== victim) expect(code, `pod ${k}: ${output}`).toBe(0);
    expect((await pipesimInProcess(['sweep', 'collect', out])).stdout).toMatch(/, [1-9]\d* not finished \(left out\)/);
    const restarted = await pod(app, victim, results);
    expect(restarted.code, restarted.output).toBe(0);
    expect((await pipesimInProcess(['sweep', 'collect', out])).code).toBe(0);
    for (const f of ['runs.csv', 'aggregate.csv']) expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(local, f), 'utf8'));
  }, 120_000);
});
