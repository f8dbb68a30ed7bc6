/**
 * Request decoding in one place: path params, query strings and JSON bodies are decoded by
 * the Effect Schemas of the route's declaration (`api/register.ts`), so a handler gets its
 * input decoded and never parses by hand. A failure is `InvalidRequest` naming the first bad field
 * with its input cut to 200 characters; bodies are bounded in size (413) and nesting (400).
 */
import * as Either from "effect/Either";
import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
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

/**
 * The query string as a record, as Hono's validator reads it: a repeated parameter is a list
 * (which the Schemas refuse); an empty value (`?limit=`) counts as absent.
 */
export const queryOf = (c: Context): Record<string, string | ReadonlyArray<string>> =>
  Object.fromEntries(
    Object.entries(c.req.queries())
      .map(([key, values]) => [key, values.length === 1 ? values[0] : values] as const)
      .filter((entry): entry is readonly [string, string | Array<string>] => {
        const value = entry[1];
        return value !== "" && value !== undefined;
      }),
  );

/**
 * Reads the body as JSON, whatever its content type (`curl -d` sends a form type), after
 * refusing nesting deeper than `MAX_JSON_DEPTH`, and decodes it. `shape` completes "body
 * must be …".
 */
export const decodeJsonBody = async <A, I>(
  c: Context,
  schema: Schema.Schema<A, I>,
  shape: string,
): Promise<A> => {
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
  return decodeOrThrow(schema, body, (detail) => `body must be ${shape}: ${detail}`);
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
