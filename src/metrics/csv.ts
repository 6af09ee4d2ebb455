/** A number as a CSV cell: 12 significant digits (drops float noise such as 0.30000000000000004), empty when undefined. */
export function csvNumber(x: number): string {
  return Number.isFinite(x) ? String(+x.toPrecision(12)) : '';
}

/** A text CSV cell, quoted only when it must be. */
export function csvText(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
