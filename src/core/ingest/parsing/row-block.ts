/**
 * `RowBlock`: the rows of one chunk of delimited text, laid out flat in arrays the reader
 * refills chunk after chunk, so the fields' strings (and each row's raw text) are the only
 * allocations per row. Row `i`'s fields are `fields[starts[i]]` … `fields[starts[i + 1] - 1]`.
 */
export class RowBlock {
  /** Rows in the block. */
  count = 0;
  /** 1-based line on which each row starts. */
  readonly lines: Array<number> = [];
  /** Each row's text as received, without its line break. */
  readonly raws: Array<string> = [];
  readonly fields: Array<string> = [];
  readonly starts: Array<number> = [0];
  /** Quoting problems of the rows that have any, by row. */
  readonly #errors = new Map<number, ReadonlyArray<string>>();
  #fieldCount = 0;

  /** Empties the block (the arrays keep their capacity). */
  clear(): void {
    this.count = 0;
    this.#fieldCount = 0;
    if (this.#errors.size > 0) this.#errors.clear();
  }

  /** Adds a field to the row being built. */
  addField(value: string): void {
    this.fields[this.#fieldCount++] = value;
  }

  /** Ends the row being built. */
  endRow(line: number, raw: string, errors: ReadonlyArray<string> | undefined): void {
    const i = this.count++;
    this.lines[i] = line;
    this.raws[i] = raw;
    this.starts[i + 1] = this.#fieldCount;
    if (errors !== undefined) this.#errors.set(i, errors);
  }

  /** Whether any row of the block has quoting problems. */
  get hasErrors(): boolean {
    return this.#errors.size > 0;
  }

  /** Row `i`'s quoting problems, if any. */
  errorsOf(i: number): ReadonlyArray<string> | undefined {
    return this.#errors.get(i);
  }

  /** How many fields row `i` has. */
  widthOf(i: number): number {
    return (this.starts[i + 1] as number) - (this.starts[i] as number);
  }

  /** Row `i`'s fields, copied. */
  fieldsOf(i: number): Array<string> {
    return this.fields.slice(this.starts[i], this.starts[i + 1]);
  }
}
