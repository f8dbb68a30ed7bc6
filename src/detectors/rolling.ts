/**
 * Bounded rolling windows for online detectors: a ring of the last `size` values with its
 * running sums and a sorted copy (for median and MAD), so memory per series is one window.
 * Typed arrays shifted in place: a push moves at most `size` numbers and allocates nothing.
 */

/** Index of the first of the first `n` elements of `sorted` that is ≥ `value`. */
const lowerBound = (sorted: Float64Array, n: number, value: number): number => {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** The last `size` values of a series, with mean, median and median absolute deviation. */
export class RollingWindow {
  readonly #ring: Float64Array;
  readonly #sorted: Float64Array;
  #count = 0;
  #next = 0;
  #sum = 0;
  #sumSquares = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`window size must be ≥ 1: ${size}`);
    this.#ring = new Float64Array(size);
    this.#sorted = new Float64Array(size);
  }

  get count(): number {
    return this.#count;
  }

  get full(): boolean {
    return this.#count === this.size;
  }

  /** Adds a value, dropping the oldest once the window is full. */
  push(value: number): void {
    const sorted = this.#sorted;
    if (this.#count < this.size) {
      const at = lowerBound(sorted, this.#count, value);
      for (let i = this.#count; i > at; i--) sorted[i] = sorted[i - 1]!;
      sorted[at] = value;
      this.#ring[this.#count] = value;
      this.#count += 1;
      this.#sum += value;
      this.#sumSquares += value * value;
      return;
    }
    const old = this.#ring[this.#next]!;
    this.#ring[this.#next] = value;
    this.#next = this.#next + 1 === this.size ? 0 : this.#next + 1;
    // Replace `old` by `value` in the sorted copy: shift the values between them by one.
    let i = lowerBound(sorted, this.size, old);
    if (value < old) {
      while (i > 0 && sorted[i - 1]! > value) {
        sorted[i] = sorted[i - 1]!;
        i--;
      }
    } else {
      const last = this.size - 1;
      while (i < last && sorted[i + 1]! < value) {
        sorted[i] = sorted[i + 1]!;
        i++;
      }
    }
    sorted[i] = value;
    if (this.#next === 0) {
      // Once per lap the sums are recomputed, so rounding cannot pile up over a long series.
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < this.size; i++) {
        const v = this.#ring[i]!;
        sum += v;
        squares += v * v;
      }
      this.#sum = sum;
      this.#sumSquares = squares;
    } else {
      this.#sum += value - old;
      this.#sumSquares += value * value - old * old;
    }
  }

  mean(): number {
    return this.#count === 0 ? Number.NaN : this.#sum / this.#count;
  }

  /** Population standard deviation (0 when the running sums cancel to below zero). */
  std(): number {
    const n = this.#count;
    if (n === 0) return Number.NaN;
    const mean = this.#sum / n;
    return Math.sqrt(Math.max(0, this.#sumSquares / n - mean * mean));
  }

  median(): number {
    const n = this.#count;
    if (n === 0) return Number.NaN;
    const mid = n >>> 1;
    return n % 2 === 1 ? this.#sorted[mid]! : (this.#sorted[mid - 1]! + this.#sorted[mid]!) / 2;
  }

  /**
   * Median absolute deviation from the median (unscaled), in O(log n): the deviations below
   * and above the median are each already sorted, so the middle ones are the k-th smallest of
   * two sorted runs, found by bisection.
   */
  mad(): number {
    const sorted = this.#sorted;
    const n = this.#count;
    if (n === 0) return Number.NaN;
    const m = this.median();
    // The first index holding a value ≥ m: the middle one, or just below it on ties.
    let right = n >>> 1;
    while (right > 0 && sorted[right - 1]! >= m) right--;
    return this.#middleDeviation(m, right, n);
  }

  /**
   * The median of |value − m| over the run below m (`m − sorted[right − 1 − i]`, ascending in
   * i) and the run from `right` up (`sorted[right + j] − m`): the k-th smallest of the two
   * runs (k = ⌊n/2⌋), averaged with the (k−1)-th when n is even.
   */
  #middleDeviation(m: number, right: number, n: number): number {
    const sorted = this.#sorted;
    const k = n >>> 1;
    const below = right;
    const above = n - right;
    // Take i from below and k + 1 − i from above; find the least i whose next value below is
    // not smaller than the last value taken above.
    let lo = Math.max(0, k + 1 - above);
    let hi = Math.min(k + 1, below);
    while (lo < hi) {
      const i = (lo + hi) >>> 1;
      if (m - sorted[right - 1 - i]! < sorted[right + k - i]! - m) lo = i + 1;
      else hi = i;
    }
    const j = k + 1 - lo;
    // The k + 1 smallest are the first lo below and the first j above; the largest of them is
    // the k-th, the largest of the rest the (k−1)-th (deviations are ≥ 0, so −1 means none).
    const lastBelow = lo > 0 ? m - sorted[right - lo]! : -1;
    const lastAbove = j > 0 ? sorted[right + j - 1]! - m : -1;
    if (n % 2 === 1) return Math.max(lastBelow, lastAbove);
    const previous =
      lastBelow >= lastAbove
        ? Math.max(lo > 1 ? m - sorted[right - lo + 1]! : -1, lastAbove)
        : Math.max(lastBelow, j > 1 ? sorted[right + j - 2]! - m : -1);
    return (Math.max(lastBelow, lastAbove) + previous) / 2;
  }
}
