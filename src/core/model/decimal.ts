/**
 * Exact decimal numbers as canonical strings.
 *
 * Prices are stored and compared as text so that no value ever passes through binary
 * floating point once it has been mapped. The canonical form has no leading zeros, no
 * trailing fractional zeros, no exponent and no `+` sign: `150.00` → `150`, `0.50` → `0.5`,
 * `-0` → `0`. Equal numbers therefore always have byte-identical text.
 */
import type * as Brand from "effect/Brand";

/** A decimal number in canonical text form. */
export type Decimal = string & Brand.Brand<"Decimal">;

const DECIMAL_TEXT = /^([+-])?(\d+)(?:\.(\d+))?$/;
const DECIMAL_TEXT_WITH_EXPONENT = /^([+-])?(\d+)(?:\.(\d*))?[eE]([+-]?\d+)$/;

interface Parts {
  readonly negative: boolean;
  readonly digits: string;
  /** Number of digits of `digits` after the decimal point. */
  readonly scale: number;
}

const fromParts = ({ negative, digits, scale }: Parts): Decimal => {
  let intPart = scale > 0 ? digits.slice(0, digits.length - scale) : digits;
  let fracPart = scale > 0 ? digits.slice(digits.length - scale) : "";
  if (intPart.length === 0) intPart = "0";
  intPart = intPart.replace(/^0+(?=\d)/, "");
  fracPart = fracPart.replace(/0+$/, "");
  const isZero = /^0$/.test(intPart) && fracPart.length === 0;
  const body = fracPart.length > 0 ? `${intPart}.${fracPart}` : intPart;
  return (negative && !isZero ? `-${body}` : body) as Decimal;
};

const padLeft = (digits: string, scale: number): string =>
  digits.length > scale ? digits : "0".repeat(scale - digits.length + 1) + digits;

const ZERO = 48;
const NINE = 57;

/**
 * Whether text is already a canonical decimal (`-?(0|[1-9]\d*)(\.\d*[1-9])?`, not `-0`): the
 * common case of a feed's prices and quantities, recognised by one scan without allocating.
 */
export const isCanonicalDecimal = (text: string): boolean => {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  const negative = i === 1;
  if (i >= n) return false;
  const first = text.charCodeAt(i);
  if (first < ZERO || first > NINE) return false;
  i++;
  if (first === ZERO) {
    // "0" alone, or "0." + fraction; "-0" is not canonical.
    if (i === n) return !negative;
  } else {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      i++;
    }
    if (i === n) return true;
  }
  if (text.charCodeAt(i) !== 46 /* . */ || i + 1 === n) return false;
  for (i += 1; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
  }
  return text.charCodeAt(n - 1) !== ZERO;
};

/**
 * The canonical form of text that is canonical but for trailing fractional zeros
 * (`"150.10"` → `"150.1"`, `"-0.00"` → `"0"`): a price with a fixed number of decimals, read
 * by one scan and one slice. Undefined for any other text.
 */
const withoutTrailingZeros = (text: string): Decimal | undefined => {
  const n = text.length;
  const negative = text.charCodeAt(0) === 45; /* - */
  let i = negative ? 1 : 0;
  const first = text.charCodeAt(i);
  if (first < ZERO || first > NINE) return undefined;
  i++;
  if (first !== ZERO) {
    while (i < n && text.charCodeAt(i) >= ZERO && text.charCodeAt(i) <= NINE) i++;
  }
  const dot = i;
  if (dot + 1 >= n || text.charCodeAt(dot) !== 46 /* . */) return undefined;
  let end = dot;
  for (i = dot + 1; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return undefined;
    if (c !== ZERO) end = i + 1;
  }
  const body = text.slice(0, end);
  return (negative && end === dot && first === ZERO ? "0" : body) as Decimal;
};

/**
 * Parses decimal text (`"150.25"`, `"-0.5"`, `"1e-7"`) into canonical form.
 * Returns `undefined` for anything that is not a finite decimal number.
 */
export const parseDecimal = (text: string): Decimal | undefined => {
  if (isCanonicalDecimal(text)) return text as Decimal;
  const fixed = withoutTrailingZeros(text);
  if (fixed !== undefined) return fixed;
  const trimmed = text.trim();
  const plain = DECIMAL_TEXT.exec(trimmed);
  if (plain) {
    const frac = plain[3] ?? "";
    return fromParts({
      negative: plain[1] === "-",
      digits: (plain[2] ?? "") + frac,
      scale: frac.length,
    });
  }
  const exp = DECIMAL_TEXT_WITH_EXPONENT.exec(trimmed);
  if (!exp) return undefined;
  const frac = exp[3] ?? "";
  const exponent = Number(exp[4]);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 400) return undefined;
  let digits = (exp[2] ?? "") + frac;
  let scale = frac.length - exponent;
  if (scale < 0) {
    digits += "0".repeat(-scale);
    scale = 0;
  }
  return fromParts({ negative: exp[1] === "-", digits: padLeft(digits, scale), scale });
};

/**
 * Converts a JSON number to an exact decimal.
 *
 * JavaScript prints the shortest text that round-trips to the same double, so any
 * decimal the source wrote with up to 15 significant digits comes back exactly as
 * written: `130.28` stays `130.28`, never `130.280000000000001`.
 */
export const decimalFromNumber = (value: number): Decimal | undefined =>
  Number.isFinite(value) ? parseDecimal(String(value)) : undefined;

const toParts = (value: Decimal): Parts => {
  const negative = value.startsWith("-");
  const body = negative ? value.slice(1) : value;
  const dot = body.indexOf(".");
  return dot < 0
    ? { negative, digits: body, scale: 0 }
    : { negative, digits: body.slice(0, dot) + body.slice(dot + 1), scale: body.length - dot - 1 };
};

const toScaled = (value: Decimal, scale: number): bigint => {
  const parts = toParts(value);
  const magnitude = BigInt(parts.digits) * 10n ** BigInt(scale - parts.scale);
  return parts.negative ? -magnitude : magnitude;
};

/** Compares two decimals exactly: negative if `a < b`, 0 if equal, positive if `a > b`. */
export const compareDecimal = (a: Decimal, b: Decimal): number => {
  const scale = Math.max(toParts(a).scale, toParts(b).scale);
  const diff = toScaled(a, scale) - toScaled(b, scale);
  return diff === 0n ? 0 : diff < 0n ? -1 : 1;
};

/** The sign of a decimal: -1, 0 or 1. */
export const signOfDecimal = (value: Decimal): -1 | 0 | 1 =>
  value === "0" ? 0 : value.startsWith("-") ? -1 : 1;

/** Adds two decimals exactly. */
export const addDecimal = (a: Decimal, b: Decimal): Decimal => {
  const scale = Math.max(toParts(a).scale, toParts(b).scale);
  const sum = toScaled(a, scale) + toScaled(b, scale);
  const negative = sum < 0n;
  const magnitude = (negative ? -sum : sum).toString();
  return fromParts({ negative, digits: padLeft(magnitude, scale), scale });
};
