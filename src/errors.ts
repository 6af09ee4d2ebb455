/**
 * An error caused by what the user gave (a file, a flag, a value), as opposed to a bug.
 * The CLI prints its message alone and exits with code 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Work that ended without a bug but not in success (some sweep runs failed; interrupted): the CLI prints the message and exits with `code`. */
export class ExitStatus extends Error {
  override readonly name = 'ExitStatus';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

