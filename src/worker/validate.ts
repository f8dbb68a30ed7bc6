/**
 * Request decoding in one place: path params, query strings and JSON bodies are decoded by
 * Effect Schemas inside Hono validators, so a handler reads `c.req.valid("param" | "query" |
 * "json")` and never parses by hand. A failure is `InvalidRequest` naming the first bad field
 * with its input cut to 200 characters; bodies are bounded in size (413) and nesting (400).
 */
import { Either, ParseResult, Schema } from "effect";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { validator } from "hono/validator";
import type { AppEnv } from "./app-env";
import { settingsOf } from "./app-env";
import { InvalidRequest, PayloadTooLarge } from "./http-errors";
import { echo, MAX_JSON_DEPTH, nestsDeeperThan } from "./limits";

type Bindings = { Bindings: AppEnv };

/** The first issue of a failed decode, as `<field> <problem>`. */
const describe = (error: ParseResult.ParseError): string => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error);
  if (!issue) return echo(error.message);
  const path = issue.path.map(String).join(".");
  // Schema's own messages end with the input ("…, actual <value>"): cut that part.
  const actual = /^([\s\S]*?\bactual )([\s\S]*)$/.exec(issue.message);
  const text = actual ? `${actual[1]}${echo(actual[2] ?? "")}` : issue.message;
  if (path === "") return text;
  return /^(must|is) /.test(text) ? `${path} ${text}` : `${path}: ${text}`;
};

/** Decodes `value`, or throws `InvalidRequest` with `explain(<first issue>)`. */
export const decodeOrThrow = <A, I>(
  schema: Schema.Schema<A, I>,
  value: unknown,
  explain: (detail: string) => string = (detail) => detail,
): A => {
  const decoded = Schema.decodeUnknownEither(schema)(value);
  if (Either.isLeft(decoded))
    throw new InvalidRequest({ message: explain(describe(decoded.left)) });
  return decoded.right;
};

/** Decodes the path params. */
export const params = <A, I>(schema: Schema.Schema<A, I>) =>
  validator("param", (value) => decodeOrThrow(schema, value));

/** Decodes the query string; an empty value (`?limit=`) counts as absent. */
export const query = <A, I>(schema: Schema.Schema<A, I>) =>
  validator("query", (value) =>
    decodeOrThrow(
      schema,
      Object.fromEntries(Object.entries(value).filter(([, v]) => v !== "" && v !== undefined)),
    ),
  );

/**
 * Decodes the body as JSON, whatever its content type (`curl -d` sends a form type), after
 * refusing nesting deeper than `MAX_JSON_DEPTH`. `shape` completes "body must be …".
 */
export const jsonBody =
  <A, I>(
    schema: Schema.Schema<A, I>,
    shape: string,
  ): MiddlewareHandler<Bindings, string, { in: { json: I }; out: { json: A } }> =>
  async (c, next) => {
    const text = await c.req.text();
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      throw new InvalidRequest({ message: `body nests deeper than ${MAX_JSON_DEPTH} levels` });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new InvalidRequest({ message: "body must be JSON" });
    }
    const decoded = decodeOrThrow(schema, body, (detail) => `body must be ${shape}: ${detail}`);
    c.req.addValidatedData("json", decoded as object);
    await next();
  };

/** Refuses a body over `DATASPINE_MAX_BODY_BYTES` (default 1 MiB) with 413, before reading it all. */
export const limitBody = (): MiddlewareHandler<Bindings> => async (c, next) => {
  const maxSize = settingsOf(c.env.VARS).http.maxBodyBytes;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new PayloadTooLarge({
        message: `the request body is larger than ${maxSize} bytes (DATASPINE_MAX_BODY_BYTES)`,
      });
    },
  })(c, next);
};
