import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planIpa } from '../../../src/adapters/ipa/optimizer.js';
import { ipaSettings } from '../../../src/adapters/ipa/adapters.js';
import { baseAllocation } from '../../../src/profiles/allocation.js';
import { resolvePipelineProfile } from '../../../src/profiles/catalog.js';
import { formatProfileCsv, loadPipelineProfile, readProfileCsv, withAllocation, type PipelineProfile } from '../../../src/profiles/pipeline-profile.js';
import { tempDir } from '../../helpers.js';

/** One allocation: per batch size, (p99 latency, throughput). */
const at = (cores: number, ...batches: [number, number][]) => ({ cores, batches: batches.map(([latency, throughput]) => ({ latency, throughput })) });

/**
 * A stage of three variants at 1, 2 and 4 cores, threshold 4 requests/s, stage SLA 1 s. Counts of
 * batch sizes meeting both (1, 2, 4 cores): light 0, 2, 2; middle 0, 1, 2; heavy 0, 0, 1.
 */
const light = { name: 'light', accuracy: 10, allocations: [at(1, [0.2, 3], [0.5, 3.5]), at(2, [0.1, 6], [0.3, 7]), at(4, [0.05, 12], [0.1, 20])] };
const middle = { name: 'middle', accuracy: 20, allocations: [at(1, [0.8, 1], [1.6, 1.2]), at(2, [0.4, 5], [1.2, 6]), at(4, [0.2, 9], [0.6, 10])] };
const heavy = { name: 'heavy', accuracy: 30, allocations: [at(1, [3, 0.3], [5, 0.4]), at(2, [1.5, 0.7], [2.5, 0.8]), at(4, [0.7, 4.5], [1.3, 5])] };

describe("IPA's base allocation", () => {
  it('walks the variants by accuracy: the lightest at the smallest size that counts, a heavier one up a size when that size counts more batches', () => {
    // light: 1 core counts nothing -> 2 cores. middle: 2 cores counts 1 batch size, 4 cores 2 -> 4
    // (the smallest size reaching the threshold would say 2). heavy: starts at 4.
    expect(baseAllocation([light, middle, heavy], 4, 1)).toEqual([2, 4, 4]);
    // Given in any order, the walk is by accuracy.
    expect(baseAllocation([heavy, light, middle], 4, 1)).toEqual([4, 2, 4]);
    // A looser SLA counts more batch sizes: middle's 2nd batch fits at 2 cores, so it stays there.
    expect(baseAllocation([light, middle], 4, 1.5)).toEqual([2, 2]);
    // Sizes never fall with accuracy, even when a heavier variant would fit in fewer cores.
    const cheapHeavy = { ...heavy, allocations: [at(1, [0.1, 50], [0.2, 60]), at(2, [0.1, 50], [0.2, 60]), at(4, [0.1, 50], [0.2, 60])] };
    expect(baseAllocation([light, middle, cheapHeavy], 4, 1)).toEqual([2, 4, 4]);
  });

  it('refuses a variant no size can serve, and variants profiled at different sizes', () => {
    const hopeless = { ...heavy, allocations: heavy.allocations.map((a) => ({ ...a, batches: a.batches.map((b) => ({ ...b, throughput: 1 })) })) };
    expect(() => baseAllocation([light, middle, hopeless], 4, 1)).toThrow(/no allocation of heavy from 4 cores up has a batch size reaching 4 requests\/s within the stage SLA of 1 s/);
    expect(() => baseAllocation([light, { ...middle, allocations: middle.allocations.slice(1) }], 4, 1)).toThrow(/variant middle is profiled at 2, 4 cores, light at 1, 2, 4/);
  });

  it('a profile file with allocations loads at its base allocation; fixed picks one size; the CSV form round-trips', () => {
    const dir = tempDir();
    const batches = (a: ReturnType<typeof at>) => a.batches.map((b, i) => ({ size: i + 1, latency: b.latency, latencyMean: b.latency / 1.4, throughput: b.throughput, source: 'measured' }));
    const variant = (v: typeof light) => ({ name: v.name, accuracy: v.accuracy, allocations: v.allocations.map((a) => ({ cores: a.cores, batches: batches(a) })) });
    const file = join(dir, 'p.yaml');
    writeFileSync(file, JSON.stringify({ pipeline: 'hand', sla: 2, allocation: { rule: 'base', threshold: 4 }, stages: [{ name: 's', sla: 1, variants: [light, middle, heavy].map(variant) }] }));
    const profile = loadPipelineProfile(file);
    expect(profile.stages[0].variants.map((v) => v.cores)).toEqual([2, 4, 4]);
    expect(profile.stages[0].variants[1].batches.map((b) => b.throughput)).toEqual([9, 10]);
    const fixed = withAllocation(profile, { rule: 'fixed', cores: 1 });
    expect(fixed.stages[0].variants.map((v) => v.cores)).toEqual([1, 1, 1]);
    expect(fixed.stages[0].variants[2].batches.map((b) => b.latency)).toEqual([3, 5]);
    expect(() => withAllocation(profile, { rule: 'fixed', cores: 3 })).toThrow(/s\/light: not profiled at 3 cores \(has 1, 2, 4\)/);
    // Without an allocation setting, or without the stage SLA the base rule reads, it says what is missing.
    writeFileSync(file, JSON.stringify({ pipeline: 'hand', sla: 2, stages: [{ name: 's', sla: 1, variants: [variant(light)] }] }));
    expect(() => loadPipelineProfile(file)).toThrow(/need the profile's allocation setting/);
    writeFileSync(file, JSON.stringify({ pipeline: 'hand', sla: 2, allocation: { rule: 'base', threshold: 4 }, stages: [{ name: 's', variants: [variant(light)] }] }));
    expect(() => loadPipelineProfile(file)).toThrow(/stage s: the base allocation needs the stage's sla/);

    const csv = join(dir, 'p.csv');
    writeFileSync(csv, formatProfileCsv(profile.stages));
    expect(readProfileCsv(csv)).toEqual(profile.stages.map((s) => ({ name: s.name, variants: s.variants.map(({ name, accuracy, allocations }) => ({ name, accuracy, allocations })) })));
    expect(readFileSync(csv, 'utf8').split('\n')).toHaveLength(1 + 3 * 3 * 2 + 1);
  });
});

describe("the shipped IPA profiles under IPA's SLA", () => {
  it("the SLA binds through the base allocation: FA2-high's video plan costs 9 cores at 5 requests/s (IPA's Figure 8: 8), 3 under the old rule's 2.5x looser SLA", () => {
    const video = resolvePipelineProfile('video');
    expect(video.sla).toBe(6.89);
    // The stage SLAs split IPA's SLA as IPA's rule splits its own.
    expect(video.stages.reduce((s, st) => s + (st.sla as number), 0)).toBeCloseTo(6.89, 2);
    const fa2High = (p: PipelineProfile) => {
      const plan = planIpa(p, { ...ipaSettings(p, {}), rate: 5, mode: 'scale', locked: [{ variant: 'yolov5s', replicas: 1 }, { variant: 'resnet101', replicas: 1 }] });
      if (!plan.feasible) throw new Error(plan.reason);
      return plan.cost;
    };
    expect(fa2High(video)).toBe(9); // yolov5s at 1 core + resnet101 at 8
    const loose = { ...video, stages: video.stages.map((st) => ({ ...st, sla: (st.sla as number) * (17.39 / 6.89) })) };
    const looseAllocated = withAllocation(loose, { rule: 'base', threshold: 4 });
    // More batch sizes fit at every size, so fewer moves up pay: resnet101 gets 2 cores, not 8.
    expect(video.stages[1].variants.map((v) => v.cores)).toEqual([1, 2, 4, 8, 8]);
    expect(looseAllocated.stages[1].variants.map((v) => v.cores)).toEqual([1, 2, 2, 2, 4]);
    expect(fa2High(looseAllocated)).toBe(3);
  });
});
