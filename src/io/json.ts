/**
 * JSON for people and the tools they pipe it to: two-space indent, and fractions to 12
 * significant digits, so sums of profile numbers print as 0.05, not 0.04999999999999999.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) && Number.isFinite(v) ? Number(v.toPrecision(12)) : v), 2) + '\n';
}
