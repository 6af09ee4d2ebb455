import type { PathKey } from '../../config/paths.js';
import { MODULE_KIND } from '../../plugins/registry.js';
import { mapTracePath } from '../../scenario/files.js';
import { pluginSlots } from './plugins.js';
import { isModelFile, type Scenario } from './schema.js';

/** Whether a scenario's `pipeline.profile` names a file (else a shipped profile, such as video). */
export function isProfilePath(profile: string): boolean {
  return profile.includes('/') || profile.includes('\\') || profile.endsWith('.yaml') || profile.endsWith('.yml');
}

/** Every file path a pipeline scenario holds, mapped in place: traces, profiles and latency tables, a trained predictor, plug-in modules, testbed models. */
export function pipelinePaths(s: Scenario, map: (path: string, field: PathKey[]) => string): void {
  // A profile is a shipped name (video) or a file; only files are paths.
  if (s.pipeline.profile !== undefined && isProfilePath(s.pipeline.profile)) s.pipeline.profile = map(s.pipeline.profile, ['pipeline', 'profile']);
  const predictor = s.adaptation?.predictor as { kind: string; model?: unknown } | undefined;
  if (predictor?.kind === 'lstm' && typeof predictor.model === 'string') predictor.model = map(predictor.model, ['adaptation', 'predictor', 'model']);
  const arrivals = s.workload.arrivals;
  if (arrivals.kind === 'mix') arrivals.tenants.forEach((t, i) => mapTracePath(t.arrivals, ['workload', 'arrivals', 'tenants', i, 'arrivals'], map));
  else mapTracePath(arrivals, ['workload', 'arrivals'], map);
  s.pipeline.stages.forEach((stage, i) => {
    const at = ['pipeline', 'stages', i];
    if (stage.testbed !== undefined && isModelFile(stage.testbed.model)) stage.testbed.model = map(stage.testbed.model, [...at, 'testbed', 'model']);
    if (stage.service.profile?.path !== undefined) stage.service.profile.path = map(stage.service.profile.path, [...at, 'service', 'profile', 'path']);
    for (const [tenant, service] of Object.entries(stage.serviceByTenant ?? {})) {
      if (service.profile?.path !== undefined) service.profile.path = map(service.profile.path, [...at, 'serviceByTenant', tenant, 'profile', 'path']);
    }
  });
  for (const slot of pluginSlots(s)) {
    const value = slot.value as { kind?: unknown; path?: unknown };
    if (typeof value === 'object' && value.kind === MODULE_KIND && typeof value.path === 'string') slot.set({ ...value, path: map(value.path, [...slot.at, 'path']) });
  }
}
