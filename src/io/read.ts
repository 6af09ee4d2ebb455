import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/**
 * A whole text file, or an InputError naming the file, what it was wanted as, and why it could not
 * be read. A UTF-8 byte-order mark (which some Windows editors write) is dropped: it is not text.
 */
export function readTextFile(path: string, what: string): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (err) {
    throw new InputError(`${path}: cannot read the ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
