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

/** Split one CSV line into cells: the inverse of csvText (quoted cells may hold commas and doubled quotes). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted && ch === '"' && line[i + 1] === '"') cell += line[i++];
    else if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/** The rows of a CSV table (a header line, no line breaks inside cells) as objects keyed by column. */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const names = splitCsvLine(header);
  return lines.map((line) => Object.fromEntries(splitCsvLine(line).map((v, i) => [names[i], v])));
}
