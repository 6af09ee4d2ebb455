import { z } from 'zod';
import { defineDiscipline, KeyedQueue } from '../discipline.js';
import type { Request } from '../request.js';

/** Shortest job first: the key is the request's expected service alone on the stage's model (its tenant's, with serviceByTenant). */
export const sjfDiscipline = defineDiscipline({
  kind: 'sjf',
  description: 'shortest expected service of the request\'s model first',
  options: z.strictObject({}),
  create: (_o, context) => new KeyedQueue<Request>((r) => context.expectedService(r)),
});
