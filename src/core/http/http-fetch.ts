/**
 * Outgoing HTTP for sources and alert sinks: the runtime's `fetch` as a service, requests as
 * effects with typed failures. Web-standard only (workerd, Deno, Node), and small: the
 * Worker's bundle carries no HTTP client library (docs/performance.md, Worker bundle).
 *
 * Interrupting a request (a timeout, a cancelled run) aborts it. A response's body is read
 * by the caller: as text (`readText`) or chunk by chunk (`ingest/byte-stream.ts`).
 */
import * as Context from "effect/Context";
import * as Data from "effect/Data";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";

/** The `fetch` requests go through. */
export interface HttpFetchShape {
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
}

/** Outgoing HTTP: `HttpFetch.layer` is the runtime's global `fetch`. */
export class HttpFetch extends Context.Tag("dataspine/HttpFetch")<HttpFetch, HttpFetchShape>() {
  /** The global `fetch` (Workers, Deno, Node). */
  static readonly layer = Layer.succeed(HttpFetch, {
    fetch: (url, init) => globalThis.fetch(url, init),
  });
}

/** The message of a failure and of its cause (`fetch failed: connect ECONNREFUSED …`). */
export const describeChain = (error: unknown): string => {
  const text = (e: unknown) =>
    e instanceof Error ? e.message : typeof e === "string" ? e : String(e);
  const inner = error instanceof Error ? error.cause : undefined;
  return inner === undefined ? text(error) : `${text(error)}: ${text(inner)}`;
};

/** No response: the URL is not one (`InvalidUrl`) or the transport failed (`Transport`). */
export class RequestError extends Data.TaggedError("RequestError")<{
  readonly reason: "InvalidUrl" | "Transport";
  readonly cause: unknown;
}> {
  override get message(): string {
    return `${this.reason} error: ${describeChain(this.cause)}`;
  }
}

/** A response whose body could not be read. */
export class ResponseError extends Data.TaggedError("ResponseError")<{
  readonly reason: "Decode";
  readonly cause: unknown;
}> {
  override get message(): string {
    return `${this.reason} error: ${describeChain(this.cause)}`;
  }
}

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `application/json`. */
  readonly json?: unknown;
}

/** A response whose head has arrived; its body is read once, by one of the two ways. */
export interface HttpResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The whole body as text; interrupting the read aborts the request. */
  readonly text: Effect.Effect<string, ResponseError>;
  /** The body as it arrives (`null` for none). */
  readonly body: ReadableStream<Uint8Array> | null;
}

const responseOf = (response: Response, controller: AbortController): HttpResponse => ({
  status: response.status,
  headers: Object.fromEntries(response.headers),
  text: Effect.tryPromise({
    try: () => response.text(),
    catch: (cause) => new ResponseError({ reason: "Decode", cause }),
  }).pipe(Effect.onInterrupt(() => Effect.sync(() => controller.abort()))),
  body: response.body,
});

/** Sends a request and waits for the response head; interruption aborts it. */
export const send = (request: HttpRequest): Effect.Effect<HttpResponse, RequestError, HttpFetch> =>
  Effect.flatMap(HttpFetch, ({ fetch }) => {
    try {
      new URL(request.url);
    } catch (cause) {
      return Effect.fail(new RequestError({ reason: "InvalidUrl", cause }));
    }
    const body = request.json === undefined ? null : JSON.stringify(request.json);
    const headers = {
      ...(body === null ? {} : { "content-type": "application/json" }),
      ...request.headers,
    };
    const controller = new AbortController();
    const init = { method: request.method, headers, body, signal: controller.signal };
    return Effect.tryPromise({
      try: () => fetch(request.url, init),
      catch: (cause) => new RequestError({ reason: "Transport", cause }),
    }).pipe(
      Effect.map((response) => responseOf(response, controller)),
      Effect.onInterrupt(() => Effect.sync(() => controller.abort())),
    );
  });
