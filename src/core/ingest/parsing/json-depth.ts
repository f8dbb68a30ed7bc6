/**
 * How deeply JSON text nests arrays and objects, found by scanning the text (no recursion, no
 * parse). `JSON.parse` takes any depth, but everything after it that walks the value
 * recursively (`JSON.stringify` of a record's raw text, schema decoding, error messages)
 * overflows the stack past a few thousand levels; market-data payloads nest a handful.
 */

/** Deepest nesting a JSON payload may have. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;

/**
 * The offset of the first array or object that nests deeper than `limit` in `text`, or
 * undefined. Brackets inside strings do not count.
 */
export const jsonTooDeep = (text: string, limit: number = MAX_JSON_DEPTH): number | undefined => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      depth += 1;
      if (depth > limit) return i;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth -= 1;
  }
  return undefined;
};
