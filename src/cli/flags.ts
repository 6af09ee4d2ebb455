import { InputError } from '../errors.js';

/**
 * A seed typed on the command line. Seed flags are read as text, not as yargs numbers, so that a
 * mistake is reported as typed ("got abc", not "got NaN").
 */
export function seedFlag(text: string, flag: string): number {
  if (Array.isArray(text)) throw new InputError(`${flag}: give it once`);
  if (text.trim() === '') throw new InputError(`${flag}: expected a non-negative integer after it`);
  if (!/^\s*\d+\s*$/.test(text)) throw new InputError(`${flag}: expected a non-negative integer, got ${text}`);
  return Number(text);
}
