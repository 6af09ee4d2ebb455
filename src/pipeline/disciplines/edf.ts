import { z } from 'zod';
import { defineDiscipline, KeyedQueue } from '../discipline.js';
import type { Request } from '../request.js';

/** Earliest deadline first: the key is arrival + SLO. */
export const edfDiscipline = defineDiscipline({
  kind: 'edf',
  description: 'earliest deadline (arrival + SLO) first',
  options: z.strictObject({}),
  create: () => new KeyedQueue<Request>((r) => r.deadline),
});
