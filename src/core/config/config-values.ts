/**
 * The kinds of value the app's variables hold, as `effect/Config` readers. An unset or blank
 * variable takes the default; a value that does not parse fails with `InvalidData` at the
 * variable's name. Readers of secrets never put the value in their message.
 */
import * as Config from "effect/Config";
import * as ConfigError from "effect/ConfigError";
import * as Either from "effect/Either";
import * as LogLevel from "effect/LogLevel";
import * as Option from "effect/Option";
import * as Redacted from "effect/Redacted";
import { type AnomalySeverity, parseSeverity, SEVERITY_NAMES } from "../model/anomaly-vocabulary";

const invalid = (name: string, message: string) =>
  Either.left(ConfigError.InvalidData([name], message));

/** The trimmed text of `name`, or none when unset or blank. */
export const text = (name: string): Config.Config<Option.Option<string>> =>
  Config.option(Config.string(name)).pipe(
    Config.map(Option.flatMap((t) => (t.trim() === "" ? Option.none() : Option.some(t.trim())))),
  );

/** `name` parsed by `parse` (an error text, or the value), or `fallback` when unset. */
const parsed = <A>(
  name: string,
  fallback: A,
  parse: (text: string) => Either.Either<A, string>,
): Config.Config<A> =>
  text(name).pipe(
    Config.mapOrFail((value) =>
      Option.match(value, {
        onNone: () => Either.right(fallback),
        onSome: (t) =>
          Either.mapLeft(parse(t), (message) => ConfigError.InvalidData([name], message)),
      }),
    ),
  );

/** An integer within `min..max`. */
export const integer = (name: string, fallback: number, min: number, max: number) =>
  parsed(name, fallback, (t) => {
    const n = Number(t);
    return Number.isInteger(n) && n >= min && n <= max
      ? Either.right(n)
      : Either.left(`must be an integer ${min}..${max}; got "${t}"`);
  });

/** An integer above zero. */
export const positiveInteger = (name: string, fallback: number) =>
  integer(name, fallback, 1, Number.MAX_SAFE_INTEGER);

/** A number above zero, or none when unset. */
export const positiveNumber = (name: string) =>
  parsed<number | undefined>(name, undefined, (t) => {
    const n = Number(t);
    return Number.isFinite(n) && n > 0
      ? Either.right(n)
      : Either.left(`must be a number above 0; got "${t}"`);
  });

/** A share within 0..1. */
export const ratioOf = (t: string): Either.Either<number, string> => {
  const n = Number(t);
  return t !== "" && n >= 0 && n <= 1 ? Either.right(n) : Either.left(`must be 0..1; got "${t}"`);
};

/** A number within 0..1. */
export const ratio = (name: string, fallback: number) => parsed(name, fallback, ratioOf);

/** One of `choices` (case-insensitive). */
export const oneOf = <const A extends string>(
  name: string,
  fallback: A,
  choices: ReadonlyArray<A>,
) =>
  parsed(name, fallback, (t) => {
    const found = choices.find((c) => c === t.toLowerCase());
    return found ? Either.right(found) : Either.left(`must be one of ${choices.join(", ")}`);
  });

/** `true`/`1`/`yes` or `false`/`0`/`no`. */
export const flag = (name: string, fallback: boolean) =>
  parsed(name, fallback, (t) =>
    /^(true|1|yes)$/i.test(t)
      ? Either.right(true)
      : /^(false|0|no)$/i.test(t)
        ? Either.right(false)
        : Either.left(`must be true or false; got "${t}"`),
  );

/** A comma-separated list; blank entries dropped. */
export const list = (name: string, fallback: ReadonlyArray<string>) =>
  parsed(name, fallback, (t) =>
    Either.right(
      t
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    ),
  );

/** A severity threshold of an alert sink, or `off` (`OFF`, `NONE`): nothing goes there. */
export const minSeverity = (name: string, fallback: AnomalySeverity | "off") =>
  parsed<AnomalySeverity | "off">(name, fallback, (t) => {
    const upper = t.toUpperCase();
    if (upper === "OFF" || upper === "NONE") return Either.right("off");
    const severity = parseSeverity(upper);
    return severity
      ? Either.right(severity)
      : Either.left(`must be one of ${SEVERITY_NAMES.join(", ")}, OFF; got "${t}"`);
  });

/** An Effect log level by its label (`INFO`, `WARN`, `OFF`, …), or none when unset. */
export const logLevel = (name: string) =>
  parsed<LogLevel.LogLevel | undefined>(name, undefined, (t) => {
    const found = LogLevel.allLevels.find((l) => l.label === t.toUpperCase());
    return found
      ? Either.right(found)
      : Either.left(`must be one of ${LogLevel.allLevels.map((l) => l.label).join(", ")}`);
  });

/** A secret: redacted wherever it is printed; none when unset or blank. */
export const secret = (name: string): Config.Config<Option.Option<Redacted.Redacted<string>>> =>
  text(name).pipe(Config.map(Option.map((t) => Redacted.make(t))));

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
};

/** A secret http(s) URL; the error names the variable, never the value. */
export const secretUrl = (name: string) =>
  secret(name).pipe(
    Config.mapOrFail(
      (value): Either.Either<Option.Option<Redacted.Redacted<string>>, ConfigError.ConfigError> =>
        Option.isNone(value) || isHttpUrl(Redacted.value(value.value))
          ? Either.right(value)
          : invalid(name, "must be an http(s) URL"),
    ),
  );
