/**
 * A number as a CSV cell, rounded to 1e-9 (a nanosecond, for times; halves away
 * from zero), empty
 * when undefined (NaN). Short cells without float noise such as
 * 0.30000000000000004. Formatted from integers, because converting doubles to
 * text dominated the cost of writing the per-second time series.
 */
export function csvNumber(x: number): string {
  if (Number.isInteger(x)) return '' + x;
  if (!Number.isFinite(x)) return '';
  const magnitude = x < 0 ? -x : x;
  // Beyond this, magnitude * 1e9 loses integer precision: fall back to the general conversion.
  if (magnitude >= 9e6) return String(Math.round(x * 1e9) / 1e9);
  const nanos = Math.round(magnitude * 1e9);
  const whole = Math.floor(nanos / 1e9);
  const fraction = nanos - whole * 1e9;
  const sign = x < 0 && nanos !== 0 ? '-' : '';
  if (fraction === 0) return sign + whole;
  // 1e9 + fraction prints as "1" and nine digits: the fraction zero-padded; drop its trailing zeros.
  const digits = '' + (1e9 + fraction);
  let end = 10;
  while (digits.charCodeAt(end - 1) === 48) end--;
  return sign + whole + '.' + digits.slice(1, end);
}

/** A text CSV cell, quoted only when it must be. */
export function csvText(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A number as a CSV cell with 12 significant digits, for small quantities such as prices (csvNumber keeps 1e-9 absolute). */
export function csvPrecise(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(12))) : '';
}
