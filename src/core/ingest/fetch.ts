/**
 * Fetchers: a source payload as a byte stream, from an HTTP(S) URL (`HttpFetch`, the body
 * streamed as it arrives) or a local file (`FileSystem`, read in 64 KiB chunks). Nothing here
 * holds a whole payload; `readCapped` collects one only up to a limit.
 *
 * HTTP errors are classified like `fetchJson`: network, timeout, 408, 429 and 5xx are
 * transient (retried per request with `retryRequest`); other statuses are permanent with the
 * body kept. Once the body streams, a broken connection or a silent peer (idle timeout) ends
 * the run with a transient error: a retry of the partition re-reads the payload and the
 * idempotent writers make that safe.
 */
import type { PlatformError } from "@effect/platform/Error";
import * as FileSystem from "@effect/platform/FileSystem";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Option from "effect/Option";
import * as Scope from "effect/Scope";
import { AppConfig } from "../config/app-config";
import type { HttpFetch } from "../http/http-fetch";
import { PermanentSourceError } from "../model/errors";
import { type ByteStream, fromReadable, readCapped } from "./byte-stream";
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

/** Opens an HTTP(S) payload; the request (not the body) is retried under `options.retry`. */
export const openHttpPayload = (url: string, options: FetchOptions) =>
  Effect.gen(function* () {
    const { source, timeoutMs } = options;
    const target = { source, url, timeoutMs };
    const request = Effect.gen(function* () {
      const response = yield* sendGet(target);
      if (response.status >= 200 && response.status < 300) return response;
      const body = fromReadable(response.body, {
        idleMs: timeoutMs,
        onError: () => undefined,
        onIdle: () => undefined,
      });
      const head = yield* readCapped(body, ERROR_BODY_BYTES, (h) => h).pipe(
        Effect.catchAll((e) => Effect.succeed(e instanceof Uint8Array ? e : new Uint8Array())),
        Effect.map((b) => new TextDecoder().decode(b)),
      );
      return yield* statusError(target, response, head);
    });

    const response = yield* retryRequest(request, options.retry).pipe(
      Effect.catchTag("DatabaseError", (e) => Effect.die(e)),
    );
    return fromReadable(response.body, {
      idleMs: timeoutMs,
      onError: (e) =>
        transientError(
          target,
          "network",
          `${source} body could not be read: ${e instanceof Error ? e.message : String(e)}`,
        ),
      onIdle: () => transientError(target, "timeout", `${source} body stalled for ${timeoutMs} ms`),
    });
  }).pipe(
    Effect.withSpan("SourceFetch.openHttpPayload", { attributes: { source: options.source } }),
  );

/** Opens an HTTP(S) payload of `source` under the configured request timeout and retries. */
export const openConfiguredHttpPayload = (url: string, source: string) =>
  Effect.flatMap(AppConfig, ({ sources }) =>
    openHttpPayload(url, { source, timeoutMs: sources.requestTimeoutMs, retry: sources.retry }),
  );

/**
 * Opens a local file payload, read in 64 KiB chunks from the first pull on and closed with
 * the stream; read errors are permanent.
 */
export const openFilePayload = (path: string, options: Pick<FetchOptions, "source">) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem;
    const scope = yield* Scope.make();
    const failure = (e: PlatformError): SourceError =>
      new PermanentSourceError({
        source: options.source,
        url: `file:${path}`,
        reason: "status",
        message:
          e._tag === "SystemError" && e.reason === "NotFound"
            ? `file not found: ${path}`
            : `file could not be read: ${e.message}`,
      });
    let file: FileSystem.File | undefined;
    const opened = Effect.suspend(() =>
      file === undefined
        ? Effect.tap(Scope.extend(fs.open(path), scope), (f) => {
            file = f;
          })
        : Effect.succeed(file),
    );
    const bytes: ByteStream<SourceError> = {
      next: opened.pipe(
        Effect.flatMap((f) => f.readAlloc(FILE_CHUNK_BYTES)),
        Effect.map(Option.getOrUndefined),
        Effect.mapError(failure),
      ),
      close: Scope.close(scope, Exit.void),
    };
    return bytes;
  });

/** Opens a payload wherever it is. */
export const openPayload = (
  location: SourceLocation,
  options: FetchOptions,
): Effect.Effect<ByteStream<SourceError>, SourceError, HttpFetch | FileSystem.FileSystem> =>
  location._tag === "Http"
    ? openHttpPayload(location.url, options)
    : openFilePayload(location.path, options);
