import { InputError } from '../../errors.js';
import type { RandomStream, RandomStreams } from '../../engine/random.js';
import { affineLatency, lognormalCvForP99, ServiceTime, tableLatency } from '../../pipeline/service.js';
import type { ReplicaModel } from '../../pipeline/replica.js';
import { LatencyTable } from '../../profiles/latency-table.js';
import { readLatencyPointsCsv } from '../../profiles/load.js';
import { resolvePipelineProfile } from '../../profiles/catalog.js';
import { withAllocation, type PipelineProfile, type StageProfile } from '../../profiles/pipeline-profile.js';
import { DEFAULT_LOAD_TIME, type Scenario, type StageSpec } from './schema.js';

/**
 * The models one stage's replicas can run, built on first use and shared, so that replicas of
 * the same variant hold the same ReplicaModel. Every variant of a stage draws its service
 * times from the stage's one stream, so switching variants never shifts another stage's draws.
 */
export class StageModels {
  private readonly built = new Map<string, ReplicaModel>();

  constructor(
    private readonly spec: StageSpec,
    private readonly pipeline: Scenario['pipeline'],
    private readonly profile: StageProfile | undefined,
    private readonly streams: RandomStreams,
    /** Latency tables built so far, for their extrapolation warnings. */
    private readonly tables: LatencyTable[],
    /** The workload's tenant names, for `serviceByTenant`. */
    private readonly tenantNames: readonly string[] = ['default'],
  ) {}

  /** The model for `variant` (undefined: the stage's only model, when it has no profile). */
  get(variant: string | undefined): ReplicaModel {
    const key = variant ?? '';
    let model = this.built.get(key);
    if (model === undefined) {
      model = this.build(variant);
      this.built.set(key, model);
    }
    return model;
  }

  /** A service time from a mean or a latency table (no profile). */
  private plainService(s: StageSpec['service'], what: string, stream: RandomStream): ServiceTime {
    let meanLatency;
    if (s.profile !== undefined) {
      const table = new LatencyTable(s.profile.points ?? readLatencyPointsCsv(s.profile.path as string), `stage ${what} profile`);
      this.tables.push(table);
      meanLatency = tableLatency(table);
    } else {
      meanLatency = affineLatency(s.mean as number, s.perItem);
    }
    return new ServiceTime(meanLatency, s.dist, s.cv ?? 0, stream);
  }

  private build(variant: string | undefined): ReplicaModel {
    const name = this.spec.name as string;
    const s = this.spec.service;
    const stream = this.streams.stream(`service:${name}`);
    if (this.profile === undefined) {
      if (variant !== undefined && variant !== this.spec.variant) {
        throw new InputError(`stage ${name} has no profile, so it cannot switch to variant ${variant}`);
      }
      const byTenant = this.spec.serviceByTenant;
      let tenantServices: ServiceTime[] | undefined;
      if (byTenant !== undefined) {
        for (const tenant of Object.keys(byTenant)) {
          if (!this.tenantNames.includes(tenant)) {
            throw new InputError(`stage ${name}: serviceByTenant names tenant "${tenant}", but the workload's tenants are ${this.tenantNames.join(', ')}`);
          }
        }
        tenantServices = this.tenantNames.map((t) => (byTenant[t] === undefined ? undefined : this.plainService(byTenant[t], `${name} tenant ${t}`, stream))) as ServiceTime[];
      }
      return {
        variant: this.spec.variant ?? '',
        cores: this.spec.cores,
        loadTime: this.pipeline.loadTime ?? DEFAULT_LOAD_TIME,
        service: this.plainService(s, name, stream),
        ...(tenantServices ? { tenantServices } : {}),
      };
    }
    const v = this.profile.variants.find((x) => x.name === variant);
    if (v === undefined) {
      throw new InputError(`stage ${name}: no variant "${variant}" in the profile (has ${this.profile.variants.map((x) => x.name).join(', ')})`);
    }
    const table = (column: 'latency' | 'latencyMean', what: string) => {
      const t = new LatencyTable(
        v.batches.map((b) => ({ batch: b.size, cores: v.cores, latency: b[column] })),
        `stage ${name} variant ${v.name} ${what}`,
      );
      this.tables.push(t);
      return t;
    };
    let service: ServiceTime;
    if (this.pipeline.latency === 'mean-p99') {
      // A lognormal per batch size with the profiled mean and p99 (interpolated between sizes).
      const mean = table('latencyMean', 'mean latency');
      const p99 = table('latency', 'p99 latency');
      service = new ServiceTime(tableLatency(mean), 'lognormal', (b, c) => lognormalCvForP99(p99.latency(b, c) / mean.latency(b, c)), stream);
    } else {
      service = new ServiceTime(tableLatency(table(this.pipeline.latency === 'mean' ? 'latencyMean' : 'latency', this.pipeline.latency)), s.dist, s.cv ?? 0, stream);
    }
    return { variant: v.name, cores: v.cores, loadTime: this.pipeline.loadTime ?? v.loadTime ?? DEFAULT_LOAD_TIME, service };
  }
}

/** The scenario's pipeline profile, if it names one, with its replica sizes chosen by the scenario's allocation setting where it gives one. */
export function scenarioProfile(scenario: Scenario): PipelineProfile | undefined {
  const { profile, allocation } = scenario.pipeline;
  if (profile === undefined) return undefined;
  const resolved = resolvePipelineProfile(profile);
  return allocation === undefined ? resolved : withAllocation(resolved, allocation, profile);
}

/** Check that the scenario's stages are the profile's, in order, and return the stage profiles. */
export function matchProfileStages(scenario: Scenario, profile: PipelineProfile): StageProfile[] {
  const stages = scenario.pipeline.stages;
  const names = profile.stages.map((s) => s.name);
  if (stages.length !== names.length || stages.some((s, i) => s.name !== names[i])) {
    throw new InputError(
      `pipeline.stages must be the stages of profile ${profile.pipeline} in order (${names.join(', ')}), got ${stages.map((s) => s.name).join(', ')}`,
    );
  }
  return profile.stages;
}
