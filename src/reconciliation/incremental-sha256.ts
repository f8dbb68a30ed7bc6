/**
 * Incremental SHA-256 (FIPS 180-4) in plain TypeScript.
 *
 * Web Crypto only digests a whole buffer; a replay hashes its JSONL line by line as it is
 * written, so memory stays one partition however long the range. Checked against
 * `crypto.subtle` in the tests.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const encoder = new TextEncoder();
const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** A running SHA-256: `update` any number of times, then `hex` once. */
export class Sha256 {
  readonly #h = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  readonly #w = new Int32Array(64);
  readonly #block = new Uint8Array(64);
  #filled = 0;
  #bytes = 0;
  #done = false;

  /** Adds bytes, or text as UTF-8. */
  update(data: Uint8Array | string): this {
    if (this.#done) throw new Error("Sha256: update after digest");
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    const length = bytes.length;
    this.#bytes += length;
    let offset = 0;
    if (this.#filled > 0) {
      offset = Math.min(64 - this.#filled, length);
      this.#block.set(bytes.subarray(0, offset), this.#filled);
      this.#filled += offset;
      if (this.#filled < 64) return this;
      this.#compress(this.#block, 0);
      this.#filled = 0;
    }
    // Whole blocks are compressed where they lie; only a tail is copied.
    for (; offset + 64 <= length; offset += 64) this.#compress(bytes, offset);
    if (offset < length) {
      this.#block.set(bytes.subarray(offset), 0);
      this.#filled = length - offset;
    }
    return this;
  }

  /** The digest as lower-case hex; the hasher is finished afterwards. */
  hex(): string {
    if (this.#done) throw new Error("Sha256: digest taken twice");
    const bits = this.#bytes * 8;
    this.#block[this.#filled++] = 0x80;
    if (this.#filled > 56) {
      this.#block.fill(0, this.#filled);
      this.#compress(this.#block, 0);
      this.#filled = 0;
    }
    this.#block.fill(0, this.#filled, 56);
    const view = new DataView(this.#block.buffer);
    view.setUint32(56, Math.floor(bits / 0x100000000));
    view.setUint32(60, bits >>> 0);
    this.#compress(this.#block, 0);
    this.#done = true;
    return Array.from(this.#h, (word) => (word >>> 0).toString(16).padStart(8, "0")).join("");
  }

  /** One 64-byte block of `src` at `at` (32-bit arithmetic kept in signed int32). */
  #compress(src: Uint8Array, at: number) {
    const w = this.#w;
    for (let i = 0, j = at; i < 16; i++, j += 4) {
      w[i] =
        ((src[j] as number) << 24) |
        ((src[j + 1] as number) << 16) |
        ((src[j + 2] as number) << 8) |
        (src[j + 3] as number);
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15] as number;
      const b = w[i - 2] as number;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
    }
    const h = this.#h;
    let a = h[0] as number;
    let b = h[1] as number;
    let c = h[2] as number;
    let d = h[3] as number;
    let e = h[4] as number;
    let f = h[5] as number;
    let g = h[6] as number;
    let hh = h[7] as number;
    for (let i = 0; i < 64; i++) {
      const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + s1 + ch + (K[i] as number) + (w[i] as number)) | 0;
      const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0] as number) + a;
    h[1] = (h[1] as number) + b;
    h[2] = (h[2] as number) + c;
    h[3] = (h[3] as number) + d;
    h[4] = (h[4] as number) + e;
    h[5] = (h[5] as number) + f;
    h[6] = (h[6] as number) + g;
    h[7] = (h[7] as number) + hh;
  }
}

/** SHA-256 of text or bytes, as hex. */
export const sha256Of = (data: Uint8Array | string): string => new Sha256().update(data).hex();
