/**
 * `AcceptedBatch`: records that passed their contracts, column by column: each canonical value
 * and, for a later quarantine by a cross-record check, where it came from. The parsed fields
 * are not kept, and no object is made per record: a batch waiting for its write holds only
 * what it needs, which keeps garbage collection cheap on big files.
 */
export interface AcceptedBatch<A> {
  readonly values: ReadonlyArray<A>;
  /** Each record's `index` (line number or array index). */
  readonly indexes: ReadonlyArray<number>;
  /** Each record's `raw` text. */
  readonly raws: ReadonlyArray<string>;
}

/**
 * Fills batches of `size` records: `add` returns the batch it completed, if any. Each batch's
 * arrays are allocated at their full size up front (up to 16,384 records) and handed over
 * whole, never grown or copied.
 */
export const batchFiller = <A>(size: number) => {
  const capacity = Math.min(size, 16_384);
  let values = new Array<A>(capacity);
  let indexes = new Array<number>(capacity);
  let raws = new Array<string>(capacity);
  let count = 0;
  /** The batch so far; the next record starts a new one. */
  const take = (): AcceptedBatch<A> => {
    if (count < values.length) {
      values.length = count;
      indexes.length = count;
      raws.length = count;
    }
    const batch = { values, indexes, raws };
    values = new Array<A>(capacity);
    indexes = new Array<number>(capacity);
    raws = new Array<string>(capacity);
    count = 0;
    return batch;
  };
  return {
    add: (value: A, index: number, raw: string): AcceptedBatch<A> | undefined => {
      values[count] = value;
      indexes[count] = index;
      raws[count] = raw;
      count += 1;
      return count === size ? take() : undefined;
    },
    /** Records waiting for their batch. */
    size: () => count,
    take,
  };
};

/** The records of a batch for which `keep(i)` holds, in order. */
export const filterBatch = <A>(
  batch: AcceptedBatch<A>,
  keep: (i: number) => boolean,
): AcceptedBatch<A> => {
  const values: Array<A> = [];
  const indexes: Array<number> = [];
  const raws: Array<string> = [];
  for (let i = 0; i < batch.values.length; i++) {
    if (!keep(i)) continue;
    values.push(batch.values[i] as A);
    indexes.push(batch.indexes[i] as number);
    raws.push(batch.raws[i] as string);
  }
  return { values, indexes, raws };
};
