import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWith } from '../src/config/yaml.js';
import { ScenarioSchema, type Scenario } from '../src/kinds/pipeline/schema.js';

/** A fresh folder inside the test run's temporary root (removed when the run ends). */
export function tempDir(): string {
  return mkdtempSync(join(process.env.PIPESIM_TEST_TMP ?? tmpdir(), 'case-'));
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
