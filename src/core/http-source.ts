/**
 * Fetching a source payload over HTTP with typed failures.
 *
 * Transport errors, timeouts, 408, 429 and 5xx are `TransientSourceError` (with the
 * `Retry-After` the server sent); other non-2xx statuses and bodies that are not JSON are
 * `PermanentSourceError` with the payload kept.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform";
import { Duration, Effect } from "effect";
import { PermanentSourceError, TransientSourceError, truncatePayload } from "./errors";

type SourceError = TransientSourceError | PermanentSourceError;

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `nowMs`. */
export const parseRetryAfter = (header: string | undefined, nowMs: number): number | undefined => {
  if (header === undefined || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
};

const isTransientStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500;

/** Removes secrets from a URL before it is logged or stored. */
export const redactUrl = (url: string): string =>
  url.replace(/([?&](?:apiKey|apikey|token|key)=)[^&]*/g, "$1***");

export interface FetchJsonOptions {
  readonly source: string;
  readonly url: string;
  readonly timeoutMs: number;
}

/** GETs a URL and parses the body as JSON; see the module doc for the error mapping. */
export const fetchJson = ({ source, url, timeoutMs }: FetchJsonOptions) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient;
    const safeUrl = redactUrl(url);
    const transient = (reason: "network" | "timeout" | "status", message: string, extra = {}) =>
      new TransientSourceError({ source, url: safeUrl, reason, message, ...extra });

    const response = yield* client.execute(HttpClientRequest.get(url, { acceptJson: true })).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(timeoutMs),
        onTimeout: () => transient("timeout", `no response from ${source} within ${timeoutMs} ms`),
      }),
      Effect.catchTags({
        ResponseError: (e) =>
          Effect.fail(transient("network", `${source} response failed: ${e.message}`)),
        RequestError: (e): Effect.Effect<never, SourceError> =>
          e.reason === "InvalidUrl"
            ? Effect.fail(
                new PermanentSourceError({
                  source,
                  url: safeUrl,
                  reason: "status",
                  message: `invalid URL: ${e.message}`,
                }),
              )
            : Effect.fail(transient("network", `${source} unreachable: ${e.message}`)),
      }),
    );
    const body = yield* response.text.pipe(
      Effect.timeoutFail({
        duration: Duration.millis(timeoutMs),
        onTimeout: () => transient("timeout", `${source} body not received within ${timeoutMs} ms`),
      }),
      Effect.catchTag("ResponseError", (e) =>
        Effect.fail(transient("network", `${source} body could not be read: ${e.message}`)),
      ),
    );
    if (response.status < 200 || response.status >= 300) {
      const message = `${source} answered HTTP ${response.status}: ${truncatePayload(body, 300)}`;
      if (isTransientStatus(response.status)) {
        const retryAfterMs = parseRetryAfter(response.headers["retry-after"], Date.now());
        return yield* transient("status", message, {
          status: response.status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      return yield* new PermanentSourceError({
        source,
        url: safeUrl,
        reason: "status",
        status: response.status,
        message,
        payload: truncatePayload(body),
      });
    }
    return yield* Effect.try({
      try: () => JSON.parse(body) as unknown,
      catch: () =>
        new PermanentSourceError({
          source,
          url: safeUrl,
          reason: "decode",
          status: response.status,
          message: `${source} returned a body that is not JSON (${body.length} bytes)`,
          payload: truncatePayload(body),
        }),
    });
  }).pipe(Effect.withSpan("HttpSource.fetchJson", { attributes: { source } }));
