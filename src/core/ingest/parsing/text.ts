/**
 * Bytes → text for source payloads: strict UTF-8, chunk by chunk, with the head kept.
 *
 * Invalid UTF-8 or a NUL character means the payload is not text (binary garbage, a
 * compressed file, the wrong encoding): that is one typed refusal of the whole payload, not
 * thousands of quarantined "rows". The first bytes are kept so the refusal carries them.
 */
import * as Data from "effect/Data";
import * as Either from "effect/Either";

/** The payload is not UTF-8 text. */
export class NotText extends Data.TaggedError("NotText")<{
  readonly message: string;
  readonly offset: number;
}> {}

/** Bytes of the payload head kept for error records: 64 KiB. */
export const HEAD_BYTES = 65_536;

/** Decodes a byte stream as strict UTF-8; a leading byte-order mark is dropped. */
export class Utf8Text {
  readonly #decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  readonly #head = new Uint8Array(HEAD_BYTES);
  #headLength = 0;
  #bytes = 0;

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The first bytes of the payload, decoded leniently (for error records). */
  head(): string {
    return new TextDecoder("utf-8").decode(this.#head.subarray(0, this.#headLength));
  }

  /** Decodes the next chunk. */
  decode(chunk: Uint8Array): Either.Either<string, NotText> {
    if (this.#headLength < HEAD_BYTES) {
      const take = chunk.subarray(0, HEAD_BYTES - this.#headLength);
      this.#head.set(take, this.#headLength);
      this.#headLength += take.length;
    }
    const offset = this.#bytes;
    this.#bytes += chunk.length;
    return this.#check(() => this.#decoder.decode(chunk, { stream: true }), offset);
  }

  /** Flushes the decoder: a sequence cut at the end is an error. */
  end(): Either.Either<string, NotText> {
    return this.#check(() => this.#decoder.decode(), this.#bytes);
  }

  #check(decode: () => string, offset: number): Either.Either<string, NotText> {
    let text: string;
    try {
      text = decode();
    } catch {
      return Either.left(
        new NotText({
          message: `payload is not UTF-8 text (invalid byte sequence in the bytes from offset ${offset})`,
          offset,
        }),
      );
    }
    const nul = text.indexOf("\u0000");
    return nul < 0
      ? Either.right(text)
      : Either.left(
          new NotText({
            message: `payload looks binary (NUL character near byte ${offset + nul})`,
            offset,
          }),
        );
  }
}
