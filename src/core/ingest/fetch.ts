/**
 * Fetchers: a source payload as a byte stream, from an HTTP(S) URL (`HttpClient`, the body
 * streamed as it arrives) or a local file (`FileSystem`, read in 64 KiB chunks). Nothing here
 * holds a whole payload; `readCapped` collects one only up to a limit.
 *
 * HTTP errors are classified like `fetchJson`: network, timeout, 408, 429 and 5xx are
 * transient (retried per request with `retryRequest`); other statuses are permanent with the
 * body kept. Once the body streams, a broken connection or a silent peer (idle timeout) ends
 * the run with a transient error: a retry of the partition re-reads the payload and the
 * idempotent writers make that safe.
 */
import * as FileSystem from "@effect/platform/FileSystem";
import type * as HttpClient from "@effect/platform/HttpClient";
import * as Chunk from "effect/Chunk";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Stream from "effect/Stream";
import { AppConfig } from "../config/app-config";
import { PermanentSourceError } from "../model/errors";
import { type SourceError, sendGet, statusError, transientError } from "./http-source";
import { type RetryPolicy, retryRequest } from "./retry";
import type { SourceLocation } from "./source";

/** A failure of a source fetch. */
export type { SourceError };

export interface FetchOptions {
  /** Source name for errors. */
  readonly source: string;
  /** Limit for the response headers, and for each wait on the next body chunk. */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
}

/** Chunk size of file reads. */
const FILE_CHUNK_BYTES = 65_536;
/** Body bytes of an error response kept for the message and the dead letter. */
const ERROR_BODY_BYTES = 65_536;

/**
 * Collects a stream up to `limit` bytes; past it, fails with `onOver(headBytes)` after
 * reading at most `limit + one chunk`.
 */
export const readCapped = <E, E2>(
  bytes: Stream.Stream<Uint8Array, E>,
  limit: number,
  onOver: (head: Uint8Array) => E2,
): Effect.Effect<Uint8Array, E | E2> =>
  Effect.gen(function* () {
    const parts: Array<Uint8Array> = [];
    let size = 0;
    const over = yield* Stream.runFoldWhile(
      bytes,
      false,
      (stop) => !stop,
      (_, chunk) => {
        parts.push(chunk);
        size += chunk.length;
        return size > limit;
      },
    );
    const all = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      all.set(part, at);
      at += part.length;
    }
    return over ? yield* Effect.fail(onOver(all.subarray(0, Math.min(size, 65_536)))) : all;
  });

/** Opens an HTTP(S) payload; the request (not the body) is retried under `options.retry`. */
export const openHttpPayload = (url: string, options: FetchOptions) =>
  Effect.gen(function* () {
    const { source, timeoutMs } = options;
    const target = { source, url, timeoutMs };
    const request = Effect.gen(function* () {
      const response = yield* sendGet(target);
      if (response.status >= 200 && response.status < 300) return response;
      const head = yield* readCapped(response.stream, ERROR_BODY_BYTES, (h) => h).pipe(
        Effect.catchAll((e) => Effect.succeed(e instanceof Uint8Array ? e : new Uint8Array())),
        Effect.map((b) => new TextDecoder().decode(b)),
      );
      return yield* statusError(target, response, head);
    });

    const response = yield* retryRequest(request, options.retry).pipe(
      Effect.catchTag("DatabaseError", (e) => Effect.die(e)),
    );
    return response.stream.pipe(
      Stream.mapError((e) =>
        transientError(target, "network", `${source} body could not be read: ${e.message}`),
      ),
      Stream.timeoutFail(
        () => transientError(target, "timeout", `${source} body stalled for ${timeoutMs} ms`),
        Duration.millis(timeoutMs),
      ),
    );
  }).pipe(
    Effect.withSpan("SourceFetch.openHttpPayload", { attributes: { source: options.source } }),
  );

/** Opens an HTTP(S) payload of `source` under the configured request timeout and retries. */
export const openConfiguredHttpPayload = (url: string, source: string) =>
  Effect.flatMap(AppConfig, ({ sources }) =>
    openHttpPayload(url, { source, timeoutMs: sources.requestTimeoutMs, retry: sources.retry }),
  );

/** Opens a local file payload as a stream of 64 KiB chunks; read errors are permanent. */
export const openFilePayload = (path: string, options: Pick<FetchOptions, "source">) =>
  Effect.map(FileSystem.FileSystem, (fs) =>
    fs.stream(path, { chunkSize: FILE_CHUNK_BYTES }).pipe(
      Stream.mapError(
        (e): SourceError =>
          new PermanentSourceError({
            source: options.source,
            url: `file:${path}`,
            reason: "status",
            message:
              e._tag === "SystemError" && e.reason === "NotFound"
                ? `file not found: ${path}`
                : `file could not be read: ${e.message}`,
          }),
      ),
    ),
  );

/** Opens a payload wherever it is. */
export const openPayload = (
  location: SourceLocation,
  options: FetchOptions,
): Effect.Effect<
  Stream.Stream<Uint8Array, SourceError>,
  SourceError,
  HttpClient.HttpClient | FileSystem.FileSystem
> =>
  location._tag === "Http"
    ? openHttpPayload(location.url, options)
    : openFilePayload(location.path, options);

/** A stream of one chunk, for payloads already in memory (tests, demo handlers). */
export const bytesOf = (text: string): Stream.Stream<Uint8Array> =>
  Stream.fromChunk(Chunk.of(new TextEncoder().encode(text)));
