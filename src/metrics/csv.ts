/**
 * A number as a CSV cell, rounded to 1e-9 (a nanosecond, for times; halves away
 * from zero), empty
 * when undefined (NaN). Short cells without float noise such as
 * 0.30000000000000004. Formatted from integers, because converting doubles to
 * text dominated the cost of writing the per-second time series.
 */
export function csvNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  if (!Number.isFinite(x)) return '';
  const magnitude = Math.abs(x);
  // Beyond this, magnitude * 1e9 loses integer precision: fall back to the general conversion.
  if (magnitude >= 9e6) return String(Math.round(x * 1e9) / 1e9);
  const nanos = Math.round(magnitude * 1e9);
  const whole = Math.floor(nanos / 1e9);
  let fraction = nanos - whole * 1e9;
  const sign = x < 0 && nanos !== 0 ? '-' : '';
  if (fraction === 0) return sign + whole;
  let digits = 9;
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits--;
  }
  return `${sign}${whole}.${String(fraction).padStart(digits, '0')}`;
}

/** A text CSV cell, quoted only when it must be. */
export function csvText(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
