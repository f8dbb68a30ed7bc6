/**
 * The reconciliation primitives: incremental SHA-256 against Web Crypto, canonical JSONL,
 * field-level record diffs with tolerances, keyed batch diffs, and the human report.
 */
import { describe, expect, it } from "vitest";
import { canonicalJson, canonicalLine, sortRecords } from "../../src/reconciliation/canonical";
import {
  compareLines,
  DuplicateKey,
  diffBatches,
  diffRecords,
  sameValue,
} from "../../src/reconciliation/diff";
import { Sha256, sha256Of } from "../../src/reconciliation/incremental-sha256";
import { formatDiffReport } from "../../src/reconciliation/report";

const subtleHex = async (bytes: Uint8Array) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", bytes)).toString("hex");

describe("Sha256", () => {
  it("matches crypto.subtle at every padding boundary and fed in pieces", async () => {
    for (const length of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70_001]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + length) % 256);
      const expected = await subtleHex(bytes);
      expect(sha256Of(bytes)).toBe(expected);
      const pieces = new Sha256();
      for (let at = 0; at < length; at += 37) pieces.update(bytes.subarray(at, at + 37));
      expect(pieces.hex()).toBe(expected);
    }
  });

  it("hashes text as UTF-8", async () => {
    const text = "prix: 150,25 € — 株価\n";
    expect(sha256Of(text)).toBe(await subtleHex(new TextEncoder().encode(text)));
    expect(sha256Of("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("refuses to be used after its digest", () => {
    const hash = new Sha256().update("a");
    hash.hex();
    expect(() => hash.update("b")).toThrow(/after digest/);
  });
});

describe("canonical JSONL", () => {
  it("orders keys, nested ones too, whatever order they were built in", () => {
    expect(canonicalJson({ b: 1, a: { d: null, c: "x" } })).toBe('{"a":{"c":"x","d":null},"b":1}');
    expect(canonicalLine({ symbol: "AAPL", close: "1.5" })).toBe(
      '{"close":"1.5","symbol":"AAPL"}\n',
    );
  });

  it("orders rows by their key fields, then by content", () => {
    const rows = [
      { s: "MSFT", d: "2025-01-02", v: 1 },
      { s: "AAPL", d: "2025-01-03", v: 2 },
      { s: "AAPL", d: "2025-01-02", v: 3 },
    ];
    expect(sortRecords(rows, ["s", "d"]).map((r) => r.v)).toEqual([3, 2, 1]);
    expect(sortRecords([...rows].reverse(), ["s", "d"]).map((r) => r.v)).toEqual([3, 2, 1]);
  });
});

describe("diffRecords", () => {
  const stored = {
    symbol: "AAPL",
    close: "150.00",
    volume: 100,
    bar_start: "2025-01-02T05:00:00Z",
    capture_id: "c1",
    captured_at: "2025-01-02T21:00:00.000Z",
    execution_id: "e1",
    batch_id: "b1",
  };

  it("reports only the fields that differ, ignoring audit fields", () => {
    const replayed = { ...stored, close: "150.25", capture_id: "c2", execution_id: "e2" };
    expect(diffRecords(stored, replayed)).toEqual({ close: { old: "150.00", new: "150.25" } });
  });

  it("treats equal decimals, float artefacts and equal instants as equal", () => {
    const replayed = {
      ...stored,
      close: "150.0",
      volume: 100.00000000000001,
      bar_start: "2025-01-02T05:00:00.000Z",
    };
    expect(diffRecords(stored, replayed)).toEqual({});
    expect(sameValue(0.1 + 0.2, 0.3)).toBe(true);
    expect(sameValue("150", 150)).toBe(true);
    // Decimal text is exact: a difference in the last place is a difference.
    expect(sameValue("0.30000000000000004", "0.3")).toBe(false);
    expect(sameValue(0.3, 0.31)).toBe(false);
  });

  it("reports a missing field as null and a type change as a difference", () => {
    expect(diffRecords({ a: 1 }, { a: 1, b: "x" })).toEqual({ b: { old: null, new: "x" } });
    expect(diffRecords({ a: 1, b: null }, { a: 1 })).toEqual({});
    expect(diffRecords({ a: "SELL" }, { a: "sell" })).toEqual({ a: { old: "SELL", new: "sell" } });
  });

  it("applies per-field absolute, relative and timestamp tolerances", () => {
    const tolerances = {
      close: { absolute: 0.01 },
      volume: { relative: 0.001 },
      bar_start: { timestampMs: 1_000 },
    };
    const near = {
      ...stored,
      close: "150.01",
      volume: 100.05,
      bar_start: "2025-01-02T05:00:00.900Z",
    };
    expect(diffRecords(stored, near, { tolerances })).toEqual({});
    const far = { ...stored, close: "150.02", volume: 100.2, bar_start: "2025-01-02T05:00:01.5Z" };
    expect(Object.keys(diffRecords(stored, far, { tolerances }))).toEqual([
      "bar_start",
      "close",
      "volume",
    ]);
  });

  it("compares audit fields when told to ignore something else", () => {
    const replayed = { ...stored, capture_id: "c2", captured_at: "later" };
    expect(diffRecords(stored, replayed, { ignore: ["captured_at"] })).toEqual({
      capture_id: { old: "c1", new: "c2" },
    });
  });
});

describe("diffBatches", () => {
  const before = [
    { symbol: "AAPL", date: "2025-01-02", close: "150.00" },
    { symbol: "MSFT", date: "2025-01-02", close: "400" },
    { symbol: "IBM", date: "2025-01-02", close: "200" },
  ];
  const after = [
    { symbol: "MSFT", date: "2025-01-02", close: "401.5" },
    { symbol: "AAPL", date: "2025-01-02", close: "150.0" },
    { symbol: "NVDA", date: "2025-01-02", close: "120" },
  ];

  it("splits into added, removed and modified, keyed by several fields", () => {
    const diff = diffBatches(before, after, { key: ["symbol", "date"] });
    expect(diff.added).toEqual([{ symbol: "NVDA", date: "2025-01-02", close: "120" }]);
    expect(diff.removed).toEqual([{ symbol: "IBM", date: "2025-01-02", close: "200" }]);
    expect(diff.modified).toEqual([
      {
        key: { symbol: "MSFT", date: "2025-01-02" },
        diffs: { close: { old: "400", new: "401.5" } },
      },
    ]);
    expect(diff.summary).toEqual({
      old: 3,
      new: 3,
      added: 1,
      removed: 1,
      modified: 1,
      unchanged: 1,
    });
  });

  it("finds nothing between a batch and itself reordered", () => {
    const diff = diffBatches(before, [...before].reverse(), { key: ["symbol"] });
    expect(diff.summary).toMatchObject({ added: 0, removed: 0, modified: 0, unchanged: 3 });
  });

  it("refuses a batch with a repeated key", () => {
    const repeated = [...before, { symbol: "AAPL", date: "2025-01-03", close: "1" }];
    expect(() => diffBatches(repeated, after, { key: ["symbol"] })).toThrow(DuplicateKey);
    expect(diffBatches(repeated, after, { key: ["symbol", "date"] }).summary.removed).toBe(2);
  });

  it("reads as a report grouped by added, removed and modified", () => {
    const report = formatDiffReport(diffBatches(before, after, { key: ["symbol", "date"] }));
    expect(report).toBe(
      [
        "Reconciliation: 1 added, 1 removed, 1 modified, 1 unchanged (old 3, new 3)",
        "ADDED (1)",
        "  symbol=NVDA date=2025-01-02",
        "REMOVED (1)",
        "  symbol=IBM date=2025-01-02",
        "MODIFIED (1)",
        "  symbol=MSFT date=2025-01-02",
        "    close: 400 → 401.5",
      ].join("\n"),
    );
    expect(formatDiffReport(diffBatches(before, before, { key: ["symbol"] }))).toContain(
      "no differences",
    );
  });
});

describe("compareLines", () => {
  it("counts lines equal at the same position; extra lines differ", () => {
    expect(compareLines(["a", "b", "c"], ["a", "b", "c"])).toEqual({ matching: 3, differing: 0 });
    expect(compareLines(["a", "b", "c"], ["a", "x", "c", "d"])).toEqual({
      matching: 2,
      differing: 2,
    });
    expect(compareLines([], [])).toEqual({ matching: 0, differing: 0 });
  });
});
