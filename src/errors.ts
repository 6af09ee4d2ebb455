/**
 * An error caused by what the user gave (a file, a flag, a value), as opposed to a bug.
 * The CLI prints its message alone and exits with code 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}
