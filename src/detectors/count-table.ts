/**
 * Fixed-size counts for the context model: an open-addressing hash table from non-negative
 * integer keys (exact below 2^53) to counts. Its memory is set at construction; the owner
 * ages it (halves every count, drops the zeros) when it fills, so a series that keeps
 * producing new contexts forgets the rare old ones instead of growing.
 */

const EMPTY = -1;

/** 32-bit mix of a key below 2^53 (its two halves through multiply-xorshift rounds). */
const hashOf = (key: number): number => {
  const low = key >>> 0;
  const high = (key / 4_294_967_296) >>> 0;
  let h = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
};

/**
 * Counts by key, with room for `capacity` keys (a power of two, at most 3/4 used); each key
 * has `columns` counts.
 */
export class CountTable {
  readonly #keys: Float64Array;
  readonly #counts: Float64Array;
  readonly #mask: number;
  #size = 0;

  constructor(
    readonly capacity: number,
    readonly columns = 1,
  ) {
    if (!Number.isInteger(Math.log2(capacity)) || capacity < 8) {
      throw new Error(`count table capacity must be a power of two ≥ 8: ${capacity}`);
    }
    this.#keys = new Float64Array(capacity).fill(EMPTY);
    this.#counts = new Float64Array(capacity * columns);
    this.#mask = capacity - 1;
  }

  /** Keys held. */
  get size(): number {
    return this.#size;
  }

  /** True once 3/4 of the slots hold keys: the owner should age or clear the table. */
  get full(): boolean {
    return this.#size * 4 >= this.capacity * 3;
  }

  #slot(key: number): number {
    let i = hashOf(key) & this.#mask;
    while (this.#keys[i] !== EMPTY && this.#keys[i] !== key) i = (i + 1) & this.#mask;
    return i;
  }

  /** The count of `key` in `column` (0 if absent). */
  get(key: number, column = 0): number {
    const i = this.#slot(key);
    return this.#keys[i] === key ? this.#counts[i * this.columns + column]! : 0;
  }

  /**
   * Adds `by` to the count of `key` in `column` and returns the new count. A full table still
   * takes new keys up to its last free slot; past that it throws (age it first).
   */
  add(key: number, by = 1, column = 0): number {
    const i = this.#slot(key);
    if (this.#keys[i] !== key) {
      if (this.#size + 1 >= this.capacity) throw new Error("count table overflow: age it first");
      this.#keys[i] = key;
      this.#size += 1;
    }
    const at = i * this.columns + column;
    this.#counts[at]! += by;
    return this.#counts[at]!;
  }

  /** Calls `visit` with every key and its first column's count. */
  forEach(visit: (key: number, count: number) => void): void {
    for (let i = 0; i < this.capacity; i++) {
      if (this.#keys[i] !== EMPTY) visit(this.#keys[i]!, this.#counts[i * this.columns]!);
    }
  }

  /** Removes every key. */
  clear(): void {
    this.#keys.fill(EMPTY);
    this.#counts.fill(0);
    this.#size = 0;
  }

  /** Halves every count of a one-column table (rounding down), dropping the keys left at zero. */
  age(): void {
    const kept: Array<number> = [];
    this.forEach((key, count) => {
      const half = Math.floor(count / 2);
      if (half > 0) kept.push(key, half);
    });
    this.clear();
    for (let j = 0; j < kept.length; j += 2) this.add(kept[j]!, kept[j + 1]!);
  }
}
