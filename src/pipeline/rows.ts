/**
 * Rows of doubles for many small objects (replicas), handed out from shared Float64Array chunks.
 * A double field of a JavaScript object is a separate heap box in V8; rows keep an object's
 * numbers together in one stretch of memory, which the garbage collector never scans, and a
 * large cluster touches tens of thousands of such objects between two visits to one. Rows are
 * never returned: a removed replica's row stays unused, 24 bytes for each replica a run ever had.
 */
export class FloatRows {
  /** The chunk of the row last taken. */
  chunk: Float64Array;
  /** Index of the row last taken within `chunk`. */
  row = -1;

  constructor(
    /** Doubles per row. */
    readonly fields: number,
    private readonly rowsPerChunk: number,
  ) {
    this.chunk = new Float64Array(fields * rowsPerChunk);
  }

  /** Take the next row: read it from `chunk` and `row` (nothing is allocated but a new chunk when one is full). */
  take(): void {
    if (++this.row === this.rowsPerChunk) {
      this.chunk = new Float64Array(this.fields * this.rowsPerChunk);
      this.row = 0;
    }
  }
}

/** An object whose numbers live in a row of FloatRows (`times` from `base`), or in its own small array when made alone. */
export abstract class RowRecord {
  protected readonly times: Float64Array;
  protected readonly base: number;

  constructor(fields: number, rows: FloatRows | undefined) {
    if (rows === undefined) {
      this.times = new Float64Array(fields);
      this.base = 0;
    } else {
      rows.take();
      this.times = rows.chunk;
      this.base = rows.row * rows.fields;
    }
  }
}
