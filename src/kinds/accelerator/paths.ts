import type { PathKey } from '../../config/paths.js';
import { mapTracePath } from '../../scenario/files.js';
import type { AcceleratorScenario } from './schema.js';

/** Every file path an accelerator scenario holds, mapped in place: the model catalog and trace arrivals. */
export function acceleratorPaths(s: AcceleratorScenario, map: (path: string, field: PathKey[]) => string): void {
  if (s.accelerator.catalog !== undefined) s.accelerator.catalog = map(s.accelerator.catalog, ['accelerator', 'catalog']);
  s.accelerator.services.forEach((svc, i) => mapTracePath(svc.arrivals, ['accelerator', 'services', i, 'arrivals'], map));
}
