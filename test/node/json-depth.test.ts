/**
 * JSON nesting depth, found by a scan of the text: brackets in strings (escaped quotes
 * included) do not count; the first bracket past the limit is reported.
 */
import { describe, expect, it } from "vitest";
import { jsonTooDeep, MAX_JSON_DEPTH } from "../../src/core/ingest/parsing/json-depth";

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("jsonTooDeep", () => {
  it("accepts nesting up to the limit and reports the first bracket past it", () => {
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH + 1))).toBe(MAX_JSON_DEPTH);
    expect(jsonTooDeep('{"a":{"b":[1,{"c":2}]}}', 3)).toBe(13);
    expect(jsonTooDeep('{"a":{"b":[1,{"c":2}]}}', 4)).toBeUndefined();
  });

  it("does not count brackets inside strings, escaped quotes included", () => {
    expect(jsonTooDeep(`["${"[".repeat(500)}"]`, 2)).toBeUndefined();
    expect(jsonTooDeep(`["a\\"[[[[", "\\\\", [[1]]]`, 3)).toBeUndefined();
    expect(jsonTooDeep(`["a\\"[[[[", "\\\\", [[[1]]]]`, 3)).toBe(20);
  });

  it("scans 100,000 levels without recursion", () => {
    expect(jsonTooDeep(nested(100_000))).toBe(MAX_JSON_DEPTH);
  });
});
