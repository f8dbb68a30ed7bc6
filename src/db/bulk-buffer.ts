/**
 * `BulkBuffer`: the JSON argument of one bulk statement (`[tuple, tuple, …]`), collected from
 * one or more batches of rows and written straight into UTF-8 bytes, exactly as
 * `TextEncoder.encode(JSON.stringify(tuples))` would give them but without the tuple arrays
 * and the JSON string: a batch's rows leave nothing behind in the JS heap but bytes outside
 * it, so the statement can wait for several batches, or run again after a failure, without
 * keeping the young generation's garbage alive.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const OPEN = 0x5b; // [
const COMMA = 0x2c; // ,
const CLOSE = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const HEX = "0123456789abcdef";
/** `JSON.stringify`'s short escapes, by code unit. */
const SHORT_ESCAPES: Readonly<Record<number, number>> = {
  8: 0x62, // \b
  9: 0x74, // \t
  10: 0x6e, // \n
  12: 0x66, // \f
  13: 0x72, // \r
};

export class BulkBuffer {
  #bytes: Uint8Array;
  /** Bytes used, the opening bracket included. */
  #length = 1;
  #rows = 0;
  /** Whether the tuple being written has no value yet. */
  #firstValue = true;

  /** `capacity`: bytes to start with; the buffer grows as needed. */
  constructor(capacity = 1 << 16) {
    this.#bytes = new Uint8Array(Math.max(16, capacity));
    this.#bytes[0] = OPEN;
  }

  /** Tuples added so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Bytes of the statement's argument so far. */
  get byteLength(): number {
    return this.#length + 1;
  }

  /** Empties the buffer for another statement, keeping its storage. */
  clear(): this {
    this.#length = 1;
    this.#rows = 0;
    return this;
  }

  /**
   * Adds one tuple per row: `columns` give its values, in order. Values are written as
   * `JSON.stringify` writes them inside an array; what it refuses (a bigint) throws, and the
   * buffer is left as it was before the call.
   */
  addRows<R>(rows: ReadonlyArray<R>, columns: ReadonlyArray<(row: R) => unknown>): void {
    const mark = this.#length;
    const markRows = this.#rows;
    try {
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r] as R;
        this.#openTuple();
        for (let c = 0; c < columns.length; c++) {
          this.#value((columns[c] as (row: R) => unknown)(row));
        }
        this.#closeTuple();
      }
    } catch (error) {
      this.#length = mark;
      this.#rows = markRows;
      throw error;
    }
  }

  /** Adds tuples given as arrays (of any length). */
  addTuples(tuples: ReadonlyArray<ReadonlyArray<unknown>>): void {
    const mark = this.#length;
    const markRows = this.#rows;
    try {
      for (const tuple of tuples) {
        this.#openTuple();
        for (let c = 0; c < tuple.length; c++) this.#value(tuple[c]);
        this.#closeTuple();
      }
    } catch (error) {
      this.#length = mark;
      this.#rows = markRows;
      throw error;
    }
  }

  /** The statement's argument as UTF-8 bytes (a view of the buffer: copy it to keep it). */
  bytes(): Uint8Array {
    this.#reserve(1);
    this.#bytes[this.#length] = CLOSE;
    return this.#bytes.subarray(0, this.#length + 1);
  }

  /** The statement's argument as text. */
  text(): string {
    return decoder.decode(this.bytes());
  }

  #openTuple(): void {
    this.#reserve(2);
    if (this.#length > 1) this.#bytes[this.#length++] = COMMA;
    this.#bytes[this.#length++] = OPEN;
    this.#firstValue = true;
  }

  #closeTuple(): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = CLOSE;
    this.#rows += 1;
  }

  #value(value: unknown): void {
    if (this.#firstValue) this.#firstValue = false;
    else {
      this.#reserve(1);
      this.#bytes[this.#length++] = COMMA;
    }
    switch (typeof value) {
      case "string":
        this.#string(value);
        return;
      case "number":
        this.#ascii(Number.isFinite(value) ? String(value) : "null");
        return;
      case "boolean":
        this.#ascii(value ? "true" : "false");
        return;
      case "bigint":
        throw new TypeError("Do not know how to serialize a BigInt");
      case "object":
        if (value === null) this.#ascii("null");
        else this.#json(JSON.stringify(value));
        return;
      default:
        // undefined, functions and symbols are null inside an array.
        this.#ascii("null");
    }
  }

  /** A JSON string literal, escaped as `JSON.stringify` escapes it, in UTF-8. */
  #string(text: string): void {
    const n = text.length;
    this.#reserve(6 * n + 2);
    const bytes = this.#bytes;
    let at = this.#length;
    bytes[at++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x20 && c < 0x80) {
        if (c === QUOTE || c === BACKSLASH) bytes[at++] = BACKSLASH;
        bytes[at++] = c;
      } else if (c < 0x20) {
        bytes[at++] = BACKSLASH;
        const short = SHORT_ESCAPES[c];
        if (short !== undefined) bytes[at++] = short;
        else at = unicodeEscape(bytes, at, c);
      } else if (c < 0x800) {
        bytes[at++] = 0xc0 | (c >> 6);
        bytes[at++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          bytes[at++] = 0xf0 | (point >> 18);
          bytes[at++] = 0x80 | ((point >> 12) & 0x3f);
          bytes[at++] = 0x80 | ((point >> 6) & 0x3f);
          bytes[at++] = 0x80 | (point & 0x3f);
          i++;
        } else {
          // A lone surrogate: `JSON.stringify` writes it as an escape.
          bytes[at++] = BACKSLASH;
          at = unicodeEscape(bytes, at, c);
        }
      } else {
        bytes[at++] = 0xe0 | (c >> 12);
        bytes[at++] = 0x80 | ((c >> 6) & 0x3f);
        bytes[at++] = 0x80 | (c & 0x3f);
      }
    }
    bytes[at++] = QUOTE;
    this.#length = at;
  }

  /** Text of ASCII characters, as is. */
  #ascii(text: string): void {
    this.#reserve(text.length);
    for (let i = 0; i < text.length; i++) this.#bytes[this.#length++] = text.charCodeAt(i);
  }

  /** JSON text from `JSON.stringify` (no lone surrogates), in UTF-8. */
  #json(text: string | undefined): void {
    if (text === undefined) {
      this.#ascii("null");
      return;
    }
    this.#reserve(3 * text.length);
    this.#length += encoder.encodeInto(text, this.#bytes.subarray(this.#length)).written;
  }

  /** Makes room for `bytes` more. */
  #reserve(bytes: number): void {
    if (this.#length + bytes + 1 <= this.#bytes.length) return;
    const next = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + bytes + 1));
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
  }
}

/** Writes `uXXXX` (lower-case hex) for a code unit; returns the next position. */
const unicodeEscape = (bytes: Uint8Array, at: number, c: number): number => {
  bytes[at] = 0x75; // u
  bytes[at + 1] = HEX.charCodeAt((c >> 12) & 0xf);
  bytes[at + 2] = HEX.charCodeAt((c >> 8) & 0xf);
  bytes[at + 3] = HEX.charCodeAt((c >> 4) & 0xf);
  bytes[at + 4] = HEX.charCodeAt(c & 0xf);
  return at + 5;
};
