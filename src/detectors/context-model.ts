/**
 * The context model of the series anomaly scorer: how surprising a quantized value (a bin) is
 * after the bins before it, in decimal digits (−log10 of its probability).
 *
 * It counts which bin followed each context (the previous k bins, k = `order` … 0) and prices
 * the new bin by partial matching (PPM, escape method C): the longest context seen before
 * predicts it with `count / (total + distinct)`; a bin that context never produced pays the
 * escape `distinct / (total + distinct)` and is priced by the next shorter context, and a bin
 * never seen at all pays one digit more than a uniform guess among the bins seen. A repeating
 * pattern thus costs almost nothing, noise costs about the log of the bins it visits, and a
 * new shape (a flat stretch in a daily cycle, a level it never held) costs several digits.
 *
 * Memory is fixed: the counts live in two `CountTable`s of `capacity` slots, aged (halved)
 * when the pairs table fills.
 */
import { CountTable } from "./count-table";

/** Distinct bin codes: a bin is stored as `bin + OFFSET`, in [0, RADIX). */
const RADIX = 1024;
const OFFSET = RADIX / 2;

/** The largest |bin| the model accepts. */
export const MAX_BIN = OFFSET - 1;

export class ContextModel {
  /** (context, next bin) → times seen. */
  readonly #pairs: CountTable;
  /** context → [times seen, distinct next bins]. */
  readonly #contexts: CountTable;
  /** The last `order` bins, newest last. */
  readonly #history: Int32Array;
  /** Context keys of the current step, by order (reused). */
  readonly #keys: Float64Array;
  #filled = 0;

  constructor(
    readonly order: number,
    capacity: number,
  ) {
    this.#pairs = new CountTable(capacity);
    this.#contexts = new CountTable(capacity, 2);
    this.#history = new Int32Array(Math.max(order, 1));
    this.#keys = new Float64Array(order + 1);
  }

  /** Keys held in the pairs table (bounded by the capacity). */
  get size(): number {
    return this.#pairs.size;
  }

  /** Forgets everything (the quantizer moved: old bins mean other values). */
  reset(): void {
    this.#pairs.clear();
    this.#contexts.clear();
    this.#filled = 0;
  }

  /** The surprise of `bin` (|bin| ≤ MAX_BIN) after the bins before it; then learns it. */
  surprise(bin: number): number {
    const code = bin + OFFSET;
    const usable = Math.min(this.order, this.#filled);
    // Context keys: 1, then one more RADIX digit per older bin (unique across orders).
    let key = 1;
    this.#keys[0] = key;
    for (let k = 1; k <= usable; k++) {
      key = key * RADIX + this.#history[this.#filled - k]!;
      this.#keys[k] = key;
    }
    let digits = 0;
    let predicted = false;
    for (let k = usable; k >= 0; k--) {
      const context = this.#keys[k]!;
      const total = this.#contexts.get(context, 0);
      if (total === 0) continue;
      const distinct = this.#contexts.get(context, 1);
      const count = this.#pairs.get(context * RADIX + code);
      if (count > 0) {
        digits -= Math.log10(count / (total + distinct));
        predicted = true;
        break;
      }
      digits -= Math.log10(distinct / (total + distinct));
    }
    if (!predicted) digits += Math.log10(Math.max(2, this.#contexts.get(1, 1) + 1)) + 1;
    this.#learn(code, usable);
    return digits;
  }

  #learn(code: number, usable: number): void {
    if (this.#pairs.full) this.#age();
    for (let k = 0; k <= usable; k++) {
      const context = this.#keys[k]!;
      if (this.#pairs.add(context * RADIX + code) === 1) this.#contexts.add(context, 1, 1);
      this.#contexts.add(context, 1, 0);
    }
    if (this.#filled < this.order) {
      this.#history[this.#filled] = code;
      this.#filled += 1;
    } else if (this.order > 0) {
      this.#history.copyWithin(0, 1);
      this.#history[this.order - 1] = code;
    }
  }

  /** Halves the pair counts and rebuilds the context totals from them. */
  #age(): void {
    this.#pairs.age();
    this.#contexts.clear();
    this.#pairs.forEach((pair, count) => {
      const context = Math.floor(pair / RADIX);
      this.#contexts.add(context, count, 0);
      this.#contexts.add(context, 1, 1);
    });
  }
}
