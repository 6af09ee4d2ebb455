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

/**
 * CSV rows encoded straight into bytes, cell by cell, with the same text as csvNumber and
 * csvText. For the long per-interval tables: building a string per row, then joining and
 * encoding them, was most of the cost of writing a long run's time series.
 */
export class CsvRowEncoder {
  private readonly bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private rowStart = true;

  /** `sink` receives the encoded bytes in order (a view it must use before returning). */
  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  /** A number cell, as csvNumber writes it. */
  number(x: number): this {
    this.separate(32);
    if (!Number.isFinite(x)) return this;
    const magnitude = x < 0 ? -x : x;
    if (Number.isInteger(x)) {
      if (magnitude >= 1e15) return this.ascii('' + x);
      if (x < 0) this.bytes[this.used++] = 45;
      this.digits(magnitude);
      return this;
    }
    if (magnitude >= 9e6) return this.ascii(String(Math.round(x * 1e9) / 1e9));
    const nanos = Math.round(magnitude * 1e9);
    const whole = Math.floor(nanos / 1e9);
    let fraction = nanos - whole * 1e9;
    if (x < 0 && nanos !== 0) this.bytes[this.used++] = 45;
    this.digits(whole);
    if (fraction === 0) return this;
    let width = 9;
    while (fraction % 10 === 0) {
      fraction /= 10;
      width--;
    }
    this.bytes[this.used++] = 46;
    for (let i = this.used + width - 1; i >= this.used; i--) {
      const rest = Math.floor(fraction / 10);
      this.bytes[i] = 48 + fraction - rest * 10;
      fraction = rest;
    }
    this.used += width;
    return this;
  }

  /** A text cell, as csvText writes it. */
  text(s: string): this {
    const cell = csvText(s);
    this.separate(3 * cell.length);
    // Room for the cell and the row's newline after it.
    if (this.used + 3 * cell.length > this.bytes.length - 1) {
      // Longer than the buffer: the comma before it goes first.
      this.flush();
      this.sink(Buffer.from(cell));
      return this;
    }
    this.used += this.bytes.write(cell, this.used);
    return this;
  }

  /** End the row; bytes go to the sink when the buffer is nearly full. */
  endRow(): void {
    this.bytes[this.used++] = 10;
    this.rowStart = true;
    if (this.used > this.bytes.length - 1024) this.flush();
  }

  /** Hand every encoded byte to the sink (call before closing what it writes to). */
  flush(): void {
    if (this.used > 0) this.sink(this.bytes.subarray(0, this.used));
    this.used = 0;
  }

  /** A comma unless the row just began, with room for `room` more bytes after it. */
  private separate(room: number): void {
    if (this.used + room + 1 > this.bytes.length - 1) this.flush();
    if (this.rowStart) this.rowStart = false;
    else this.bytes[this.used++] = 44;
  }

  private ascii(s: string): this {
    this.used += this.bytes.write(s, this.used, 'latin1');
    return this;
  }

  /** A non-negative integer below 1e15 in decimal. */
  private digits(n: number): void {
    let length = 1;
    for (let p = 10; p <= n; p *= 10) length++;
    for (let i = this.used + length - 1; i >= this.used; i--) {
      const rest = Math.floor(n / 10);
      this.bytes[i] = 48 + n - rest * 10;
      n = rest;
    }
    this.used += length;
  }
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
