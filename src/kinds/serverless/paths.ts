import type { PathKey } from '../../config/paths.js';
import { mapTracePath } from '../../scenario/files.js';
import type { ServerlessScenario } from './schema.js';

/** Every file path a serverless scenario holds, mapped in place: the function catalog and trace arrivals. */
export function serverlessPaths(s: ServerlessScenario, map: (path: string, field: PathKey[]) => string): void {
  if (s.serverless.catalog !== undefined) s.serverless.catalog = map(s.serverless.catalog, ['serverless', 'catalog']);
  s.serverless.apps.forEach((app, i) => mapTracePath(app.arrivals, ['serverless', 'apps', i, 'arrivals'], map));
}
