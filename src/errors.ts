/**
 * An error caused by what the user gave (a file, a flag, a value), as opposed to a bug.
 * The CLI prints its message alone and exits with code 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/**
 * A run stopped because a queue grew past its bound (pipeline.maxWaiting): the load is more than
 * the pipeline serves. An input error to the CLI; a load search (peak) counts it as a failed probe.
 */
export class OverloadError extends InputError {
  constructor(
    message: string,
    /** Arrivals per second of simulated time until the run was stopped (warm-up included; NaN if no time had passed). */
    readonly arrivalRate: number,
  ) {
    super(message);
  }
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

