import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { loadPipelineProfile, type PipelineProfile } from './pipeline-profile.js';

/** The profiles shipped with pipesim (profiles/ipa/*.yaml), found from this module's location in src/ or dist/. */
const SHIPPED_DIR = fileURLToPath(new URL('../../profiles/ipa/', import.meta.url));

export function shippedPipelines(): string[] {
  if (!existsSync(SHIPPED_DIR)) return [];
  return readdirSync(SHIPPED_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** A pipeline profile by shipped name (`video`, `audio-qa`, ...) or by the path of a profile YAML file. */
export function resolvePipelineProfile(nameOrPath: string): PipelineProfile {
  if (nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml')) {
    if (!existsSync(nameOrPath)) throw new InputError(`${nameOrPath}: no such profile file`);
    return loadPipelineProfile(nameOrPath);
  }
  const shipped = `${SHIPPED_DIR}${nameOrPath}.yaml`;
  if (/^[\w-]+$/.test(nameOrPath) && existsSync(shipped)) return loadPipelineProfile(shipped);
  throw new InputError(`unknown pipeline "${nameOrPath}": give a profile YAML file or one of ${shippedPipelines().join(', ') || '(none shipped)'}`);
}
