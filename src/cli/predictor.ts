import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from '../errors.js';
import { AtomicStreamWriter } from '../io/atomic.js';
import { csvNumber } from '../metrics/csv.js';
import { ewma, lastValue, movingMax, oracle, reactive, seasonalNaive } from '../predictors/baselines.js';
import { forecastErrors, type ForecastErrors } from '../predictors/evaluate.js';
import type { LoadPredictor } from '../predictors/predictor.js';
import { TF_BACKENDS, type TfBackend } from '../predictors/tf.js';
import { IPA_WINDOWS, makeWindows, type WindowSpec } from '../predictors/windows.js';
import { readCountTrace } from '../workload/trace.js';
import { dampTrace } from '../workload/transform.js';
import { seedFlag } from './flags.js';

const DAY = 86_400;

/** Damp the raw trace and optionally drop zero seconds; also map positions back to raw indices. */
function preprocess(raw: Uint32Array, damping: number, dropZeros: boolean): { series: Float64Array; rawIndex: Int32Array } {
  const damped = dampTrace(raw, damping);
  const keep: number[] = [];
  for (let i = 0; i < damped.length; i++) if (!dropZeros || raw[i] !== 0) keep.push(i);
  return { series: Float64Array.from(keep, (i) => damped[i]), rawIndex: Int32Array.from(keep) };
}

/** The baselines every evaluation compares with, on the same windows. */
export function baselines(series: ArrayLike<number>, spec: WindowSpec): LoadPredictor[] {
  return [reactive(spec), lastValue(), movingMax(spec.horizon), movingMax(60), ewma(0.1), seasonalNaive(DAY, spec.horizon), oracle(series, spec.horizon)];
}

export function predictorCommand(yargs: Argv) {
  return yargs.command('predictor', 'Train and evaluate load predictors (IPA\'s LSTM and baselines)', (y) =>
    y
      .command(
        'train',
        'Train the LSTM load predictor on a per-second count trace',
        (g) =>
          g
            .option('trace', { type: 'string', demandOption: true, describe: 'per-second count trace (e.g. IPA\'s Twitter trace)' })
            .option('damping', { type: 'number', default: 8, describe: 'requests/s = floor(count / damping), as IPA' })
            .option('keep-zeros', { type: 'boolean', default: false, describe: 'keep seconds with no requests (IPA drops them)' })
            .option('train-days', { type: 'number', default: 14, describe: 'days of the (preprocessed) trace to train on; the rest is the test range' })
            .option('epochs', { type: 'number', default: 30, describe: 'passes over the training windows' })
            .option('batch-size', { type: 'number', default: 64, describe: 'windows per gradient step' })
            .option('learning-rate', { type: 'number', default: 0.001, describe: "Adam's learning rate (Keras' default, as IPA)" })
            .option('seed', { type: 'string', default: '1', describe: 'seed of the initial weights and the shuffles (same seed and backend: same model)' })
            .option('backend', { choices: TF_BACKENDS, default: 'auto' as TfBackend, describe: 'auto: tfjs-node if installed, else wasm' })
            .option('out', { type: 'string', demandOption: true, describe: 'model folder to write' })
            .example('$0 predictor train --trace twitter.txt --out models/ipa-lstm', "IPA's setup: damping 8, zeros dropped, 14 days, 30 epochs"),
        async (argv) => {
          const { trainLstm, saveLstm } = await import('../predictors/lstm.js');
          const raw = readCountTrace(argv.trace);
          const dropZeros = !argv['keep-zeros'];
          const { series, rawIndex } = preprocess(raw, argv.damping, dropZeros);
          const trainSeconds = Math.min(series.length, Math.round(argv['train-days'] * DAY));
          // predictor eval needs a horizon of trace after the training range to test on.
          if (series.length - trainSeconds < IPA_WINDOWS.horizon) {
            const most = (series.length - IPA_WINDOWS.horizon) / DAY;
            const digits = 10 ** (1 - Math.floor(Math.log10(most)));
            process.stderr.write(
              `warning: ${argv.trace} has ${series.length} s after preprocessing, no more than --train-days ${argv['train-days']} (${Math.round(argv['train-days'] * DAY)} s) and a ${IPA_WINDOWS.horizon} s horizon: ` +
                `training on it leaves no test range for predictor eval; give --train-days ${Math.floor(most * digits) / digits} or less to keep one\n`,
            );
          }
          const windows = makeWindows(series, IPA_WINDOWS, 0, trainSeconds);
          process.stderr.write(`training on ${windows.times.length} windows from ${trainSeconds} s of ${argv.trace} (${series.length} s after preprocessing)\n`);
          const model = await trainLstm({
            windows,
            spec: IPA_WINDOWS,
            epochs: argv.epochs,
            batchSize: argv['batch-size'],
            learningRate: argv['learning-rate'],
            seed: seedFlag(argv.seed, '--seed'),
            backend: argv.backend,
            data: {
              trace: basename(argv.trace),
              damping: argv.damping,
              dropZeros,
              trainSeconds,
              testStartRawIndex: trainSeconds < series.length ? rawIndex[trainSeconds] : raw.length,
            },
            onEpoch: (epoch, loss, seconds) => process.stderr.write(`epoch ${epoch}/${argv.epochs}  loss ${loss.toExponential(4)}  ${seconds.toFixed(1)} s\n`),
          });
          await saveLstm(model, argv.out);
          process.stdout.write(`saved ${argv.out}/ (backend ${model.metadata.training.backend})\n`);
        },
      )
      .command(
        'eval',
        'Compare the LSTM with the baselines on the same windows: MAPE, SMAPE, RMSE, under-predictions',
        (g) =>
          g
            .option('model', { type: 'string', demandOption: true, describe: 'model folder from `predictor train`' })
            .option('trace', { type: 'string', demandOption: true, describe: 'per-second count trace to evaluate on (damped as the model was trained)' })
            .option('start', { type: 'number', describe: 'raw trace index of the first window (default: the model\'s test range)' })
            .option('duration', { type: 'number', describe: 'seconds of windows from --start' })
            .option('damping', { type: 'number', describe: "divide counts by this (default: the model's training damping; 1 for traces already in requests/s, such as traces/ipa/)" })
            .option('csv', { type: 'string', describe: 'also write the table as CSV' })
            .option('backend', { choices: TF_BACKENDS, default: 'auto' as TfBackend })
            .example('$0 predictor eval --model models/ipa-lstm --trace twitter.txt --start 1301160 --duration 1200', "IPA's bursty segment"),
        async (argv) => {
          const { loadLstm } = await import('../predictors/lstm.js');
          const model = await loadLstm(argv.model, argv.backend);
          const meta = model.metadata;
          const raw = readCountTrace(argv.trace);
          const damping = argv.damping ?? meta.training.damping;
          let series: Float64Array;
          let from: number;
          let to: number;
          let label: string;
          if (argv.start !== undefined) {
            // A raw segment, as the experiments replay it: damped, zero seconds kept.
            series = preprocess(raw, damping, false).series;
            from = argv.start;
            to = argv.duration === undefined ? series.length : argv.start + argv.duration;
            label = `raw seconds ${from}..${to}`;
          } else {
            series = preprocess(raw, damping, meta.training.dropZeros).series;
            from = meta.training.trainSeconds;
            to = series.length;
            label = `test range: preprocessed seconds ${from}..${to}`;
          }
          if (from < 0 || from >= series.length) {
            throw new InputError(
              argv.start !== undefined
                ? `--start ${from} is outside the trace (0..${series.length - 1})`
                : from === series.length
                  ? `the model was trained on all ${from} s of ${argv.trace} (after preprocessing), so it has no test range there: name a segment with --start and --duration, or train with fewer --train-days`
                  : `${argv.trace} has ${series.length} s after preprocessing, but the model's test range starts at second ${from} (after its ${meta.training.trainSeconds} s of training): evaluate on the trace it was trained on, or name a segment with --start`,
            );
          }
          // Windows whose target starts in [from, to) and ends inside the trace.
          const windows = makeWindows(series, meta.windows, from, Math.min(series.length, to + meta.windows.horizon));
          if (windows.times.length === 0) throw new InputError(`no complete windows in ${label}`);
          const rows: { name: string; errors: ForecastErrors }[] = [{ name: 'lstm', errors: forecastErrors(model.forecastWindows(windows), windows.targets) }];
          for (const p of baselines(series, meta.windows)) {
            const predictions = Array.from(windows.times, (t) => p.forecast(series.subarray(0, t)));
            rows.push({ name: p.name, errors: forecastErrors(predictions, windows.targets) });
          }
          process.stdout.write(`${argv.trace}, ${label}: ${windows.times.length} windows (damping ${damping})\n`);
          process.stdout.write(`${'predictor'.padEnd(24)}${'MAPE %'.padStart(9)}${'SMAPE %'.padStart(9)}${'RMSE'.padStart(9)}${'under %'.padStart(9)}\n`);
          for (const r of rows) {
            const e = r.errors;
            process.stdout.write(`${r.name.padEnd(24)}${e.mape.toFixed(2).padStart(9)}${e.smape.toFixed(2).padStart(9)}${e.rmse.toFixed(3).padStart(9)}${(100 * e.underPrediction).toFixed(1).padStart(9)}\n`);
          }
          const young = windows.times.filter((t) => t < DAY).length;
          if (young > 0) process.stdout.write(`note: ${young} of ${windows.times.length} windows have less than a day of history; there seasonal-naive forecasts the maximum so far\n`);
          if (argv.csv) {
            const w = new AtomicStreamWriter(argv.csv);
            w.write('predictor,windows,mape,smape,rmse,under_prediction\n');
            for (const r of rows) w.write(`${r.name},${r.errors.windows},${csvNumber(r.errors.mape)},${csvNumber(r.errors.smape)},${csvNumber(r.errors.rmse)},${csvNumber(r.errors.underPrediction)}\n`);
            w.commit();
          }
        },
      )
      .demandCommand(1, 'name a predictor command: train or eval'),
  );
}
