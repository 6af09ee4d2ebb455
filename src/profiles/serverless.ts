import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseWith, readYamlFile } from '../config/yaml.js';

/**
 * Serverless inference functions as HarmonyBatch models them: a CPU function (vCPU, memory,
 * batch size) whose latency is an exponential fit in vCPU per batch size, and a GPU function
 * (a share of a time-sliced GPU's memory, vCPU in proportion, batch size) whose latency follows
 * from the batch latency on the whole device. Each has an average and a tail (maximum) model.
 * Billing: per vCPU-second, per GB-second of memory, per GB-second of GPU memory and per
 * invocation, a GPU function's duration rounded up to whole seconds. Format and formulas:
 * profiles/serverless/README.md.
 */

const Fit = z.tuple([z.number(), z.number().positive(), z.number()]).describe('[alpha, beta, gamma]: latency = alpha * exp(-vcpu / beta) + gamma');

const ModelSchema = z.strictObject({
  cpu: z.strictObject({
    average: z.array(Fit).min(1).describe('one fit per batch size, from 1'),
    tail: z.array(Fit).min(1),
    memoryMb: z.strictObject({ perBatch: z.number().nonnegative(), base: z.number().positive() }),
  }),
  gpu: z.strictObject({
    perItem: z.number().describe('batch latency on the whole device: perItem * batch + fixed'),
    fixed: z.number(),
    timeSlice: z.number().positive(),
    deviceMemGb: z.number().int().positive(),
    gpuShare: z.number().min(0).max(1).describe('share of the latency that runs on the GPU'),
    cpuShare: z.number().min(0).max(1).describe('share that runs on the function\'s CPU'),
    hostMemoryMb: z.number().positive(),
    minMemBreakpoints: z.array(z.number()).describe('minimum GPU memory for batch b: i + 1 GB for the first i with b <= breakpoint i, else count + 1'),
  }),
});

const CatalogSchema = z.strictObject({
  pricing: z.strictObject({
    vcpuSecond: z.number().nonnegative(),
    memGbSecond: z.number().nonnegative(),
    gpuMemGbSecond: z.number().nonnegative(),
    invocation: z.number().nonnegative(),
    gpuWholeSeconds: z.boolean(),
  }),
  limits: z.strictObject({
    cpu: z.strictObject({
      vcpuMin: z.number().positive(),
      vcpuMax: z.number().positive(),
      vcpuStep: z.number().positive(),
      batchMax: z.number().int().positive(),
      memStepMb: z.number().int().positive(),
      memPerVcpuGbMin: z.number().positive(),
      memPerVcpuGbMax: z.number().positive(),
    }),
    gpu: z.strictObject({
      memGbMin: z.number().int().positive(),
      memGbMax: z.number().int().positive(),
      batchMax: z.number().int().positive(),
      vcpuPerMemGb: z.number().positive(),
      memStepMb: z.number().int().positive(),
      memPerVcpuGbMax: z.number().positive(),
      tailOverhead: z.number().min(1),
    }),
  }),
  models: z.record(z.string(), ModelSchema),
});

export type ServerlessCatalog = z.infer<typeof CatalogSchema>;
export type ServerlessModelSpec = z.infer<typeof ModelSchema>;
export type LatencyKind = 'average' | 'tail';

/** A CPU function: vCPU and memory (GB). */
export interface CpuFunction {
  kind: 'cpu';
  vcpu: number;
  memGb: number;
}

/** A GPU function: GPU memory (GB), with vCPU and host memory (GB) that follow from it. */
export interface GpuFunction {
  kind: 'gpu';
  gpuMemGb: number;
  vcpu: number;
  memGb: number;
}

export type FunctionInstance = CpuFunction | GpuFunction;

/** Round MB up to a multiple of `step`, after truncating to whole MB (as the reference does). */
function roundUpMb(mb: number, step: number): number {
  const whole = Math.trunc(mb);
  return whole % step === 0 ? whole : (Math.floor(whole / step) + 1) * step;
}

/** One model's functions, with the catalog's prices and limits. */
export class ServerlessModel {
  constructor(
    readonly name: string,
    readonly spec: ServerlessModelSpec,
    readonly pricing: ServerlessCatalog['pricing'],
    readonly limits: ServerlessCatalog['limits'],
  ) {}

  get cpuBatchMax(): number {
    return Math.min(this.limits.cpu.batchMax, this.spec.cpu.average.length, this.spec.cpu.tail.length);
  }

  /** CPU function latency of a batch: alpha * exp(-vcpu / beta) + gamma. */
  cpuLatency(vcpu: number, batch: number, kind: LatencyKind): number {
    const [alpha, beta, gamma] = this.spec.cpu[kind][batch - 1];
    return alpha * Math.exp(-vcpu / beta) + gamma;
  }

  /**
   * GPU function latency of a batch with `memGb` of the device's memory (time slicing):
   * average (G / m) * Lg + Lc / c, tail s * (Lg + (G - m) * n * t) + Lc / c with
   * n = ceil(Lg / (m * t)), where L0 = perItem * b + fixed, Lg and Lc its GPU and CPU shares,
   * c = min(vcpu, 1), and s the tail overhead (1 when the function has the whole device).
   */
  gpuLatency(memGb: number, batch: number, kind: LatencyKind, vcpu = memGb * this.limits.gpu.vcpuPerMemGb): number {
    const g = this.spec.gpu;
    const whole = g.perItem * batch + g.fixed;
    const onGpu = whole * g.gpuShare;
    const onCpu = whole * g.cpuShare;
    const cpu = Math.min(vcpu, 1);
    if (kind === 'average') return (g.deviceMemGb / memGb) * onGpu + onCpu / cpu;
    const slices = Math.ceil(onGpu / (memGb * g.timeSlice));
    const overhead = memGb === g.deviceMemGb ? 1 : this.limits.gpu.tailOverhead;
    return (onGpu + (g.deviceMemGb - memGb) * slices * g.timeSlice) * overhead + onCpu / cpu;
  }

  latency(f: FunctionInstance, batch: number, kind: LatencyKind): number {
    return f.kind === 'cpu' ? this.cpuLatency(f.vcpu, batch, kind) : this.gpuLatency(f.gpuMemGb, batch, kind, f.vcpu);
  }

  /** Memory a CPU function needs for a batch, MB, rounded up to the memory step. */
  cpuMemoryNeedMb(batch: number): number {
    const m = this.spec.cpu.memoryMb;
    return roundUpMb(m.perBatch * batch + m.base, this.limits.cpu.memStepMb);
  }

  /** The fewest vCPU whose memory cap (memPerVcpuGbMax per vCPU) holds a batch. */
  minCpuVcpu(batch: number): number {
    return this.cpuMemoryNeedMb(batch) / this.limits.cpu.memPerVcpuGbMax / 1024;
  }

  /**
   * A CPU function with `vcpu` for batches up to `batch`, or undefined when its memory cannot fit:
   * memory is the need, raised to memPerVcpuGbMin per vCPU, rounded up to the memory step.
   */
  cpuFunction(vcpu: number, batch: number): CpuFunction | undefined {
    const l = this.limits.cpu;
    let memGb = this.cpuMemoryNeedMb(batch) / 1024;
    if (l.memPerVcpuGbMax * vcpu < memGb) return undefined;
    if (vcpu * l.memPerVcpuGbMin > memGb) memGb = vcpu * l.memPerVcpuGbMin;
    return { kind: 'cpu', vcpu, memGb: roundUpMb(memGb * 1024, l.memStepMb) / 1024 };
  }

  /** A GPU function with `gpuMemGb` of device memory, or undefined when its host memory exceeds the cap of its vCPU. */
  gpuFunction(gpuMemGb: number): GpuFunction | undefined {
    const l = this.limits.gpu;
    const vcpu = gpuMemGb * l.vcpuPerMemGb;
    const memGb = roundUpMb(this.spec.gpu.hostMemoryMb, l.memStepMb) / 1024;
    if (memGb > vcpu * l.memPerVcpuGbMax) return undefined;
    return { kind: 'gpu', gpuMemGb, vcpu, memGb };
  }

  /** The least GPU memory (GB) a batch needs. */
  minGpuMemGb(batch: number): number {
    const bp = this.spec.gpu.minMemBreakpoints;
    const i = bp.findIndex((limit) => batch <= limit);
    return i < 0 ? bp.length + 1 : i + 1;
  }

  /** Price of one invocation that serves `batch` requests in `duration` seconds, per request. */
  costPerRequest(f: FunctionInstance, duration: number, batch: number): number {
    return this.invocationCost(f, duration) / batch;
  }

  /** Price of one invocation lasting `duration` seconds (GPU: billed in whole seconds). */
  invocationCost(f: FunctionInstance, duration: number): number {
    const p = this.pricing;
    const gpu = f.kind === 'gpu' ? f.gpuMemGb : 0;
    const billed = f.kind === 'gpu' && p.gpuWholeSeconds ? Math.ceil(duration) : duration;
    return p.invocation + (f.vcpu * p.vcpuSecond + f.memGb * p.memGbSecond + gpu * p.gpuMemGbSecond) * billed;
  }
}

const SHIPPED = fileURLToPath(new URL('../../profiles/serverless/harmonybatch.yaml', import.meta.url));

export function parseServerlessCatalog(data: unknown, source: string): ServerlessCatalog {
  return parseWith(CatalogSchema, data, source);
}

/** A model of the shipped catalog (HarmonyBatch's VGG19, Bert, GPT-2, VideoMAE) or of a catalog file. */
export function loadServerlessModel(name: string, file = SHIPPED): ServerlessModel {
  if (!existsSync(file)) throw new InputError(`${file}: no such serverless model catalog`);
  const catalog = parseServerlessCatalog(readYamlFile(file), file);
  const spec = catalog.models[name];
  if (spec === undefined) throw new InputError(`unknown model "${name}" (the catalog has ${Object.keys(catalog.models).join(', ')})`);
  return new ServerlessModel(name, spec, catalog.pricing, catalog.limits);
}
