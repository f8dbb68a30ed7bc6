/**
 * The Schemas every route decodes its params, query and body fields with: one definition of
 * a limit, a date, a time, a severity, a flag, a bounded name. Each decodes text and fails
 * with "must be <what>, got "<input cut to 200 characters>""; its `jsonSchema` annotation is
 * what `GET /openapi.json` says the field accepts.
 */
import type * as JSONSchema from "effect/JSONSchema";
import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";
import { parseIsoDate } from "../calendar/dates";
import {
  CATEGORIES,
  parseCategory,
  parseSeverity,
  SEVERITIES,
  SEVERITY_NAMES,
} from "../core/model/anomaly-vocabulary";
import { echo } from "./limits";

/** Longest name, key or id a request may carry. */
export const MAX_TEXT = 200;

/**
 * Text decoded by `parse` (undefined = refused) into a value of `to`; `accepts` describes the
 * text for the OpenAPI document (default: any string, described by `expected`).
 */
const textParam = <A, I>(
  expected: string,
  parse: (text: string) => A | undefined,
  to: Schema.Schema<A, I>,
  accepts: JSONSchema.JsonSchema7 = { type: "string" },
) =>
  Schema.transformOrFail(Schema.String, Schema.typeSchema(to), {
    strict: true,
    decode: (text, _, ast) => {
      const value = parse(text);
      return value === undefined
        ? ParseResult.fail(
            new ParseResult.Type(ast, text, `must be ${expected}, got "${echo(text)}"`),
          )
        : ParseResult.succeed(value);
    },
    encode: (value) => ParseResult.succeed(String(value)),
  }).annotations({
    jsonSchema: {
      ...accepts,
      description: accepts.description ? `${expected}; ${accepts.description}` : expected,
    },
  });

/** A name, key or id: at most 200 characters (what it names is checked by the route). */
export const Text = textParam(
  `at most ${MAX_TEXT} characters`,
  (text) => (text.length <= MAX_TEXT ? text : undefined),
  Schema.String,
  { type: "string", maxLength: MAX_TEXT },
);

/** A rule or category name, upper-cased. */
export const UpperText = textParam(
  `at most ${MAX_TEXT} characters`,
  (text) => (text.length <= MAX_TEXT ? text.toUpperCase() : undefined),
  Schema.String,
  { type: "string", maxLength: MAX_TEXT, description: "any case (upper-cased)" },
);

/** `limit=`: an integer in 1..max (digits only), `fallback` when absent. */
export const Limit = (max: number, fallback: number) =>
  Schema.optionalWith(
    textParam(
      `an integer 1..${max}`,
      (text) => (/^\d{1,10}$/.test(text) && +text >= 1 && +text <= max ? +text : undefined),
      Schema.Number,
      { type: "integer", minimum: 1, maximum: max, default: fallback },
    ),
    { default: () => fallback },
  );

/** A calendar date `YYYY-MM-DD` (a real day: 2025-02-30 is refused). */
export const IsoDate = textParam("a date YYYY-MM-DD", parseIsoDate, Schema.String, {
  type: "string",
  format: "date",
});

const INSTANT =
  /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * A date or a time (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`, UTC when no zone
 * is given), strictly: four-digit years, real days and clock times. Decodes to ISO UTC.
 */
export const parseInstant = (text: string): string | undefined => {
  const match = INSTANT.exec(text);
  if (!match || parseIsoDate(match[1] ?? "") === undefined) return undefined;
  const [hour, minute, second] = [match[2], match[3], match[4]].map((s) => Number(s ?? 0));
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return undefined;
  const zoned = match[2] !== undefined && match[5] === undefined ? `${text}Z` : text;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

/** `since=`: a date or time, see `parseInstant`. */
export const Instant = textParam(
  "an ISO-8601 date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM:SSZ)",
  parseInstant,
  Schema.String,
  { type: "string", pattern: INSTANT.source },
);

/** One of `values`, matched exactly. */
export const OneOf = <const L extends ReadonlyArray<string>>(values: L) =>
  textParam(
    `one of ${values.join(", ")}`,
    (text) => values.find((v): v is L[number] => v === text),
    Schema.Literal(...values),
    { type: "string", enum: [...values] },
  );

/**
 * An anomaly severity, any case, ours or the seed's name (`WARN` → MEDIUM,
 * docs/anomalies.md); as a filter it is a minimum.
 */
export const Severity = textParam(
  `one of ${SEVERITY_NAMES.join(", ")}`,
  parseSeverity,
  Schema.Literal(...SEVERITIES),
  { type: "string", examples: [...SEVERITY_NAMES], description: "any case; a minimum" },
);

/** One of the seed's anomaly categories, any case. */
export const Category = textParam(
  `one of ${CATEGORIES.join(", ")}`,
  parseCategory,
  Schema.Literal(...CATEGORIES),
  { type: "string", examples: [...CATEGORIES], description: "any case" },
);

/** `true`/`1` or `false`/`0`. */
export const Flag = textParam(
  "true or false",
  (text) =>
    text === "true" || text === "1" ? true : text === "false" || text === "0" ? false : undefined,
  Schema.Boolean,
  { type: "string", enum: ["true", "false", "1", "0"] },
);

/** An optional field that is absent rather than `undefined` (exact optional properties). */
export const optional = <S extends Schema.Schema.All>(schema: S) =>
  Schema.optionalWith(schema, { exact: true });
