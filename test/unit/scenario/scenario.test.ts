import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { scenarioJsonSchema, scenarioReference } from '../../../src/kinds/json-schema.js';
import { parseWith } from '../../../src/config/yaml.js';
import { readScenarioOfKind } from '../../../src/kinds/load.js';
import { ScenarioSchema } from '../../../src/kinds/pipeline/schema.js';
import { parseOverride, type Override } from '../../../src/scenario/overrides.js';

const validateScenario = (data: unknown, source: string) => parseWith(ScenarioSchema, data, source);
const loadScenario = (file: string, set: Override[] = [], seed?: number, base?: string) => ({ scenario: readScenarioOfKind('pipeline', file, { set, seed, base }) });
import { formatPath, parsePath } from '../../../src/config/paths.js';
import { parseDuration } from '../../../src/config/units.js';
import { pipesimInProcess, tempDir } from '../../helpers.js';

const minimal = {
  duration: '10s',
  workload: { arrivals: { kind: 'poisson', rate: 5 } },
  pipeline: { stages: [{ service: { mean: '8ms' } }] },
};

function errorOf(data: unknown): string {
  try {
    validateScenario(data, 'scenarios/x.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected validation to fail');
}

describe('durations', () => {
  it('take units and plain seconds', () => {
    expect(parseDuration('250ms')).toBeCloseTo(0.25, 15);
    expect(parseDuration('10s')).toBe(10);
    expect(parseDuration('2m')).toBe(120);
    expect(parseDuration('2h')).toBe(7200);
    expect(parseDuration('1.5s')).toBe(1.5);
    expect(parseDuration('100us')).toBeCloseTo(1e-4, 15);
    expect(parseDuration(3)).toBe(3);
    expect(parseDuration('ten seconds')).toBeNaN();
    expect(parseDuration(-1)).toBeNaN();
  });
});

describe('scenario validation', () => {
  it('accepts the keys of the documented example as written and fills every default', () => {
    const s = validateScenario(
      {
        name: 'mm4',
        seed: 1,
        duration: '2h',
        metrics: { warmup: '100s' },
        workload: { arrivals: { kind: 'poisson', rate: 400 }, requests: 1_000_000 },
        pipeline: { stages: [{ name: 'detect', replicas: 4, batch: { max: 1, timeout: '0s' }, service: { dist: 'exponential', mean: '8ms' } }] },
      },
      'mm4.yaml',
    );
    expect(s.duration).toBe(7200);
    expect(s.metrics).toEqual({ warmup: 100, interval: 1, sketchAccuracy: 0.001, requests: false });
    const stage = s.pipeline.stages[0];
    expect(stage.service).toEqual({ dist: 'exponential', mean: 0.008, perItem: 0 });
    expect(stage.queue).toEqual({ capacity: null, overflow: 'drop-newest', dropExpired: false, discipline: 'fcfs', abandon: false });
    expect(stage.routing).toBe('round-robin');
    expect(stage.cores).toBe(1);
  });

  it('gives path-precise messages with what it got', () => {
    const data = structuredClone(minimal) as any;
    data.pipeline.stages.push({ service: { mean: '8ms' }, batch: { max: -3 } });
    expect(errorOf(data)).toBe('scenarios/x.yaml: pipeline.stages[1].batch.max: expected a positive integer, got -3');
  });

  it('rejects unknown keys, bad durations, bad enums and missing parts, all at once', async () => {
    const data = structuredClone(minimal) as any;
    data.pipline = {};
    data.metrics = { warmup: '10 parsecs' };
    data.pipeline.stages[0].routing = 'random';
    data.pipeline.stages[0].service = { dist: 'lognormal', mean: '8ms' };
    const message = errorOf(data);
    // A key a few edits from a known one gets a suggestion, at any depth (through arrays and unions).
    expect(message).toContain('scenarios/x.yaml: pipline: unknown key (did you mean pipeline?)');
    expect(errorOf({ ...minimal, pipeline: { stages: [{ service: { mean: '8ms' }, replica: 2 }] } })).toContain('pipeline.stages[0].replica: unknown key (did you mean replicas?)');
    expect(errorOf({ ...minimal, workload: { arrivals: { kind: 'poisson', rate: 5, expnd: 'ipa' } } })).toContain('workload.arrivals.expnd: unknown key (did you mean expand?)');
    expect(errorOf({ ...minimal, zzzqqq: 1 })).toMatch(/zzzqqq: unknown key$/m);
    // A key an override brought in is named as the override's, not blamed on the file.
    const overridden = await pipesimInProcess(['validate', 'scenarios/quickstart.yaml', '--set', 'pipeline.stages[0].replica=3']);
    expect([overridden.code, overridden.stderr]).toEqual([2, 'pipesim: scenarios/quickstart.yaml with pipeline.stages[0].replica overridden: pipeline.stages[0].replica: unknown key (did you mean replicas?)\n']);
    expect(message).toContain('scenarios/x.yaml: metrics.warmup: expected a duration such as 250ms, 10s, 2m or 1h, or a number of seconds, got "10 parsecs"');
    expect(message).toContain('pipeline.stages[0].routing: expected one of round-robin, least-loaded, or {kind: module, path: ...}, got "random"');
    expect(message).toContain('pipeline.stages[0].service.cv: lognormal needs cv');
    expect(errorOf({ ...minimal, workload: { arrivals: { kind: 'magic' } } })).toContain('workload.arrivals.kind');
    expect(errorOf({ ...minimal, duration: undefined })).toContain('duration: poisson arrivals never end: set duration or workload.requests');
    expect(errorOf({ ...minimal, duration: '10s', metrics: { warmup: '10s' } })).toContain('metrics.warmup: the warm-up (10 s) must be shorter than the duration (10 s)');
    expect(errorOf({ ...minimal, pipeline: { stages: [{ service: {} }] } })).toContain('pipeline.stages[0].service: give exactly one of mean or profile');
    expect(errorOf({ ...minimal, pipeline: { stages: [] } })).toContain('pipeline.stages: expected at least one stage');
  });

  it('loads a file: names stages, resolves paths from the scenario folder, applies --set and --seed', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'counts.txt'), '1 2 3');
    const file = join(dir, 's.yaml');
    writeFileSync(
      file,
      YAML.stringify({ workload: { arrivals: { kind: 'trace', path: 'counts.txt' } }, pipeline: { stages: [{ service: { mean: '1ms' } }, { service: { mean: '1ms' } }] } }),
    );
    const { scenario } = loadScenario(file, [parseOverride('pipeline.stages[1].replicas=8'), parseOverride('metrics.warmup=5s')], 42);
    expect(scenario.name).toBe('s');
    expect(scenario.seed).toBe(42);
    expect(scenario.pipeline.stages.map((s) => s.name)).toEqual(['stage1', 'stage2']);
    expect(scenario.pipeline.stages[1].replicas).toBe(8);
    expect(scenario.metrics.warmup).toBe(5);
    const arrivals = scenario.workload.arrivals as { path: string };
    expect(readFileSync(arrivals.path, 'utf8')).toBe('1 2 3');
    expect(() => loadScenario(file, [parseOverride('pipeline.stages[0].replicas=0')])).toThrow(
      `${file} with pipeline.stages[0].replicas overridden: pipeline.stages[0].replicas: expected a positive integer, got 0`,
    );
    // An index past the end of a list is named, not filled with empty entries.
    expect(() => loadScenario(file, [parseOverride('pipeline.stages[5].replicas=3')])).toThrow('pipeline.stages[5].replicas: pipeline.stages has 2 entries, so there is no [5] to set');
    expect(() => loadScenario(file, [parseOverride('pipeline.stages.1.replicas=3')])).toThrow('pipeline.stages.1.replicas: pipeline.stages is a list: name an entry as [1]');
  });

  it('a path set by an override is relative to where the override was written', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'scenarios'));
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'scenarios', 'counts.txt'), 'beside the scenario');
    writeFileSync(join(dir, 'counts.txt'), 'beside the override');
    const file = join(dir, 'scenarios', 's.yaml');
    writeFileSync(file, YAML.stringify({ workload: { arrivals: { kind: 'trace', path: 'counts.txt' } }, pipeline: { stages: [{ service: { mean: '1ms' } }] } }));
    // Loaded with paths relative to a third folder, as a sweep's are to its sweep file's.
    const base = join(dir, 'elsewhere');
    const traceOf = (overrides: Override[]) => readFileSync(resolve(base, (loadScenario(file, overrides, undefined, base).scenario.workload.arrivals as { path: string }).path), 'utf8');
    expect(traceOf([])).toBe('beside the scenario');
    // A whole object or the field itself; a later override of an unrelated field changes nothing.
    expect(traceOf([{ path: 'workload.arrivals.path', value: 'counts.txt', from: dir }])).toBe('beside the override');
    expect(traceOf([{ path: 'workload.arrivals', value: { kind: 'trace', path: 'counts.txt' }, from: dir }, { path: 'seed', value: 3, from: join(dir, 'scenarios') }])).toBe('beside the override');
    // Without `from` (overrides written against the scenario file, as the IPA experiment does): the scenario's folder.
    expect(traceOf([{ path: 'workload.arrivals.path', value: 'counts.txt' }])).toBe('beside the scenario');
  });

  it('reports YAML syntax errors with the line', () => {
    const file = join(tempDir(), 'bad.yaml');
    writeFileSync(file, 'seed: 1\npipeline: [unclosed\n');
    expect(() => loadScenario(file)).toThrow(new RegExp(`^${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: invalid YAML`));
  });

  it('a resolved scenario is itself a valid scenario that resolves to the same thing', () => {
    const { scenario } = loadScenario('scenarios/quickstart.yaml');
    const again = validateScenario(YAML.parse(YAML.stringify(scenario)), 'resolved');
    expect(again).toEqual(scenario);
  });

  it('every bundled scenario validates', () => {
    for (const file of ['scenarios/quickstart.yaml', 'scenarios/mm4.yaml', 'scenarios/diurnal-batching.yaml']) {
      expect(() => loadScenario(file)).not.toThrow();
    }
  });
});

describe('paths', () => {
  it('parse and format the same syntax', () => {
    expect(parsePath('pipeline.stages[0].replicas')).toEqual(['pipeline', 'stages', 0, 'replicas']);
    expect(formatPath(['pipeline', 'stages', 1, 'batch', 'max'])).toBe('pipeline.stages[1].batch.max');
    expect(() => parsePath('a..b[x]')).toThrow(/bad path/);
    expect(() => parseOverride('novalue')).toThrow('--set expects path=value, got "novalue"');
    expect(parseOverride('workload.arrivals.rate=450')).toEqual({ path: 'workload.arrivals.rate', value: 450, from: process.cwd() });
  });
});

describe('generated schema and reference', () => {
  it('the JSON Schema describes the format (strict objects, defaults, descriptions)', () => {
    const schema = (scenarioJsonSchema() as any).anyOf[0];
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(['name', 'seed', 'duration', 'slo', 'metrics', 'workload', 'pipeline', 'adaptation']);
    const stage = schema.properties.pipeline.properties.stages.items;
    expect(stage.properties.replicas.default).toBe(1);
    expect(stage.properties.batch.properties.max.description).toBe('largest batch');
  });

  it('docs/scenario.schema.json and docs/SCENARIO.md are up to date (run `npm run schema`)', () => {
    expect(JSON.parse(readFileSync('docs/scenario.schema.json', 'utf8'))).toEqual(scenarioJsonSchema());
    expect(readFileSync('docs/SCENARIO.md', 'utf8')).toBe(scenarioReference());
  });
});
