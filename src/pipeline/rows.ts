/**
 * Rows of doubles for many small objects (requests, replicas), handed out from shared
 * Float64Array chunks. A double field of a JavaScript object is a separate heap box in V8; rows
 * keep an object's numbers together in one stretch of memory, which the garbage collector never
 * scans, and a large cluster touches tens of thousands of such objects between two visits to one.
 * Rows are never returned: their objects are reused instead (RequestPool) or few (replicas).
 */
export class FloatRows {
  /** The chunk of the row last taken. */
  chunk: Float64Array;
  /** Index of the row last taken within `chunk`. */
  row = -1;

  constructor(
    private readonly fields: number,
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
