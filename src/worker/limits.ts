/**
 * Request limits: how deeply a body's JSON may nest and how much of an input an error message
 * echoes back (the largest body is a setting: `AppConfig.http.maxBodyBytes`).
 */

/** Deepest JSON nesting a request body may have; no route takes more than a few levels. */
export const MAX_JSON_DEPTH = 32;

/** Characters of an input an error message repeats before cutting it with `…`. */
export const ECHO_CHARS = 200;

/** Longest error message an HTTP answer carries. */
export const MESSAGE_CHARS = 1_000;

/** `text` cut to `max` characters, with `…` when something was cut. */
export const echo = (text: string, max = ECHO_CHARS): string =>
  text.length <= max ? text : `${text.slice(0, max)}…`;

/** An error message bounded to `MESSAGE_CHARS`, whatever its parts echoed. */
export const boundMessage = (message: string): string => echo(message, MESSAGE_CHARS);

/**
 * Whether JSON `text` nests arrays/objects deeper than `max`, found in one pass without
 * parsing (brackets inside strings do not count), so a hostile body never reaches a
 * recursive parser or formatter.
 */
export const nestsDeeperThan = (text: string, max: number): boolean => {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      depth++;
      if (depth > max) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
};
