// One LSTM forecast, the call an adapter makes every adaptation interval: median over many
// calls on the shipped model (models/ipa-lstm), with 20 minutes of history.
import { existsSync } from 'node:fs';
import { loadLstm } from '../dist/predictors/lstm.js';
import { lastValue, movingMax } from '../dist/predictors/baselines.js';

export async function benchForecast(modelDir = 'models/ipa-lstm', calls = 1000) {
  if (!existsSync(modelDir)) return undefined;
  const model = await loadLstm(modelDir);
  const history = Float64Array.from({ length: 1200 }, (_, t) => 10 + 5 * Math.sin(t / 60));
  const time = (p) => {
    const times = [];
    for (let i = 0; i < calls; i++) {
      const h = history.subarray(0, 600 + (i % 600));
      const s = process.hrtime.bigint();
      p.forecast(h);
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    times.sort((a, b) => a - b);
    return { medianMs: times[Math.floor(calls / 2)], p99Ms: times[Math.floor(calls * 0.99)] };
  };
  return { backend: model.metadata.training.backend, lstm: time(model), lastValue: time(lastValue()), movingMax: time(movingMax(20)) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchForecast());
