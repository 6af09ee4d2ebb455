import { describe, expect, it } from 'vitest';
import { planIpa, type FeasiblePlan, type PlanOptions } from '../../../src/adapters/ipa/optimizer.js';
import { resolvePipelineProfile, shippedPipelines } from '../../../src/profiles/catalog.js';

describe('shipped IPA profiles', () => {
  it('all five pipelines load, with IPA\'s stages, settings and provenance labels', () => {
    expect(shippedPipelines()).toEqual(['audio-qa', 'audio-sent', 'nlp', 'sum-qa', 'video']);
    const stages = Object.fromEntries(shippedPipelines().map((p) => [p, resolvePipelineProfile(p).stages.map((s) => `${s.name}:${s.variants.length}`)]));
    expect(stages).toEqual({
      video: ['crop:5', 'classification:5'],
      'audio-qa': ['audio:3', 'nlp-qa:2'],
      'audio-sent': ['audio:3', 'nlp-sent:4'],
      'sum-qa': ['nlp-sum:6', 'nlp-qa:2'],
      nlp: ['nlp-li:1', 'nlp-trans:2', 'nlp-sum:6'],
    });
    const video = resolvePipelineProfile('video');
    expect(video.defaults).toEqual({ alpha: 2, beta: 1, gamma: 1e-6, batchCap: 8, replicaCap: 100, accuracyMethod: 'sum', normalize: 'rank' });
    expect(video.dropLimit).toBe(10);
    expect(video.stages[0].variants.map((v) => [v.name, v.accuracy])).toEqual([
      ['yolov5n', 45.7], ['yolov5s', 56.8], ['yolov5m', 64.1], ['yolov5l', 67.3], ['yolov5x', 68.9],
    ]);
    for (const name of shippedPipelines()) {
      for (const stage of resolvePipelineProfile(name).stages) {
        for (const v of stage.variants) {
          expect(v.batches.map((b) => b.size)).toEqual([1, 2, 4, 8, 16, 32, 64]);
          // Latency grows with batch size; throughput does not fall from batch 1 to 8.
          for (let i = 1; i < v.batches.length; i++) expect(v.batches[i].latency).toBeGreaterThan(v.batches[i - 1].latency);
          expect(v.batches[3].throughput).toBeGreaterThanOrEqual(v.batches[0].throughput);
        }
      }
    }
  });

  it("IPA's plans on the video pipeline move as in IPA's Figure 8", () => {
    const profile = resolvePipelineProfile('video');
    const plan = (rate: number, mode: PlanOptions['mode'], locked?: PlanOptions['locked']) =>
      planIpa(profile, { ...profile.defaults!, rate, sla: profile.sla, mode, locked }) as FeasiblePlan;
    const light = [{ variant: 'yolov5n', replicas: 1 }, { variant: 'resnet18', replicas: 1 }];
    const rim = [{ variant: 'yolov5n', replicas: 3 }, { variant: 'resnet18', replicas: 3 }];
    const loads = [5, 10, 20, 30];
    const ipa = loads.map((r) => plan(r, 'ipa'));
    const fa2Low = loads.map((r) => plan(r, 'scale', light));
    const rimPlans = loads.map((r) => plan(r, 'switch', rim));
    for (const p of [...ipa, ...fa2Low, ...rimPlans]) expect(p.feasible).toBe(true);
    // Low load: IPA buys accuracy at about FA2-low's cost.
    expect(ipa[0].accuracy).toBeGreaterThan(fa2Low[0].accuracy);
    expect(ipa[0].cost).toBeLessThanOrEqual(fa2Low[0].cost + 1);
    // High load: IPA falls back to the light variants.
    expect(ipa[3].stages.map((s) => s.variant)).toEqual(['yolov5n', 'resnet18']);
    // IPA is never less accurate than FA2-low, and RIM's cost is flat.
    ipa.forEach((p, i) => expect(p.accuracy).toBeGreaterThanOrEqual(fa2Low[i].accuracy));
    expect(new Set(rimPlans.map((p) => p.cost)).size).toBe(1);
  });
});
