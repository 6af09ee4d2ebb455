import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../src/engine/random.js';
import { writeCountTrace } from '../../../src/workload/trace.js';
import { pipesim, tempDir } from '../../helpers.js';


describe('pipesim predictor', () => {
  it('trains with progress per epoch, saves metadata, and evaluates against the baselines', () => {
    const dir = tempDir();
    const trace = join(dir, 'trace.txt');
    const rng = new RandomStreams(2).stream('t');
    // Tweets per second around a 10-minute cycle; damping 8 turns them into requests/s.
    writeCountTrace(trace, Uint32Array.from({ length: 30_000 }, (_, t) => rng.poisson(8 * (20 + 15 * Math.sin((2 * Math.PI * t) / 600)))));
    const model = join(dir, 'model');
    const train = pipesim(['predictor', 'train', '--trace', trace, '--train-days', '0.25', '--epochs', '2', '--seed', '4', '--out', model]);
    expect(train.code).toBe(0);
    expect(train.stderr).toMatch(/training on 2147 windows from 21600 s/);
    expect(train.stderr).toMatch(/epoch 1\/2 {2}loss [\d.]+e-\d+/);
    expect(train.stderr).toMatch(/epoch 2\/2/);
    const meta = JSON.parse(readFileSync(join(model, 'metadata.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 'pipesim-lstm', windows: { inputBins: 12, binSeconds: 10, horizon: 20, stride: 10 } });
    expect(meta.training).toMatchObject({ damping: 8, dropZeros: true, trainSeconds: 21_600, epochs: 2, seed: 4 });
    expect(meta.loss).toHaveLength(2);

    const csv = join(dir, 'eval.csv');
    const evaluation = pipesim(['predictor', 'eval', '--model', model, '--trace', trace, '--csv', csv]);
    expect(evaluation.code).toBe(0);
    expect(evaluation.stdout).toMatch(/test range: preprocessed seconds 21600\.\.30000: 839 windows/);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('predictor,windows,mape,smape,rmse,under_prediction');
    expect(rows.map((r) => r.split(',')[0]).slice(1)).toEqual(['lstm', 'reactive', 'last-value', 'moving-max-20s', 'moving-max-60s', 'ewma-0.1', 'seasonal-naive-86400s', 'oracle']);
    const oracleRow = rows.find((r) => r.startsWith('oracle,'))!.split(',');
    expect(oracleRow.slice(2).map(Number)).toEqual([0, 0, 0, 0]);
  }, 60_000);

  it('explains a missing model, a trace too short to train on, and one shorter than the model\'s training range', () => {
    const r = pipesim(['predictor', 'eval', '--model', '/nonexistent', '--trace', 'traces/bursty.txt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a pipesim LSTM model/);
    const dir = tempDir();
    const short = join(dir, 'short.txt');
    writeFileSync(short, '5 6 7 8 9 10\n');
    const train = pipesim(['predictor', 'train', '--trace', short, '--damping', '1', '--out', join(dir, 'm')]);
    expect(train.code).toBe(2);
    expect(train.stderr).toMatch(/\npipesim: no training windows: the training range holds 6 s of the trace after preprocessing, and one window needs 140 s \(120 s of history and a 20 s horizon\): use a longer trace\n$/);
    // Without --start, eval reads the model's test range; a short trace is named, not a flag the user never gave.
    const evaluated = pipesim(['predictor', 'eval', '--model', 'models/ipa-lstm', '--trace', short]);
    expect(evaluated.code).toBe(2);
    expect(evaluated.stderr).toMatch(/^pipesim: .*short\.txt has 6 s after preprocessing, but the model's test range starts at second \d+/);
    expect(evaluated.stderr).not.toContain('--start ');
    // A trace shorter than --train-days (14 days by default): trained on all of it, with a warning; eval then says so.
    const twenty = join(dir, 'twenty-minutes.txt');
    writeCountTrace(twenty, Uint32Array.from({ length: 1200 }, (_, t) => 100 + (t % 60)));
    const whole = pipesim(['predictor', 'train', '--trace', twenty, '--epochs', '1', '--out', join(dir, 'whole')]);
    expect(whole.code).toBe(0);
    expect(whole.stderr).toMatch(/^warning: .*twenty-minutes\.txt has 1200 s after preprocessing, no more than --train-days 14 \(1209600 s\) and a 20 s horizon: training on it leaves no test range for predictor eval; give --train-days 0\.013 or less to keep one\n/);
    const noTest = pipesim(['predictor', 'eval', '--model', join(dir, 'whole'), '--trace', twenty]);
    expect([noTest.code, noTest.stderr]).toEqual([2, expect.stringMatching(/^pipesim: the model was trained on all 1200 s of .*twenty-minutes\.txt \(after preprocessing\), so it has no test range there: name a segment with --start and --duration, or train with fewer --train-days\n$/)]);
  }, 60_000);
});
