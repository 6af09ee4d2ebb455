import { z } from 'zod';
import { defineAdapter } from './adapter.js';

/** Never changes anything: the baseline every other policy is compared with. */
export const staticAdapter = defineAdapter({
  kind: 'static',
  description: 'keep the initial configuration for the whole run',
  options: z.strictObject({}),
  needsProfile: false,
  decide: (input) => ({ configuration: input.current, note: '' }),
});
