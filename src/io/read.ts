import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/** A whole text file, or an InputError naming the file, what it was wanted as, and why it could not be read. */
export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read the ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
