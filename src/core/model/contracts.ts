/**
 * Data contracts as `effect/Schema` fields that decode raw values into canonical ones.
 *
 * Every failure message is structured as `CONTRACT_NAME: specific violation`, e.g.
 * `PRICE_VALIDITY: close must be positive, got -10.5`, and decoding collects all of them
 * so a quarantined record lists every contract it broke.
 */
import * as Either from "effect/Either";
import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";
import { objectShape } from "./object-shape";

/** Builds a structured violation message. */
export const violation = (contract: string, message: string): string => `${contract}: ${message}`;

/**
 * What a field check returns instead of a value when the value breaks its contract. A check
 * returns the canonical value itself when it passes, so the common case allocates nothing.
 */
export class Broken {
  constructor(readonly message: string) {}
}

/** A `Broken` with a structured violation message. */
export const broken = (contract: string, message: string): Broken =>
  new Broken(violation(contract, message));

/** Shows a raw value in a violation message. */
export const showValue = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null)
    return String(value);
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const isAbsent = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === "string" && value.trim() === "");

/** The plain check behind each contract field, for `decodeContract`'s fast path. */
const FIELD_CHECKS = new WeakMap<
  object,
  { readonly field: string; readonly check: (value: unknown) => unknown }
>();

/**
 * A contract field: decodes `unknown` with `check`, which returns the canonical value or a
 * `Broken` with the violation message. Absent values (missing, null, empty text) are `REQUIRED_FIELDS`.
 */
export const contractField = <A>(field: string, check: (value: unknown) => A | Broken) => {
  const schema = Schema.transformOrFail(Schema.Unknown, Schema.Any as Schema.Schema<A>, {
    strict: true,
    decode: (value, _, ast) => {
      if (isAbsent(value)) {
        return ParseResult.fail(
          new ParseResult.Type(ast, value, violation("REQUIRED_FIELDS", `${field} is required`)),
        );
      }
      const checked = check(value);
      return checked instanceof Broken
        ? ParseResult.fail(new ParseResult.Type(ast, value, checked.message))
        : ParseResult.succeed(checked);
    },
    encode: (value) => ParseResult.succeed(value),
  });
  FIELD_CHECKS.set(schema, { field, check });
  return schema;
};

interface FastPlan {
  readonly entries: ReadonlyArray<{
    readonly key: string;
    readonly check: (value: unknown) => unknown;
    readonly field: string;
  }>;
  /**
   * Every key, in field order: copying it gives each output object its final shape at once
   * (`objectShape`). A decode that succeeds sets every key.
   */
  readonly shape: Readonly<Record<string, null>>;
}
const plans = new WeakMap<object, FastPlan | null>();

/**
 * A struct whose every property is a contract field can be checked by calling the fields'
 * checks directly — the same rules and messages as the Schema path, much faster, which
 * matters when a file has millions of records. Anything else (optional fields, nested
 * schemas) returns null and goes through Schema.
 */
const fastPlanOf = (schema: Schema.Schema.Any): FastPlan | null => {
  const cached = plans.get(schema);
  if (cached !== undefined) return cached;
  const fields = (schema as { readonly fields?: Readonly<Record<string, unknown>> }).fields;
  let plan: FastPlan | null = null;
  if (fields !== undefined && typeof fields === "object") {
    const entries = Object.entries(fields).map(([key, field]) => {
      const registered =
        typeof field === "object" || typeof field === "function"
          ? FIELD_CHECKS.get(field as object)
          : undefined;
      return registered ? { key, ...registered } : undefined;
    });
    plan = entries.every((e) => e !== undefined)
      ? {
          entries,
          shape: objectShape(
            entries.map((e) => e.key),
            null,
          ),
        }
      : null;
  }
  plans.set(schema, plan);
  return plan;
};

const withProblem = (problems: Array<string> | undefined, problem: string): Array<string> => {
  const all = problems ?? [];
  all.push(problem);
  return all;
};

/**
 * Checks one value against its field's contract: stores the canonical value in `out`, or
 * returns the violation.
 */
const checkEntry = (
  entry: FastPlan["entries"][number],
  value: unknown,
  out: Record<string, unknown>,
): string | undefined => {
  if (isAbsent(value)) return violation("REQUIRED_FIELDS", `${entry.field} is required`);
  const checked = entry.check(value);
  if (checked instanceof Broken) return checked.message;
  out[entry.key] = checked;
  return undefined;
};

const decoded = (out: Record<string, unknown>, problems: Array<string> | undefined) =>
  problems === undefined ? Either.right(out) : Either.left([...new Set(problems)]);

const decodeFast = (plan: FastPlan, raw: Readonly<Record<string, unknown>>) => {
  const out: Record<string, unknown> = { ...plan.shape };
  // Allocated on the first violation only: most records of a feed have none.
  let problems: Array<string> | undefined;
  const entries = plan.entries;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as FastPlan["entries"][number];
    const problem = checkEntry(
      entry,
      Object.hasOwn(raw, entry.key) ? raw[entry.key] : undefined,
      out,
    );
    if (problem !== undefined) problems = withProblem(problems, problem);
  }
  return decoded(out, problems);
};

/**
 * A record that broke its contracts, with every violation: what a row decoder returns instead
 * of `Either.left`, so a record that passes costs no wrapper object.
 */
export class Rejected {
  constructor(readonly reasons: ReadonlyArray<string>) {}
}

/** Where a contract key's value comes from in a row: a field position, or a fixed value. */
export type RowPlace = number | { readonly value: unknown };

/**
 * Decodes positional rows (a delimited row's fields, row-major from `start`) against a contract
 * whose every property is a contract field: `place(key)` says where each key's value is. The
 * same checks, messages and order as `decodeContract` on the object the row maps to, without
 * building that object.
 */
export const contractRowDecoder = <A, I>(
  schema: Schema.Schema<A, I>,
  place: (key: string) => RowPlace,
): ((fields: ReadonlyArray<unknown>, start: number) => A | Rejected) => {
  const plan = fastPlanOf(schema);
  if (plan === null) throw new Error("contractRowDecoder: the schema has no fast decode path");
  const entries = plan.entries;
  const places = entries.map((e) => place(e.key));
  const positions = places.map((p) => (typeof p === "number" ? p : -1));
  const fixed = places.map((p) => (typeof p === "number" ? undefined : p.value));
  return (fields, start) => {
    const out: Record<string, unknown> = { ...plan.shape };
    let problems: Array<string> | undefined;
    for (let i = 0; i < entries.length; i++) {
      const at = positions[i] as number;
      const value = at < 0 ? fixed[i] : fields[start + at];
      const problem = checkEntry(entries[i] as FastPlan["entries"][number], value, out);
      if (problem !== undefined) problems = withProblem(problems, problem);
    }
    return problems === undefined ? (out as A) : new Rejected([...new Set(problems)]);
  };
};
/** Decodes through `effect/Schema` only (the reference behaviour of `decodeContract`). */
export const decodeContractWithSchema = <A, I>(
  schema: Schema.Schema<A, I>,
  raw: unknown,
): Either.Either<A, ReadonlyArray<string>> => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return Either.left([
      violation("REQUIRED_FIELDS", `record must be an object, got ${showValue(raw)}`),
    ]);
  }
  return Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "ignore" })(
    raw,
  ).pipe(
    Either.mapLeft((error) => {
      const messages = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => {
        const where = issue.path.length > 0 ? issue.path.join(".") : "record";
        if (issue._tag === "Missing") return violation("REQUIRED_FIELDS", `${where} is required`);
        return /^[A-Z_]+: /.test(issue.message)
          ? issue.message
          : violation("SCHEMA", `${where} ${issue.message}`);
      });
      return [...new Set(messages)];
    }),
  );
};

/**
 * Decodes a raw record against a contract schema and returns the canonical value or every
 * violation message, in field order, without duplicates.
 */
export const decodeContract = <A, I>(
  schema: Schema.Schema<A, I>,
  raw: unknown,
): Either.Either<A, ReadonlyArray<string>> => {
  const plan = fastPlanOf(schema);
  if (plan === null || typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return decodeContractWithSchema(schema, raw);
  }
  return decodeFast(plan, raw as Readonly<Record<string, unknown>>) as Either.Either<
    A,
    ReadonlyArray<string>
  >;
};
