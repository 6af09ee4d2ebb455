import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import { parseWith, readYamlFile } from '../../config/yaml.js';

/**
 * DNN services sharing one accelerator (Abacus's setting): each model's solo latency by batch
 * size, how busy it keeps the device alone, and how co-located queries slow each other down.
 * Format: profiles/abacus/README.md.
 */

const CatalogSchema = z.strictObject({
  device: z.strictObject({ name: z.string(), peakTflops: z.number().positive().describe('peak throughput, TFLOPS') }),
  defaults: z.strictObject({
    throughputTflops: z.number().positive().describe('throughput a model achieves alone, TFLOPS'),
    launch: z.number().nonnegative().describe('seconds per kernel launch'),
  }),
  models: z.record(
    z.string(),
    z.strictObject({
      gflops: z.number().positive().describe('forward-pass cost of one sample, GFLOPs'),
      kernels: z.number().int().nonnegative().describe('kernels per forward pass'),
      source: z.string().optional(),
      latency: z
        .array(z.strictObject({ batch: z.number().int().positive(), latency: z.number().positive() }))
        .min(1)
        .optional()
        .describe('measured solo latency by batch size (replaces the model; linear between sizes)'),
    }),
  ),
});

type Catalog = z.infer<typeof CatalogSchema>;

/** One DNN on the device. */
export class DnnModel {
  constructor(
    readonly name: string,
    private readonly spec: Catalog['models'][string],
    private readonly catalog: Catalog,
  ) {}

  /** Seconds one query of `batch` samples takes with the device to itself. */
  soloLatency(batch: number): number {
    const table = this.spec.latency;
    if (table !== undefined) return interpolate(table, batch);
    const d = this.catalog.defaults;
    return this.spec.kernels * d.launch + (batch * this.spec.gflops) / (d.throughputTflops * 1000);
  }

  /** The share of the device's peak throughput a query keeps busy alone (at most 1). */
  utilization(batch: number): number {
    return Math.min(1, (batch * this.spec.gflops) / this.soloLatency(batch) / (this.catalog.device.peakTflops * 1000));
  }
}

function interpolate(table: readonly { batch: number; latency: number }[], batch: number): number {
  const sorted = [...table].sort((a, b) => a.batch - b.batch);
  if (sorted.length === 1) return (sorted[0].latency * batch) / sorted[0].batch;
  let i = sorted.findIndex((p) => p.batch >= batch);
  if (i <= 0) i = i === 0 ? 1 : sorted.length - 1;
  const a = sorted[i - 1];
  const b = sorted[i];
  return a.latency + ((b.latency - a.latency) * (batch - a.batch)) / (b.batch - a.batch);
}

const SHIPPED = fileURLToPath(new URL('../../../profiles/abacus/models.yaml', import.meta.url));

export function loadDnnCatalog(file = SHIPPED): Map<string, DnnModel> {
  if (!existsSync(file)) throw new InputError(`${file}: no such model catalog`);
  const catalog = parseWith(CatalogSchema, readYamlFile(file), file);
  return new Map(Object.entries(catalog.models).map(([name, spec]) => [name, new DnnModel(name, spec, catalog)]));
}

/** A query as the interference model sees it: its model and batch. */
export interface CoRunner {
  model: DnnModel;
  batch: number;
}

/** A measured slowdown of each member of a co-located group (models in any order, repeats allowed). */
export interface MeasuredGroup {
  models: string[];
  slowdown: number[];
}

/**
 * How co-located queries slow each other. Default: a query runs 1 + alpha x (sum of its
 * co-runners' solo utilisations) times slower, so slowdown grows with how busy the others keep
 * the device (two saturating queries with alpha 1 halve each other's speed, like time sharing).
 * A measured group (same multiset of models) replaces the default for its members.
 */
export class Interference {
  private readonly table = new Map<string, Map<string, number>>();

  constructor(
    private readonly alpha = 1,
    measured: readonly MeasuredGroup[] = [],
  ) {
    for (const g of measured) {
      if (g.models.length !== g.slowdown.length) throw new InputError(`interference: a group of ${g.models.length} models needs ${g.models.length} slowdowns, got ${g.slowdown.length}`);
      const byModel = new Map<string, number>();
      g.models.forEach((m, i) => byModel.set(m, g.slowdown[i]));
      this.table.set(groupKey(g.models), byModel);
    }
  }

  /** How many times slower member `i` of `group` runs than alone. */
  slowdown(group: readonly CoRunner[], i: number): number {
    if (group.length === 1) return 1;
    const measured = this.table.get(groupKey(group.map((g) => g.model.name)))?.get(group[i].model.name);
    if (measured !== undefined) return measured;
    let others = 0;
    for (let j = 0; j < group.length; j++) if (j !== i) others += group[j].model.utilization(group[j].batch);
    return 1 + this.alpha * others;
  }
}

function groupKey(models: readonly string[]): string {
  return [...models].sort().join('+');
}
