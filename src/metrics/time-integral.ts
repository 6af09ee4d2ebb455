/**
 * The integral over time of a piecewise-constant quantity (requests in the
 * system, busy replicas, replicas provisioned). Time averages over any window
 * come from two readings of `areaAt`.
 */
export class TimeIntegral {
  private area = 0;
  private last: number;

  constructor(start: number, private value = 0) {
    this.last = start;
  }

  get current(): number {
    return this.value;
  }

  /** Change the quantity by `delta` at time `t` (t never decreases). */
  add(t: number, delta: number): void {
    this.area += this.value * (t - this.last);
    this.last = t;
    this.value += delta;
  }

  /** The integral from the start to time `t` (t >= the last change). */
  areaAt(t: number): number {
    return this.area + this.value * (t - this.last);
  }
}
