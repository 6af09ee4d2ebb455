import { z } from 'zod';
import { duration } from './units.js';

/** Field schemas shared by every configuration file, each with the message a person should read. */

export const positiveInt = (what: string) =>
  z.number({ error: 'expected a positive integer' }).int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive integer' }).describe(what);

export const positiveNumber = (what: string) =>
  z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }).describe(what);

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` }).describe(what);

export function wholeSeconds(what: string) {
  return duration(what).refine((s) => Number.isInteger(s), { error: 'expected a whole number of seconds' });
}
