import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { readTextFile } from '../io/read.js';
import { parseWith, readYamlFile } from '../config/yaml.js';

/**
 * Model-variant profiles of a pipeline: for each stage, the variants it can
 * run, and for each variant its accuracy, the cores of one replica and, per
 * batch size, the latency of one batch and the throughput of one replica.
 * This is what the IPA optimizer searches over and what adapters hand to the
 * simulator. Format reference: profiles/README.md.
 */

const SOURCES = ['measured', 'fitted', 'derived'] as const;
export type ProfileSource = (typeof SOURCES)[number];

const BatchSchema = z.strictObject({
  size: z.number().int().positive().describe('batch size'),
  latency: z.number().positive().describe('p99 latency of one batch, seconds'),
  latencyMean: z.number().positive().describe('mean latency of one batch, seconds'),
  throughput: z.number().positive().describe('requests per second one replica sustains at this batch size'),
  source: z.enum(SOURCES).describe('measured: read off a profiling run; fitted: from a model fitted to this variant\'s points; derived: from other variants by a stated rule'),
});

const VariantSchema = z.strictObject({
  name: z.string().min(1),
  accuracy: z.number().describe('accuracy as published (percent; negative WER for speech recognition, so higher is better)'),
  cores: z.number().positive().describe('CPU cores of one replica (IPA: the base allocation)'),
  loadTime: z.number().nonnegative().optional().describe('seconds for a new replica to load the model and start serving'),
  source: z.string().optional().describe('where this variant\'s numbers come from'),
  batches: z.array(BatchSchema).min(1),
});

const StageSchema = z.strictObject({
  name: z.string().min(1),
  variants: z.array(VariantSchema).min(1),
});

const DefaultsSchema = z.strictObject({
  alpha: z.number().nonnegative(),
  beta: z.number().nonnegative(),
  gamma: z.number().nonnegative(),
  batchCap: z.number().int().positive(),
  replicaCap: z.number().int().positive(),
  accuracyMethod: z.enum(['sum', 'average', 'product']),
  normalize: z.enum(['none', 'rank']),
});

const PipelineProfileSchema = z.strictObject({
  pipeline: z.string().min(1),
  sla: z.number().positive().describe('end-to-end latency SLA, seconds'),
  dropLimit: z.number().positive().optional().describe('age at which a request is dropped, seconds'),
  defaults: DefaultsSchema.optional().describe('the optimizer settings this pipeline was run with'),
  notes: z.string().optional(),
  stages: z.array(StageSchema).min(1).optional(),
  table: z.string().optional().describe('CSV file with the stages instead of `stages` (relative to this file)'),
});

export type BatchProfile = z.infer<typeof BatchSchema>;
export type VariantProfile = z.infer<typeof VariantSchema>;
export type StageProfile = z.infer<typeof StageSchema>;
export type OptimizerDefaults = z.infer<typeof DefaultsSchema>;
export type PipelineProfile = Omit<z.infer<typeof PipelineProfileSchema>, 'stages' | 'table'> & { stages: StageProfile[] };

/** Check the internal consistency that the schema cannot express. */
function checkProfile(p: PipelineProfile, source: string): PipelineProfile {
  for (const stage of p.stages) {
    const names = new Set<string>();
    for (const v of stage.variants) {
      if (names.has(v.name)) throw new InputError(`${source}: stage ${stage.name}: variant ${v.name} appears twice`);
      names.add(v.name);
      const sizes = v.batches.map((b) => b.size);
      if (new Set(sizes).size !== sizes.length) throw new InputError(`${source}: ${stage.name}/${v.name}: a batch size appears twice`);
      v.batches.sort((a, b) => a.size - b.size);
    }
  }
  return p;
}

export function parsePipelineProfile(data: unknown, source: string, baseDir = '.'): PipelineProfile {
  const { table, stages, ...rest } = parseWith(PipelineProfileSchema, data, source);
  if ((table === undefined) === (stages === undefined)) throw new InputError(`${source}: give exactly one of stages or table`);
  const resolved = stages ?? readProfileCsv(resolve(baseDir, table as string));
  return checkProfile({ ...rest, stages: resolved }, source);
}

/** Load a pipeline profile from YAML (its `table` may point at a CSV). */
export function loadPipelineProfile(file: string): PipelineProfile {
  return parsePipelineProfile(readYamlFile(file), file, dirname(file));
}

const CSV_COLUMNS = ['stage', 'variant', 'accuracy', 'cores', 'batch', 'latency', 'latency_mean', 'throughput', 'source'] as const;

/**
 * Stages from a CSV with one row per (stage, variant, batch) and the columns
 * stage, variant, accuracy, cores, batch, latency, latency_mean, throughput, source.
 * Stage and variant order is the order of first appearance.
 */
export function readProfileCsv(file: string): StageProfile[] {
  const text = readTextFile(file, 'profile table');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new InputError(`${file}: line 1: missing columns ${missing.join(', ')}`);
  const col = Object.fromEntries(CSV_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof CSV_COLUMNS)[number], number>;
  const stages: StageProfile[] = [];
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    const where = `${file}: line ${i + 2}`;
    const num = (name: (typeof CSV_COLUMNS)[number]) => {
      const v = Number(cells[col[name]]);
      if (!Number.isFinite(v) || cells[col[name]] === '') throw new InputError(`${where}: ${name}: expected a number, got "${cells[col[name]] ?? ''}"`);
      return v;
    };
    const source = cells[col.source] as ProfileSource;
    if (!SOURCES.includes(source)) throw new InputError(`${where}: source: expected one of ${SOURCES.join(', ')}, got "${source}"`);
    let stage = stages.find((s) => s.name === cells[col.stage]);
    if (!stage) stages.push((stage = { name: cells[col.stage], variants: [] }));
    let variant = stage.variants.find((v) => v.name === cells[col.variant]);
    if (!variant) stage.variants.push((variant = { name: cells[col.variant], accuracy: num('accuracy'), cores: num('cores'), batches: [] }));
    variant.batches.push({ size: num('batch'), latency: num('latency'), latencyMean: num('latency_mean'), throughput: num('throughput'), source });
  });
  return stages;
}

/** The CSV form of a profile's stages (inverse of readProfileCsv). */
export function formatProfileCsv(stages: readonly StageProfile[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const s of stages) {
    for (const v of s.variants) {
      for (const b of v.batches) rows.push([s.name, v.name, v.accuracy, v.cores, b.size, b.latency, b.latencyMean, b.throughput, b.source].join(','));
    }
  }
  return rows.join('\n') + '\n';
}
