/** A WebAssembly page: what a WebAssembly.Memory is sized in. */
const WASM_PAGE = 65536;
/** Most pages a WebAssembly.Memory may have (4 GiB). */
const WASM_MAX_PAGES = 65536;

/**
 * A zeroed buffer of at least `bytes` bytes whose start is on a cache-line (indeed a page)
 * boundary, so that 64-byte records at multiples of 64 bytes each sit in one cache line.
 *
 * Why: an ordinary large ArrayBuffer comes from malloc, and glibc gives a large block 16
 * bytes past a page boundary: every 64-byte row of a table then straddles two cache lines, and
 * a row read after tens of thousands of others is two misses, not one (cachegrind, 10,000
 * replicas per stage: 5.8 last-level misses a request against 4.6 with rows on line
 * boundaries). JavaScript cannot ask where a buffer starts, but a WebAssembly.Memory is
 * allocated by pages, and its buffer is an ordinary ArrayBuffer for the compiler (a resizable
 * ArrayBuffer is page-aligned too, but Node 20's V8 compiles typed-array access on one to code
 * 2.3x slower).
 *
 * V8 reserves 10 GiB of address space (not memory) for each WebAssembly.Memory, as room for
 * growth and guard pages. Where that is refused (an address-space limit, `ulimit -v`), or past
 * WebAssembly's 4 GiB, this returns an ordinary ArrayBuffer: the same contents, only the
 * alignment is left to malloc; after one refusal it no longer asks.
 */
export function lineAlignedBuffer(bytes: number): ArrayBuffer {
  if (!refused && bytes > 0 && bytes <= WASM_MAX_PAGES * WASM_PAGE) {
    try {
      return new WebAssembly.Memory({ initial: Math.ceil(bytes / WASM_PAGE) }).buffer;
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      refused = true;
    }
  }
  return new ArrayBuffer(bytes);
}

/**
 * Set once V8 has refused a WebAssembly.Memory: before refusing, it collects garbage in full,
 * over and over (15 mark-compacts, 70 ms on a small heap, 375 ms with 200,000 objects), and a
 * sweep under an address-space limit paid that for every run (18 quickstart runs: 6 s against
 * 2.2 s). The limit does not go away while the process lives.
 */
let refused = false;
