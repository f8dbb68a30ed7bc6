/**
 * A typed client for scripts, from the same route table the app registers: inputs are typed
 * and encoded by the routes' Schemas, answers decoded by them. Web-standard (`fetch`), so it
 * runs in Node, Deno, a Worker or a browser.
 *
 * @example
 * const api = makeClient({ baseUrl: "http://127.0.0.1:8787", token });
 * const run = await api.call(API.runPartition, { body: { pipeline, partition } });
 * if (run.status === 200) console.log(run.body.counts.written);
 */
import * as Cause from "effect/Cause";
import * as Data from "effect/Data";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";
import type { RouteSpec } from "./route";

/** The app refused: the error's tag and message, with the HTTP status. */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly status: number;
  readonly tag: string;
  readonly message: string;
}> {}

/** An answer the route does not declare, or one its Schema does not decode. */
export class UnexpectedAnswer extends Data.TaggedError("UnexpectedAnswer")<{
  readonly status: number;
  readonly message: string;
}> {}

export interface ClientOptions {
  /** Where the app is served, e.g. `http://127.0.0.1:8787`. */
  readonly baseUrl: string;
  /** `DATASPINE_API_TOKEN` or `DATASPINE_READ_TOKEN`; none for public routes. */
  readonly token?: string | undefined;
  /** Sends a request; default the global `fetch`. */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** Refuse answers with fields their Schema does not name. Default false (ignored). */
  readonly strict?: boolean;
}

/** A route the client can call: a JSON API route (not a status page). */
export type ApiRoute = RouteSpec & { readonly kind?: "api" };

type Of<S, K extends string> = S extends { readonly [P in K]: infer X } ? X : undefined;

/** URL fields keep the optionality of the query string; values are the decoded types. */
type QueryInput<Q extends Schema.Schema.AnyNoContext> = {
  [K in keyof Schema.Schema.Encoded<Q>]: K extends keyof Schema.Schema.Type<Q>
    ? Schema.Schema.Type<Q>[K]
    : never;
};

type Params<S> = Of<S, "params">;
type Query<S> = Of<S, "query">;
type Body<S> = Of<Of<S, "body">, "schema">;

/** What a call sends: `params`, `query` and `body` where the route takes them. */
export type CallInput<S extends ApiRoute> = ([Params<S>] extends [Schema.Schema.AnyNoContext]
  ? { readonly params: Schema.Schema.Type<Params<S>> }
  : unknown) &
  ([Query<S>] extends [Schema.Schema.AnyNoContext]
    ? { readonly query: QueryInput<Query<S>> }
    : unknown) &
  ([Body<S>] extends [Schema.Schema.AnyNoContext]
    ? { readonly body: Schema.Schema.Type<Body<S>> }
    : unknown);

/** The answers a route declares: decoded JSON, or the text of another content type. */
export type ClientAnswer<S extends ApiRoute> = {
  [K in keyof S["responses"] & number]: S["responses"][K] extends {
    readonly schema: infer B extends Schema.Schema.AnyNoContext;
  }
    ? { readonly status: K; readonly body: Schema.Schema.Type<B> }
    : { readonly status: K; readonly body: string };
}[keyof S["responses"] & number];

type Args<S extends ApiRoute> =
  Record<string, never> extends CallInput<S> ? [input?: CallInput<S>] : [input: CallInput<S>];

const ErrorBody = Schema.Struct({ error: Schema.String, message: Schema.String });

const urlOf = (baseUrl: string, spec: ApiRoute, input: Record<string, unknown>) => {
  const params = spec.params
    ? (Schema.encodeSync(spec.params)(input.params) as Record<string, string>)
    : {};
  const path = spec.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) =>
    encodeURIComponent(params[name] ?? ""),
  );
  const url = new URL(path, baseUrl);
  // Every query field is text in the URL: its Schema encodes a value with `String`.
  for (const [key, value] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
};

/** A client of the app at `options.baseUrl`. */
export const makeClient = (options: ClientOptions) => {
  const send = options.fetch ?? ((request: Request) => fetch(request));
  const decodeOptions = { onExcessProperty: options.strict ? "error" : "ignore" } as const;

  /** Calls `spec`'s route as an Effect; a refusal fails with `ApiError`. */
  const effect = <S extends ApiRoute>(
    spec: S,
    ...[input]: Args<S>
  ): Effect.Effect<ClientAnswer<S>, ApiError | UnexpectedAnswer> =>
    Effect.gen(function* () {
      const given = (input ?? {}) as Record<string, unknown>;
      const headers = new Headers(
        options.token ? { authorization: `Bearer ${options.token}` } : {},
      );
      let body: string | undefined;
      if (spec.body) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(Schema.encodeSync(spec.body.schema)(given.body));
      }
      const url = urlOf(options.baseUrl, spec, given);
      const response = yield* Effect.promise(() =>
        send(new Request(url, { method: spec.method, headers, ...(body ? { body } : {}) })),
      );
      const { status } = response;
      const declared = spec.responses[status];
      const text = yield* Effect.promise(() => response.text());
      const unexpected = (message: string) => new UnexpectedAnswer({ status, message });
      if (declared?.contentType) return { status, body: text } as ClientAnswer<S>;
      const json = yield* Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: () => unexpected(`not JSON: ${text.slice(0, 200)}`),
      });
      if (declared?.schema) {
        const decoded = yield* Schema.decodeUnknown(
          declared.schema,
          decodeOptions,
        )(json).pipe(
          Effect.mapError((e) => unexpected(ParseResult.TreeFormatter.formatErrorSync(e))),
        );
        return { status, body: decoded } as ClientAnswer<S>;
      }
      const refusal = yield* Schema.decodeUnknown(ErrorBody)(json).pipe(
        Effect.mapError(() => unexpected(`undeclared answer: ${text.slice(0, 200)}`)),
      );
      return yield* new ApiError({ status, tag: refusal.error, message: refusal.message });
    });

  /** Calls `spec`'s route; rejects with `ApiError` (refused) or `UnexpectedAnswer`. */
  const call = async <S extends ApiRoute>(spec: S, ...args: Args<S>): Promise<ClientAnswer<S>> => {
    const exit = await Effect.runPromiseExit(effect(spec, ...args));
    if (Exit.isSuccess(exit)) return exit.value;
    throw Cause.squash(exit.cause);
  };

  return { call, effect };
};
