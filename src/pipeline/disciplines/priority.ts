import { z } from 'zod';
import { defineDiscipline, KeyedQueue } from '../discipline.js';
import type { Request } from '../request.js';

/** Strict priority classes, non-preemptive: class 0 before 1, first come first served within a class. */
export const priorityDiscipline = defineDiscipline({
  kind: 'priority',
  description: 'lowest priority class first (0 before 1)',
  options: z.strictObject({}),
  create: () => new KeyedQueue<Request>((r) => r.priority),
});
