import { z } from 'zod';
import { defineDiscipline } from '../discipline.js';
import { Fifo } from '../fifo.js';
import type { Request } from '../request.js';

/**
 * First come, first served: a ring buffer, O(1) per operation. A stage recognises this
 * definition and keeps its own ring of request slots instead (no Request objects); `create` is
 * what a caller outside a stage gets.
 */
export const fcfsDiscipline = defineDiscipline({
  kind: 'fcfs',
  description: 'in order of joining the queue',
  options: z.strictObject({}),
  fifo: true,
  create: () => new Fifo<Request>(),
});
