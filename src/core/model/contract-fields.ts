/**
 * The contract fields the domains build their records from: exact decimals, prices and
 * volumes, codes and symbols, dates and UTC timestamps, required text, fixed value sets.
 * Each is a `contractField` (`./contracts.ts`), so it takes the fast decode path.
 */
import { canonicalUtcMs, instantMs } from "../../calendar/dates";
import { type Broken, broken, contractField, showValue, violation } from "./contracts";
import { type Decimal, decimalFromNumber, parseDecimal, signOfDecimal } from "./decimal";

/** Reads a decimal from a JSON number or decimal text. */
export const readDecimal = (value: unknown): Decimal | undefined =>
  typeof value === "number"
    ? decimalFromNumber(value)
    : typeof value === "string"
      ? parseDecimal(value)
      : undefined;

/** A positive exact decimal under a named contract (quantities, share counts as decimals). */
export const positiveDecimal = (field: string, contract: string) =>
  contractField(field, (value): Decimal | Broken => {
    const decimal = readDecimal(value);
    if (decimal === undefined) {
      return broken(contract, `${field} must be a decimal number, got ${showValue(value)}`);
    }
    return signOfDecimal(decimal) > 0
      ? decimal
      : broken(contract, `${field} must be positive, got ${decimal}`);
  });

/** PRICE_VALIDITY: an exact decimal strictly greater than zero. */
export const positivePrice = (field: string) => positiveDecimal(field, "PRICE_VALIDITY");

/** VOLUME_VALIDITY (or another contract): a whole number ≥ 0 within the safe range. */
export const nonNegativeInteger = (field: string, contract = "VOLUME_VALIDITY") =>
  contractField(field, (value): number | Broken => {
    const decimal = readDecimal(value);
    const number = decimal === undefined ? Number.NaN : Number(decimal);
    if (decimal === undefined || !Number.isSafeInteger(number) || decimal.includes(".")) {
      return broken(contract, `${field} must be a non-negative integer, got ${showValue(value)}`);
    }
    return number >= 0 ? number : broken(contract, `${field} must be non-negative, got ${decimal}`);
  });

/**
 * A code of 1–`maxChars` upper-case letters or digits under a named contract (symbols, venue
 * MICs, MPIDs). Lower case is a violation, not fixed up.
 */
export const upperCodeField = (field: string, contract: string, maxChars: number) => {
  const pattern = new RegExp(`^[A-Z0-9]{1,${maxChars}}$`);
  return contractField(field, (value): string | Broken =>
    typeof value === "string" && pattern.test(value)
      ? value
      : broken(
          contract,
          `${field} must be 1-${maxChars} upper-case letters or digits, got ${showValue(value)}`,
        ),
  );
};

/** SYMBOL_FORMAT: 1–10 upper-case letters or digits. */
export const symbolField = (field = "symbol") => upperCodeField(field, "SYMBOL_FORMAT", 10);

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether text is a real calendar date `YYYY-MM-DD`. */
export const isIsoDate = (text: string): boolean => {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
};

/** DATE_VALIDITY: a calendar date `YYYY-MM-DD`. */
export const isoDateField = (field: string) =>
  contractField(field, (value): string | Broken =>
    typeof value === "string" && isIsoDate(value)
      ? value
      : broken("DATE_VALIDITY", `${field} must be a date YYYY-MM-DD, got ${showValue(value)}`),
  );

const ZONED_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The slow path of `utcTimestampField`: anything but canonical UTC text. */
const normalisedTimestamp = (field: string, value: unknown): string | Broken => {
  const fail = (why: string) =>
    broken("TIMESTAMP_VALIDITY", `${field} ${why}, got ${showValue(value)}`);
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0
      ? new Date(value).toISOString()
      : fail("must be epoch milliseconds");
  }
  if (typeof value !== "string") return fail("must be an ISO-8601 timestamp");
  if (!ZONED_TIMESTAMP.test(value)) return fail("must be ISO-8601 with a UTC offset");
  // `Date.parse` rolls impossible fields over (Feb 29 of 2025 → Mar 1, 24:00 → next day).
  if (!isIsoDate(value.slice(0, 10)) || Number(value.slice(11, 13)) > 23) {
    return fail("is not a valid instant");
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? fail("is not a valid instant") : new Date(ms).toISOString();
};

/**
 * TIMESTAMP_VALIDITY: a time-zone-aware instant, normalised to ISO-8601 UTC. Accepts epoch
 * milliseconds or ISO text with `Z` or an offset; text without a zone is a violation.
 */
export const utcTimestampField = (field: string) =>
  contractField(field, (value): string | Broken => {
    // Already canonical UTC (a valid instant written as `toISOString` would): kept as is.
    if (typeof value === "string" && canonicalUtcMs(value) !== undefined) {
      return value;
    }
    return normalisedTimestamp(field, value);
  });

/** REQUIRED_FIELDS: text, trimmed; empty or whitespace-only text is absent. */
export const requiredText = (field: string) =>
  contractField(field, (value): string | Broken =>
    typeof value === "string"
      ? value.trim()
      : broken("REQUIRED_FIELDS", `${field} must be text, got ${showValue(value)}`),
  );

/** The future tolerance of TIMESTAMP_VALIDITY: 5 minutes. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** TIMESTAMP_VALIDITY: not more than 5 minutes after `nowMs` (`ms`: `isoUtc` already read). */
export const notInFuture = (
  field: string,
  isoUtc: string,
  nowMs: number,
  ms = instantMs(isoUtc),
): string | undefined =>
  ms > nowMs + FUTURE_TOLERANCE_MS
    ? violation(
        "TIMESTAMP_VALIDITY",
        `${field} must not be more than 5 minutes in the future, got ${isoUtc} (now ${new Date(nowMs).toISOString()})`,
      )
    : undefined;

/**
 * `notInFuture` for many timestamps at one `nowMs`: canonical UTC text (24 characters, which
 * sorts as its instant does) is compared with the limit as text, without reading its digits.
 */
export const futureCheck = (field: string, nowMs: number) => {
  const limit = Number.isSafeInteger(nowMs)
    ? new Date(nowMs + FUTURE_TOLERANCE_MS).toISOString()
    : "";
  return (isoUtc: string): string | undefined =>
    isoUtc.length === 24 && limit.length === 24 && isoUtc <= limit
      ? undefined
      : notInFuture(field, isoUtc, nowMs);
};

/** One of a fixed set of values, exactly (no case folding), under a named contract. */
export const oneOfField = <const V extends string>(
  field: string,
  contract: string,
  allowed: ReadonlyArray<V>,
) =>
  contractField(field, (value): V | Broken =>
    typeof value === "string" && (allowed as ReadonlyArray<string>).includes(value)
      ? (value as V)
      : broken(contract, `${field} must be one of ${allowed.join(", ")}, got ${showValue(value)}`),
  );
