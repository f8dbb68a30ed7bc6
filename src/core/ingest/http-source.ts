/**
 * Fetching a source payload over HTTP with typed failures.
 *
 * Transport errors, timeouts, 408, 429 and 5xx are `TransientSourceError` (with the
 * `Retry-After` the server sent); other non-2xx statuses and bodies that are not JSON (or
 * nest deeper than `MAX_JSON_DEPTH`) are `PermanentSourceError` with the payload kept.
 */
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import { send } from "../http/http-fetch";
import { PermanentSourceError, TransientSourceError, truncatePayload } from "../model/errors";
import { jsonTooDeep, MAX_JSON_DEPTH } from "./parsing/json-depth";

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

/** A source failure of either kind. */
export type SourceError = TransientSourceError | PermanentSourceError;

export interface HttpTarget {
  readonly source: string;
  readonly url: string;
  readonly timeoutMs: number;
}

/** A transient error of `source` at `url` (secrets already redacted). */
export const transientError = (
  target: HttpTarget,
  reason: "network" | "timeout" | "status",
  message: string,
  extra: { readonly status?: number; readonly retryAfterMs?: number } = {},
) =>
  new TransientSourceError({
    source: target.source,
    url: redactUrl(target.url),
    reason,
    message,
    ...extra,
  });

/** A permanent error of `source` at `url` (secrets redacted), with the payload when kept. */
const permanentError = (
  target: HttpTarget,
  reason: "status" | "decode",
  message: string,
  extra: { readonly status?: number; readonly payload?: string } = {},
) =>
  new PermanentSourceError({
    source: target.source,
    url: redactUrl(target.url),
    reason,
    message,
    ...extra,
  });

/** Fails with a transient timeout when `what` has not arrived within the target's timeout. */
const within = (target: HttpTarget, what: string) =>
  Effect.timeoutFail({
    duration: Duration.millis(target.timeoutMs),
    onTimeout: () => transientError(target, "timeout", `${what} within ${target.timeoutMs} ms`),
  });

/**
 * Sends a GET and waits for the response head: a timeout or a transport failure is
 * transient, an invalid URL permanent. The status is not judged here.
 */
export const sendGet = (target: HttpTarget, options: { readonly acceptJson?: boolean } = {}) =>
  send({
    method: "GET",
    url: target.url,
    ...(options.acceptJson ? { headers: { accept: "application/json" } } : {}),
  }).pipe(
    within(target, `no response from ${target.source}`),
    Effect.catchTags({
      RequestError: (e): Effect.Effect<never, SourceError> =>
        Effect.fail(
          e.reason === "InvalidUrl"
            ? permanentError(target, "status", `invalid URL: ${e.message}`)
            : transientError(target, "network", `${target.source} unreachable: ${e.message}`),
        ),
    }),
  );

/**
 * The error of a non-2xx answer: 408, 429 and 5xx are transient (keeping `Retry-After`),
 * any other status permanent with the body kept.
 */
export const statusError = (
  target: HttpTarget,
  response: { readonly status: number; readonly headers: Readonly<Record<string, string>> },
  body: string,
): SourceError => {
  const message = `${target.source} answered HTTP ${response.status}: ${truncatePayload(body, 300)}`;
  if (isTransientStatus(response.status)) {
    const retryAfterMs = parseRetryAfter(response.headers["retry-after"], Date.now());
    return transientError(target, "status", message, {
      status: response.status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return permanentError(target, "status", message, {
    status: response.status,
    payload: truncatePayload(body),
  });
};

/** GETs a URL and parses the body as JSON; see the module doc for the error mapping. */
export const fetchJson = (target: HttpTarget) =>
  Effect.gen(function* () {
    const response = yield* sendGet(target, { acceptJson: true });
    const body = yield* response.text.pipe(
      within(target, `${target.source} body not received`),
      Effect.catchTag("ResponseError", (e) =>
        Effect.fail(
          transientError(
            target,
            "network",
            `${target.source} body could not be read: ${e.message}`,
          ),
        ),
      ),
    );
    if (response.status < 200 || response.status >= 300) {
      return yield* statusError(target, response, body);
    }
    const tooDeep = jsonTooDeep(body);
    if (tooDeep !== undefined) {
      return yield* permanentError(
        target,
        "decode",
        `${target.source} returned JSON nested deeper than ${MAX_JSON_DEPTH} levels (at character ${tooDeep})`,
        { status: response.status, payload: truncatePayload(body) },
      );
    }
    return yield* Effect.try({
      try: () => JSON.parse(body) as unknown,
      catch: () =>
        permanentError(
          target,
          "decode",
          `${target.source} returned a body that is not JSON (${body.length} bytes)`,
          { status: response.status, payload: truncatePayload(body) },
        ),
    });
  }).pipe(Effect.withSpan("HttpSource.fetchJson", { attributes: { source: target.source } }));
