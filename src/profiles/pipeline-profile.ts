import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { readTextFile } from '../io/read.js';
import { parseWith, readYamlFile } from '../config/yaml.js';
import { AllocationSettingSchema, baseAllocation, type AllocationSetting } from './allocation.js';

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

const AllocationSchema = z.strictObject({
  cores: z.number().positive().describe('CPU cores of one replica'),
  batches: z.array(BatchSchema).min(1),
});

/** A variant as a file gives it: at one allocation (`cores` and `batches`), or at several (`allocations`). */
const VariantFileSchema = z.strictObject({
  name: z.string().min(1),
  accuracy: z.number().describe('accuracy as published (percent; negative WER for speech recognition, so higher is better)'),
  cores: z.number().positive().optional().describe('CPU cores of one replica, with `batches` (or give `allocations`)'),
  loadTime: z.number().nonnegative().optional().describe('seconds for a new replica to load the model and start serving'),
  source: z.string().optional().describe('where this variant\'s numbers come from'),
  batches: z.array(BatchSchema).min(1).optional(),
  allocations: z.array(AllocationSchema).min(1).optional().describe('the variant profiled at several replica sizes; the profile\'s `allocation` chooses one'),
});

const StageFileSchema = z.strictObject({
  name: z.string().min(1),
  sla: z.number().positive().optional().describe('the stage\'s own latency SLA, seconds (IPA\'s task SLA; the base allocation reads it)'),
  variants: z.array(VariantFileSchema).min(1),
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
  slaRule: z.number().positive().optional().describe('the SLA that IPA\'s rule (5 x mean over variants of sla_factor x batch-1 p99 at the largest allocation, summed over stages) gives on these profiles; `adaptation.adapter.options.sla: rule` plans under it'),
  allocation: AllocationSettingSchema.optional(),
  dropLimit: z.number().positive().optional().describe('age at which a request is dropped, seconds'),
  defaults: DefaultsSchema.optional().describe('the optimizer settings this pipeline was run with'),
  notes: z.string().optional(),
  stages: z.array(StageFileSchema).min(1).optional(),
  table: z.string().optional().describe('CSV file with the stages instead of `stages` (relative to this file)'),
});

export type BatchProfile = z.infer<typeof BatchSchema>;
export type AllocationProfile = z.infer<typeof AllocationSchema>;
/** A variant at the replica size in use: `cores` and its `batches`, and every profiled size if there are several. */
export type VariantProfile = Omit<z.infer<typeof VariantFileSchema>, 'cores' | 'batches'> & { cores: number; batches: BatchProfile[] };
export type StageProfile = Omit<z.infer<typeof StageFileSchema>, 'variants'> & { variants: VariantProfile[] };
export type OptimizerDefaults = z.infer<typeof DefaultsSchema>;
export type PipelineProfile = Omit<z.infer<typeof PipelineProfileSchema>, 'stages' | 'table'> & { stages: StageProfile[] };

/**
 * The profile with every variant at the replica size `setting` chooses from its `allocations`
 * (variants profiled at one size keep it). Pure: the profile given is not changed.
 */
export function withAllocation(profile: PipelineProfile, setting: AllocationSetting, source = profile.pipeline): PipelineProfile {
  const stages = profile.stages.map((stage) => {
    const profiled = stage.variants.filter((v) => v.allocations !== undefined);
    if (profiled.length === 0) return stage;
    let cores: number[];
    if (setting.rule === 'fixed') {
      cores = profiled.map(() => setting.cores);
    } else {
      if (stage.sla === undefined) throw new InputError(`${source}: stage ${stage.name}: the base allocation needs the stage's sla`);
      cores = baseAllocation(profiled as { name: string; accuracy: number; allocations: AllocationProfile[] }[], setting.threshold, stage.sla);
    }
    const variants = stage.variants.map((v) => {
      const i = profiled.indexOf(v);
      if (i < 0) return v;
      const at = (v.allocations as AllocationProfile[]).find((a) => a.cores === cores[i]);
      if (at === undefined) throw new InputError(`${source}: ${stage.name}/${v.name}: not profiled at ${cores[i]} cores (has ${(v.allocations as AllocationProfile[]).map((a) => a.cores).join(', ')})`);
      return { ...v, cores: at.cores, batches: at.batches };
    });
    return { ...stage, variants };
  });
  return { ...profile, allocation: setting, stages };
}

/** Check the internal consistency that the schema cannot express. */
function checkProfile(p: z.infer<typeof PipelineProfileSchema> & { stages: z.infer<typeof StageFileSchema>[] }, source: string): PipelineProfile {
  const sortedBatches = (batches: BatchProfile[], where: string) => {
    const sizes = batches.map((b) => b.size);
    if (new Set(sizes).size !== sizes.length) throw new InputError(`${source}: ${where}: a batch size appears twice`);
    return [...batches].sort((a, b) => a.size - b.size);
  };
  let several = false;
  const stages = p.stages.map((stage) => {
    const names = new Set<string>();
    const variants = stage.variants.map((v): VariantProfile => {
      const where = `${stage.name}/${v.name}`;
      if (names.has(v.name)) throw new InputError(`${source}: stage ${stage.name}: variant ${v.name} appears twice`);
      names.add(v.name);
      const { cores, batches, allocations, ...rest } = v;
      if (allocations === undefined) {
        if (cores === undefined || batches === undefined) throw new InputError(`${source}: ${where}: give cores and batches, or allocations`);
        return { ...rest, cores, batches: sortedBatches(batches, where) };
      }
      if (cores !== undefined || batches !== undefined) throw new InputError(`${source}: ${where}: give cores and batches, or allocations, not both`);
      const sizes = allocations.map((a) => a.cores);
      if (new Set(sizes).size !== sizes.length) throw new InputError(`${source}: ${where}: an allocation appears twice`);
      several = true;
      const sorted = [...allocations].sort((a, b) => a.cores - b.cores).map((a) => ({ cores: a.cores, batches: sortedBatches(a.batches, `${where} at ${a.cores} cores`) }));
      // Until an allocation setting chooses, the smallest size stands in.
      return { ...rest, cores: sorted[0].cores, batches: sorted[0].batches, allocations: sorted };
    });
    return { ...stage, variants };
  });
  const { table: _t, ...rest } = p;
  const profile: PipelineProfile = { ...rest, stages };
  if (!several) return profile;
  if (p.allocation === undefined) throw new InputError(`${source}: variants profiled at several allocations need the profile's allocation setting (rule base or fixed)`);
  return withAllocation(profile, p.allocation, source);
}

export function parsePipelineProfile(data: unknown, source: string, baseDir = '.'): PipelineProfile {
  const parsed = parseWith(PipelineProfileSchema, data, source);
  const { table, stages } = parsed;
  if ((table === undefined) === (stages === undefined)) throw new InputError(`${source}: give exactly one of stages or table`);
  const resolved = stages ?? readProfileCsv(resolve(baseDir, table as string));
  return checkProfile({ ...parsed, stages: resolved }, source);
}

/** Load a pipeline profile from YAML (its `table` may point at a CSV). */
export function loadPipelineProfile(file: string): PipelineProfile {
  return parsePipelineProfile(readYamlFile(file), file, dirname(file));
}

const CSV_COLUMNS = ['stage', 'variant', 'accuracy', 'cores', 'batch', 'latency', 'latency_mean', 'throughput', 'source'] as const;

/**
 * Stages from a CSV with one row per (stage, variant, batch) and the columns
 * stage, variant, accuracy, cores, batch, latency, latency_mean, throughput, source.
 * Stage and variant order is the order of first appearance; a variant with rows at several core
 * counts is profiled at several allocations.
 */
export function readProfileCsv(file: string): z.infer<typeof StageFileSchema>[] {
  const text = readTextFile(file, 'profile table');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new InputError(`${file}: line 1: missing columns ${missing.join(', ')}`);
  const col = Object.fromEntries(CSV_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof CSV_COLUMNS)[number], number>;
  const stages: { name: string; variants: { name: string; accuracy: number; allocations: AllocationProfile[] }[] }[] = [];
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
    if (!variant) stage.variants.push((variant = { name: cells[col.variant], accuracy: num('accuracy'), allocations: [] }));
    const cores = num('cores');
    let allocation = variant.allocations.find((a) => a.cores === cores);
    if (!allocation) variant.allocations.push((allocation = { cores, batches: [] }));
    allocation.batches.push({ size: num('batch'), latency: num('latency'), latencyMean: num('latency_mean'), throughput: num('throughput'), source });
  });
  return stages.map((s) => ({
    name: s.name,
    variants: s.variants.map(({ allocations, ...v }) => (allocations.length === 1 ? { ...v, cores: allocations[0].cores, batches: allocations[0].batches } : { ...v, allocations })),
  }));
}

/** The CSV form of a profile's stages (inverse of readProfileCsv). */
export function formatProfileCsv(stages: readonly StageProfile[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const s of stages) {
    for (const v of s.variants) {
      for (const a of v.allocations ?? [v]) {
        for (const b of a.batches) rows.push([s.name, v.name, v.accuracy, a.cores, b.size, b.latency, b.latencyMean, b.throughput, b.source].join(','));
      }
    }
  }
  return rows.join('\n') + '\n';
}
