import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from '../../../src/metrics/csv.js';
import { shardFromEnvironment } from '../../../src/sweep/run.js';
import { planSweep } from '../../../src/sweep/spec.js';
import { pipesim, pipesimInProcess, tempDir } from '../../helpers.js';

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

/** A sweep of small pipeline runs over the bundled quickstart scenario. */
function sweepFile(dir: string, extra = '', seeds = 2, rates = '[8, 12]'): string {
  const file = join(dir, 'sweep.yaml');
  writeFileSync(
    file,
    `scenario: ${resolve('scenarios/quickstart.yaml')}\ngrid:\n  pipeline.stages[0].replicas: [2, 4]\n  workload.arrivals.rate: ${rates}\nseeds: ${seeds}\n${extra}`,
  );
  return file;
}

const TABLE_FILES = ['runs.csv', 'aggregate.csv', 'runs.parquet'];
const tables = (dir: string) => Object.fromEntries(TABLE_FILES.map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));

describe('sweep files', () => {
  it('expand the documented shape: grid x seeds, with stable content-hash IDs', async () => {
    const dir = tempDir();
    const plan = await planSweep(sweepFile(dir, '', 3));
    expect(plan.runs).toHaveLength(12);
    expect(plan.columns).toEqual(['pipeline.stages[0].replicas', 'workload.arrivals.rate']);
    expect(plan.runs.slice(0, 4).map((r) => [r.params['pipeline.stages[0].replicas'], r.params['workload.arrivals.rate'], r.seed])).toEqual([
      [2, 8, 1],
      [2, 8, 2],
      [2, 8, 3],
      [2, 12, 1],
    ]);
    expect(new Set(plan.runs.map((r) => r.id)).size).toBe(12);
    // The same sweep from another working directory gives the same IDs.
    expect((await planSweep(sweepFile(tempDir(), '', 3))).runs.map((r) => r.id)).toEqual(plan.runs.map((r) => r.id));
  });

  it('zip runs lists side by side, exclude skips combinations, seeds may be a list', async () => {
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    writeFileSync(
      file,
      `scenario: ${resolve('scenarios/quickstart.yaml')}\ngrid:\n  pipeline.stages[0].replicas: [2, 4]\nzip:\n  workload.arrivals.rate: [8, 12]\n  slo: [1, 2]\nexclude:\n  - pipeline.stages[0].replicas: 4\n    slo: 2\nseeds: [7]\n`,
    );
    const plan = await planSweep(file);
    expect(plan.runs.map((r) => [r.params['pipeline.stages[0].replicas'], r.params['workload.arrivals.rate'], r.params.slo, r.seed])).toEqual([
      [2, 8, 1, 7],
      [2, 12, 2, 7],
      [4, 8, 1, 7],
    ]);
  });

  it('run IDs follow the contents of the files a run reads, not where they sit', async () => {
    const layout = (sub: string, counts: string) => {
      const dir = join(tempDir(), sub);
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeFileSync(join(dir, 'data', 'counts.txt'), counts);
      writeFileSync(join(dir, 'data', 's.yaml'), 'workload: {arrivals: {kind: trace, path: counts.txt}}\npipeline: {stages: [{service: {mean: 1ms}}]}\n');
      writeFileSync(join(dir, 'sweep.yaml'), 'scenario: data/s.yaml\ngrid:\n  pipeline.stages[0].replicas: [1, 2]\n');
      return planSweep(join(dir, 'sweep.yaml'));
    };
    const a = await layout('a', '5 5 5');
    const b = await layout('deeper/b/c', '5 5 5');
    expect(b.runs.map((r) => r.id)).toEqual(a.runs.map((r) => r.id));
    expect(b.hash).toBe(a.hash);
    const edited = await layout('a', '5 5 6');
    expect(edited.runs.map((r) => r.id).filter((id) => a.runs.some((r) => r.id === id))).toEqual([]);
    expect(edited.hash).not.toBe(a.hash);
  });

  it('mistakes in a sweep file are refused with what is wrong', async () => {
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    const errorOf = async (text: string) => {
      writeFileSync(file, `scenario: ${resolve('scenarios/quickstart.yaml')}\n${text}`);
      try {
        await planSweep(file);
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(await errorOf('grid: {slo: [1, 2]}\nexclude: [{sol: 1}]\n')).toContain('exclude[0].sol: not a swept path (swept: slo)');
    expect(await errorOf('grid: {slo: [1, 2]}\nseeds: [1, 1]\n')).toContain('seeds: a seed is listed twice');
    expect(await errorOf('grid: {slo: [1, 2]}\nzip: {slo: [3, 4]}\n')).toContain('slo is in both grid and zip');
    expect(await errorOf('grid: {seed: [1, 2]}\n')).toContain('seed is swept with seeds:');
    expect(await errorOf('timeout: 3000000\n')).toContain('timeout');
    // The time limit is not part of the sweep's identity: it may be raised to retry timed-out runs.
    expect(await errorOf('grid: {slo: [1, 2]}\ntimeout: 5\n')).toBe('no error');
    const short = await planSweep(file);
    writeFileSync(file, `scenario: ${resolve('scenarios/quickstart.yaml')}\ngrid: {slo: [1, 2]}\ntimeout: 50\n`);
    expect((await planSweep(file)).hash).toBe(short.hash);
  });

  it('shards: Slurm arrays from any start and step; half-given settings are errors, not the whole sweep', async () => {
    const slurm = (id: number, extra: Record<string, string> = {}) => shardFromEnvironment(undefined, { SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_COUNT: '4', ...extra });
    expect([0, 1, 2, 3].map((i) => slurm(i)?.index)).toEqual([0, 1, 2, 3]);
    expect([1, 2, 3, 4].map((i) => slurm(i, { SLURM_ARRAY_TASK_MIN: '1' })?.index)).toEqual([0, 1, 2, 3]);
    expect([0, 2, 4, 6].map((i) => slurm(i, { SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '2' })?.index)).toEqual([0, 1, 2, 3]);
    expect(() => slurm(3, { SLURM_ARRAY_TASK_STEP: '2' })).toThrow('not on the array');
    expect(() => shardFromEnvironment(undefined, { SLURM_ARRAY_TASK_ID: '1' })).toThrow('not SLURM_ARRAY_TASK_COUNT');
    expect(() => shardFromEnvironment(undefined, {}, 4)).toThrow('JOB_COMPLETION_INDEX is not set');
    expect(shardFromEnvironment(undefined, { JOB_COMPLETION_INDEX: '3' }, 4)).toEqual({ index: 3, count: 4 });
    expect(shardFromEnvironment(undefined, {})).toBeUndefined();
  });

  it('a bad value gives a path-precise error before any run starts', async () => {
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    writeFileSync(file, `scenario: ${resolve('scenarios/quickstart.yaml')}\ngrid:\n  pipeline.stages[0].replicas: [2, -3]\n`);
    const out = join(dir, 'out');
    const r = await pipesimInProcess(['sweep', 'run', file, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pipeline.stages[0].replicas=-3');
    expect(r.stderr).toContain('pipeline.stages[0].replicas: expected a positive integer, got -3');
    expect(existsSync(out)).toBe(false);
    writeFileSync(file, `scenario: ${resolve('scenarios/quickstart.yaml')}\nzip:\n  slo: [1, 2]\n  seed: [1]\n`);
    expect((await pipesimInProcess(['sweep', 'plan', file, '--probe', 'false'])).stderr).toContain('zip.seed: expected 2 values like zip.slo, got 1');
  });
});

describe('running sweeps', () => {
  it('a sweep grows in place with more seeds or values, reusing its finished runs; a changed base is refused', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    expect((await pipesimInProcess(['sweep', 'run', sweepFile(dir, '', 2, '[8]'), '--out', out, '-q'])).code).toBe(0);
    // One seed more and one rate more: 2 replicas x 2 rates x 3 seeds = 12 runs, 4 of them done.
    const grown = await pipesimInProcess(['sweep', 'run', sweepFile(dir, '', 3, '[8, 12]'), '--out', out, '--collect']);
    expect(grown.code).toBe(0);
    expect(grown.stdout).toContain('8 ran, 4 already done, 0 failed');
    const fresh = join(dir, 'fresh');
    expect((await pipesimInProcess(['sweep', 'run', sweepFile(dir, '', 3, '[8, 12]'), '--out', fresh, '-q', '--collect'])).code).toBe(0);
    expect(tables(out)).toEqual(tables(fresh));
    // Taking a value out, or changing what the runs read (here one count of the trace), is another sweep.
    const fewer = await pipesimInProcess(['sweep', 'run', sweepFile(dir, '', 3, '[12]'), '--out', out, '-q']);
    expect([fewer.code, fewer.stderr]).toEqual([2, expect.stringContaining('6 of its 12 runs are not runs of this file')]);
    writeFileSync(join(dir, 'bursty.txt'), readFileSync('traces/bursty.txt', 'utf8').replace(/^(\d+)/, (n) => String(Number(n) + 1)));
    writeFileSync(join(dir, 'other.yaml'), readFileSync('scenarios/quickstart.yaml', 'utf8').replace('../traces/bursty.txt', join(dir, 'bursty.txt')));
    const other = join(dir, 'sweep.yaml');
    writeFileSync(other, read(dir, 'sweep.yaml').replace(/^scenario: .*$/m, `scenario: ${join(dir, 'other.yaml')}`));
    const changed = await pipesimInProcess(['sweep', 'run', other, '--out', out, '-q']);
    expect([changed.code, changed.stderr]).toEqual([2, expect.stringContaining('12 of its 12 runs are not runs of this file (a changed scenario, trace or profile')]);
  });

  it('the same sweep with 1 and with 2 workers gives identical tables; the Parquet file holds the CSV rows', async () => {
    const dir = tempDir();
    const file = sweepFile(dir);
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    expect((await pipesimInProcess(['sweep', 'run', file, '--out', one, '--workers', '1', '-q'])).code).toBe(0);
    expect((await pipesimInProcess(['sweep', 'run', file, '--out', two, '--workers', '2', '-q'])).code).toBe(0);
    expect(tables(two)).toEqual(tables(one));
    const csv = parseCsvRecords(read(one, 'runs.csv'));
    expect(csv).toHaveLength(8);
    const buffer = readFileSync(join(one, 'runs.parquet'));
    const rows = (await parquetReadObjects({ file: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) })) as Record<string, unknown>[];
    expect(rows).toHaveLength(8);
    rows.forEach((row, i) => {
      expect(row.run_id).toBe(csv[i].run_id);
      expect(row.seed).toBe(Number(csv[i].seed));
      expect(row['pipeline.stages[0].replicas']).toBe(Number(csv[i]['pipeline.stages[0].replicas']));
      expect(row['latency.p99']).toBeCloseTo(Number(csv[i]['latency.p99']), 8);
    });
    // The aggregate: one row per combination, over the two seeds, with a t interval.
    const agg = parseCsvRecords(read(one, 'aggregate.csv'));
    expect(agg).toHaveLength(4);
    const group = csv.filter((r) => r['pipeline.stages[0].replicas'] === '2' && r['workload.arrivals.rate'] === '8').map((r) => Number(r['latency.mean']));
    const mean = (group[0] + group[1]) / 2;
    const sd = Math.abs(group[0] - group[1]) / Math.SQRT2;
    expect(Number(agg[0]['latency.mean.mean'])).toBeCloseTo(mean, 8);
    expect(Number(agg[0]['latency.mean.sd'])).toBeCloseTo(sd, 8);
    expect(Number(agg[0]['latency.mean.ci95'])).toBeCloseTo((12.706204736174707 * sd) / Math.SQRT2, 6);
  });

  it('a quantile every seed ties on from the sketch gets no interval; an exact tie keeps its interval of 0', async () => {
    const dir = tempDir();
    // Fixed service and replicas no request waits for: every latency is 1 ms in every seed, so
    // the seeds tie whether quantiles are exact (60,000 requests) or sketched (150,000).
    writeFileSync(join(dir, 's.yaml'), 'workload: {arrivals: {kind: poisson, rate: 10000}}\npipeline: {stages: [{replicas: 100, service: {dist: deterministic, mean: 1ms}}]}\n');
    writeFileSync(join(dir, 'sweep.yaml'), `scenario: s.yaml\ngrid:\n  duration: [6s, 15s]\nseeds: 2\n`);
    expect((await pipesimInProcess(['sweep', 'run', join(dir, 'sweep.yaml'), '--out', join(dir, 'out'), '-q'])).code).toBe(0);
    const [exact, sketched] = parseCsvRecords(read(join(dir, 'out'), 'aggregate.csv'));
    expect(Number(exact['latency.count.mean'])).toBeLessThan(100_000);
    expect(Number(sketched['latency.count.mean'])).toBeGreaterThan(100_000);
    expect([exact['latency.p99.sd'], exact['latency.p99.ci95']]).toEqual(['0', '0']);
    expect([sketched['latency.p99.sd'], sketched['latency.p99.ci95']]).toEqual(['', '']);
    // The mean is exact at any size: its tie is real.
    expect(sketched['latency.mean.ci95']).toBe('0');
  });

  it('a sweep killed with SIGKILL and run again gives the uninterrupted tables byte for byte; corrupt folders are rerun', async () => {
    const dir = tempDir();
    const file = sweepFile(dir, '', 6, '[6, 8, 10, 12]');
    const clean = join(dir, 'clean');
    expect(pipesim(['sweep', 'run', file, '--out', clean, '--workers', '2', '-q']).code).toBe(0);

    const killed = join(dir, 'killed');
    const child = spawn(process.execPath, [resolve('bin/pipesim.js'), 'sweep', 'run', file, '--out', killed, '--workers', '2', '-q']);
    // Kill it once some runs are finished and others in flight.
    // Up to a minute for the first runs (a loaded machine is slow to start two workers); usually well under a second.
    for (let i = 0; i < 2400 && (!existsSync(join(killed, 'runs')) || readdirSync(join(killed, 'runs')).filter((n) => !n.startsWith('.')).length < 5); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const finished = readdirSync(join(killed, 'runs')).filter((n) => !n.startsWith('.')).length;
    expect(finished).toBeGreaterThan(0);
    expect(finished).toBeLessThan(48);
    // A run folder broken by hand (as a crash of something else might leave it) is not trusted.
    const victim = readdirSync(join(killed, 'runs')).find((n) => !n.startsWith('.')) as string;
    writeFileSync(join(killed, 'runs', victim, 'summary.json'), '{"pipesim": "0.1.0", "seed"');
    const resumed = pipesim(['sweep', 'run', file, '--out', killed, '--workers', '2']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`${finished - 1} already done`);
    expect(tables(killed)).toEqual(tables(clean));
    expect(readdirSync(join(killed, 'runs')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  }, 120_000);

  it("Ctrl-C (or a scheduler's SIGTERM) stops cleanly: exit 130, finished runs kept, nothing half-written, nothing marked failed", async () => {
    const dir = tempDir();
    const file = sweepFile(dir, '', 6, '[6, 8, 10, 12]');
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const out = join(dir, signal);
      const child = spawn(process.execPath, [resolve('bin/pipesim.js'), 'sweep', 'run', file, '--out', out, '--workers', '2', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      for (let i = 0; i < 200 && (!existsSync(join(out, 'runs')) || readdirSync(join(out, 'runs')).filter((n) => !n.startsWith('.')).length < 3); i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.kill(signal);
      expect(await exited).toBe(130);
      expect(stderr).toMatch(/interrupted: \d+ runs finished and kept/);
      const entries = readdirSync(join(out, 'runs'));
      expect(entries.filter((n) => n.startsWith('.'))).toEqual([]);
      expect(entries.length).toBeLessThan(48);
      for (const id of entries) expect(JSON.parse(read(join(out, 'runs', id), 'summary.json')).pipesim).toBeTypeOf('string');
      expect(existsSync(join(out, 'failed')) ? readdirSync(join(out, 'failed')) : []).toEqual([]);
    }
  }, 120_000);

  it('shards from Slurm-style environment variables cover every run exactly once; merge refuses another sweep', async () => {
    const dir = tempDir();
    const file = sweepFile(dir, '', 3);
    const whole = join(dir, 'whole');
    expect((await pipesimInProcess(['sweep', 'run', file, '--out', whole, '-q'])).code).toBe(0);
    const shared = join(dir, 'shared');
    // Three shards at once into one folder, as a job array on a shared file system would.
    const outputs = await Promise.all(
      [0, 1, 2].map(
        (i) =>
          new Promise<string>((done) => {
            const p = spawn(process.execPath, [resolve('bin/pipesim.js'), 'sweep', 'run', file, '--out', shared, '--workers', '1'], {
              env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i + 1), SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' },
            });
            let text = '';
            p.stdout.on('data', (d) => (text += d));
            p.on('exit', () => done(text));
          }),
      ),
    );
    const counts = outputs.map((o) => Number(/: (\d+) runs:/.exec(o)?.[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
    expect(outputs.every((o) => / (\d+) ran, 0 already done, 0 failed/.test(o))).toBe(true);
    expect(readdirSync(join(shared, 'timings'))).toHaveLength(12); // each run done once
    expect((await pipesimInProcess(['sweep', 'collect', shared])).code).toBe(0);
    expect(tables(shared)).toEqual(tables(whole));
    // Merging shard folders gives the same tables; another sweep's folder is refused.
    const merged = join(dir, 'deeper', 'merged');
    expect((await pipesimInProcess(['sweep', 'merge', shared, whole, '--out', merged])).code).toBe(0);
    expect(tables(merged)).toEqual(tables(whole));
    // A merged run's scenario.yaml still names its trace from the new place: it runs again the same.
    const id = readdirSync(join(merged, 'runs'))[0];
    const again = join(dir, 'again');
    expect((await pipesimInProcess(['run', join(merged, 'runs', id, 'scenario.yaml'), '--out', again, '-q'])).code).toBe(0);
    expect(read(again, 'summary.json')).toBe(read(join(merged, 'runs', id), 'summary.json'));
    const other = join(dir, 'other');
    expect((await pipesimInProcess(['sweep', 'run', sweepFile(tempDir(), '', 1), '--out', other, '-q'])).code).toBe(0);
    const refused = await pipesimInProcess(['sweep', 'merge', whole, other, '--out', join(dir, 'mixed')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('holds another sweep');
  }, 120_000);

  it('a run that throws or passes the time limit is recorded and does not stop the others; --retry-failed reruns them', async () => {
    const dir = tempDir();
    const file = join(dir, 's.yaml');
    writeFileSync(file, `scenario: ${resolve('scenarios/abacus/pair.yaml')}\ngrid:\n  accelerator.services[1].model: [bert, no-such-model, vgg19]\n`);
    const out = join(dir, 'out');
    const r = await pipesimInProcess(['sweep', 'run', file, '--out', out, '--workers', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('1 runs failed');
    const failed = readdirSync(join(out, 'failed'));
    expect(failed).toHaveLength(1);
    expect(JSON.parse(read(join(out, 'failed'), failed[0])).error).toContain('unknown model "no-such-model"');
    expect(parseCsvRecords(read(out, 'runs.csv'))).toHaveLength(2);
    const again = await pipesimInProcess(['sweep', 'run', file, '--out', out]);
    expect(again.stdout).toContain('0 ran, 2 already done, 0 failed, 1 failed before');
    const retried = await pipesimInProcess(['sweep', 'run', file, '--out', out, '--retry-failed']);
    expect(retried.stdout).toContain('0 ran, 2 already done, 1 failed');
    // Runs that never ran (an interrupted sweep) run with --retry-failed too, not counted as done.
    rmSync(join(out, 'runs', parseCsvRecords(read(out, 'runs.csv'))[0].run_id), { recursive: true });
    expect((await pipesimInProcess(['sweep', 'run', file, '--out', out, '--retry-failed'])).stdout).toContain('1 ran, 1 already done, 1 failed');
    // A damaged sweep.json is bad input (exit 2), not a crash.
    writeFileSync(join(out, 'sweep.json'), '{"hash": ');
    const damaged = await pipesimInProcess(['sweep', 'run', file, '--out', out]);
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toContain('sweep.json: unreadable');
    // A time limit shorter than a run: plan's probe stops too, and leaves nothing behind.
    writeFileSync(file, `scenario: ${resolve('scenarios/mm4.yaml')}\ntimeout: 0.2\nseeds: 2\n`);
    const probes = () => readdirSync(tmpdir()).filter((n) => n.startsWith('pipesim-probe-')).length;
    const before = probes();
    const plan = await pipesimInProcess(['sweep', 'plan', file]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('probe: the first run did not finish (timed out after 0.2 s); no estimate');
    expect(probes()).toBe(before);
    rmSync(out, { recursive: true, force: true });
    const slow = await pipesimInProcess(['sweep', 'run', file, '--out', out, '--workers', '2']);
    expect(slow.code).toBe(1);
    for (const f of readdirSync(join(out, 'failed'))) expect(JSON.parse(read(join(out, 'failed'), f)).error).toBe('timed out after 0.2 s');
    expect(readdirSync(join(out, 'runs'))).toEqual([]);
  }, 60_000);
});
