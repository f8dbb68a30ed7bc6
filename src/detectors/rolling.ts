/**
 * Bounded rolling windows for online detectors: a ring of the last `size` values with its
 * running sum and a sorted copy (for median and MAD), so memory per series is one window.
 */

/** Index of the first element of `sorted` that is ≥ `value`. */
const lowerBound = (sorted: ReadonlyArray<number>, value: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

const medianOfSorted = (sorted: ReadonlyArray<number>): number => {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >>> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The last `size` values of a series, with mean, median and median absolute deviation. */
export class RollingWindow {
  readonly #ring: Array<number> = [];
  readonly #sorted: Array<number> = [];
  #next = 0;
  #sum = 0;
  #sumSquares = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`window size must be ≥ 1: ${size}`);
  }

  get count(): number {
    return this.#ring.length;
  }

  get full(): boolean {
    return this.#ring.length === this.size;
  }

  /** Adds a value, dropping the oldest once the window is full. */
  push(value: number): void {
    if (this.#ring.length < this.size) this.#ring.push(value);
    else {
      const old = this.#ring[this.#next]!;
      this.#ring[this.#next] = value;
      this.#next = (this.#next + 1) % this.size;
      this.#sum -= old;
      this.#sumSquares -= old * old;
      this.#sorted.splice(lowerBound(this.#sorted, old), 1);
    }
    this.#sum += value;
    this.#sumSquares += value * value;
    this.#sorted.splice(lowerBound(this.#sorted, value), 0, value);
  }

  mean(): number {
    return this.#ring.length === 0 ? Number.NaN : this.#sum / this.#ring.length;
  }

  /** Population standard deviation (0 when the running sums cancel to below zero). */
  std(): number {
    const n = this.#ring.length;
    if (n === 0) return Number.NaN;
    const mean = this.#sum / n;
    return Math.sqrt(Math.max(0, this.#sumSquares / n - mean * mean));
  }

  median(): number {
    return medianOfSorted(this.#sorted);
  }

  /**
   * Median absolute deviation from the median (unscaled), in O(n): the deviations below and
   * above the median are each already sorted, so the middle one is found by merging them.
   */
  mad(): number {
    const sorted = this.#sorted;
    const n = sorted.length;
    if (n === 0) return Number.NaN;
    const m = this.median();
    const left = lowerBound(sorted, m) - 1;
    const right = left + 1;
    const deviationAt = (rank: number): number => {
      let l = left;
      let r = right;
      let d = 0;
      for (let taken = 0; taken <= rank; taken++) {
        const dl = l >= 0 ? m - sorted[l]! : Number.POSITIVE_INFINITY;
        const dr = r < n ? sorted[r]! - m : Number.POSITIVE_INFINITY;
        if (dl <= dr) {
          d = dl;
          l--;
        } else {
          d = dr;
          r++;
        }
      }
      return d;
    };
    const mid = n >>> 1;
    const result = n % 2 === 1 ? deviationAt(mid) : (deviationAt(mid - 1) + deviationAt(mid)) / 2;
    return result;
  }
}
