/**
 * A payload's bytes, pulled one chunk at a time: an HTTP body as it arrives, a file in 64 KiB
 * reads, or chunks already in memory. Whoever consumes one (`forEachChunk`, `readCapped`)
 * closes it when done, early or not, so a body nobody reads to the end frees its connection.
 *
 * Deliberately not effect's `Stream`: the ingest path only ever reads a payload front to
 * back, and `Stream` with its channel machinery was about 12 KiB of the Worker's gzip bundle.
 */
import * as Effect from "effect/Effect";

/** A payload's bytes; see the module doc. */
export interface ByteStream<E = never> {
  /** The next chunk; `undefined` once the payload has ended. */
  readonly next: Effect.Effect<Uint8Array | undefined, E>;
  /** Stops reading and frees what the stream holds; safe to run more than once. */
  readonly close: Effect.Effect<void>;
}

/** Chunks already in memory (tests, demo handlers, replays of stored payloads). */
export const fromChunks = (chunks: Iterable<Uint8Array>): ByteStream => {
  const iterator = chunks[Symbol.iterator]();
  return {
    next: Effect.sync(() => {
      const step = iterator.next();
      return step.done ? undefined : step.value;
    }),
    close: Effect.void,
  };
};

/** A stream of one chunk: `text` in UTF-8. */
export const bytesOf = (text: string): ByteStream => fromChunks([new TextEncoder().encode(text)]);

/**
 * A web `ReadableStream` (an HTTP body); a read that fails is `onError`, a wait for the next
 * chunk longer than `idleMs` is `onIdle`.
 */
export const fromReadable = <E>(
  readable: ReadableStream<Uint8Array> | null,
  options: {
    readonly idleMs: number;
    readonly onError: (cause: unknown) => E;
    readonly onIdle: () => E;
  },
): ByteStream<E> => {
  if (readable === null) return fromChunks([]);
  const reader = readable.getReader();
  let closed = false;
  return {
    next: Effect.tryPromise({ try: () => reader.read(), catch: options.onError }).pipe(
      Effect.timeoutFail({ duration: options.idleMs, onTimeout: options.onIdle }),
      Effect.map((read) => (read.done ? undefined : read.value)),
    ),
    close: Effect.suspend(() => {
      if (closed) return Effect.void;
      closed = true;
      return Effect.promise(() => reader.cancel().catch(() => undefined));
    }),
  };
};

/** Changes a stream's error. */
export const mapError = <E, E2>(bytes: ByteStream<E>, f: (e: E) => E2): ByteStream<E2> => ({
  next: Effect.mapError(bytes.next, f),
  close: bytes.close,
});

/** Runs `f` on every chunk in order, then closes the stream (also on failure). */
export const forEachChunk = <E, E2, R>(
  bytes: ByteStream<E>,
  f: (chunk: Uint8Array) => Effect.Effect<void, E2, R>,
): Effect.Effect<void, E | E2, R> => {
  const loop: Effect.Effect<void, E | E2, R> = Effect.flatMap(bytes.next, (chunk) =>
    chunk === undefined ? Effect.void : Effect.zipRight(f(chunk), loop),
  );
  return Effect.ensuring(loop, bytes.close);
};

/**
 * Collects a stream up to `limit` bytes; past it, fails with `onOver(headBytes)` after
 * reading at most `limit + one chunk`. Closes the stream either way.
 */
export const readCapped = <E, E2>(
  bytes: ByteStream<E>,
  limit: number,
  onOver: (head: Uint8Array) => E2,
): Effect.Effect<Uint8Array, E | E2> =>
  Effect.suspend(() => {
    const parts: Array<Uint8Array> = [];
    let size = 0;
    const loop: Effect.Effect<boolean, E> = Effect.flatMap(bytes.next, (chunk) => {
      if (chunk === undefined) return Effect.succeed(false);
      parts.push(chunk);
      size += chunk.length;
      return size > limit ? Effect.succeed(true) : loop;
    });
    return Effect.ensuring(loop, bytes.close).pipe(
      Effect.flatMap((over) => {
        const all = new Uint8Array(size);
        let at = 0;
        for (const part of parts) {
          all.set(part, at);
          at += part.length;
        }
        return over
          ? Effect.fail(onOver(all.subarray(0, Math.min(size, 65_536))))
          : Effect.succeed(all);
      }),
    );
  });
