import { z } from 'zod';

/**
 * Durations in scenarios: a number of seconds, or a string with a unit:
 * `us`, `ms`, `s`, `m` (minutes), `h`, `d`; e.g. "250ms", "1.5s", "2m", "2h".
 */
export const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?\s*(us|ms|s|m|min|h|d)\s*$/i;

const UNIT_SECONDS: Record<string, number> = {
  us: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86_400,
};

/** Seconds in a duration, or NaN when `value` is not one. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value >= 0 ? value : NaN;
  const match = DURATION_PATTERN.exec(value);
  if (match === null) return NaN;
  const number = Number(value.trim().slice(0, value.trim().length - match[2].length));
  return number * UNIT_SECONDS[match[2].toLowerCase()];
}

/** A short human form of a duration in seconds (for messages and progress). */
export function formatDuration(seconds: number): string {
  if (seconds < 1e-3) return `${+(seconds * 1e6).toPrecision(3)}us`;
  if (seconds < 1) return `${+(seconds * 1e3).toPrecision(3)}ms`;
  if (seconds < 120) return `${+seconds.toPrecision(3)}s`;
  if (seconds < 7200) return `${+(seconds / 60).toPrecision(3)}m`;
  return `${+(seconds / 3600).toPrecision(3)}h`;
}

/** Scenario schemas for durations: a number of seconds or a string with a unit, read as seconds. */
const DURATION_HINT = 'a duration such as 250ms, 10s, 2m or 1h, or a number of seconds';

export function duration(what: string) {
  return z
    .union(
      [
        z.number({ error: `expected ${DURATION_HINT}` }).nonnegative({ error: 'expected a duration >= 0' }),
        z.string({ error: `expected ${DURATION_HINT}` }).regex(DURATION_PATTERN, { error: `expected ${DURATION_HINT}` }),
      ],
      { error: `expected ${DURATION_HINT}` },
    )
    .transform((v) => parseDuration(v))
    .describe(what);
}

export function positiveDuration(what: string) {
  return duration(what).refine((s) => s > 0, { error: 'expected a duration greater than zero' });
}
