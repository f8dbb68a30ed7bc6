/**
 * Delimited parsing: RFC 4180 quoting, CRLF, BOM and line numbers, whatever the chunking;
 * and a quoted execution file through the source's record loop, on the in-memory stores.
 */
import { readFileSync } from "node:fs";
import { it as effectIt } from "@effect/vitest";
import { Effect, Either, TestClock } from "effect";
import { describe, expect, it } from "vitest";
import { DelimitedReader, type DelimitedRow } from "../../src/core/ingest/parsing/delimited";
import { DelimitedTable } from "../../src/core/ingest/parsing/table";
import { Utf8Text } from "../../src/core/ingest/parsing/text";
import { hintsFromPartition, parseSourceLocation } from "../../src/core/ingest/source";
import { defaultSourcePartition } from "../../src/core/ingest/source-pipeline";
import { EXECUTION_CSV_DEFINITION } from "../../src/domains/trade_data/source";
import { logicLayer, storedQuarantine } from "../fixtures/memory-pipelines";
import { ingestOnce, memoryIngestPipeline, memorySource } from "../fixtures/memory-sources";
import { sourceFixture } from "../fixtures/sources";

const readAll = (text: string, chunkSize: number, delimiter = ","): Array<DelimitedRow> => {
  const reader = new DelimitedReader(delimiter);
  const rows: Array<DelimitedRow> = [];
  for (let i = 0; i < text.length; i += chunkSize) {
    const pushed = reader.push(text.slice(i, i + chunkSize));
    if (Either.isLeft(pushed)) throw pushed.left;
    rows.push(...pushed.right);
  }
  rows.push(...reader.end());
  return rows;
};

const SAMPLE =
  '\ufeffa,b,c\r\n1,"x, y",3\r\n\r\n2,"multi\r\nline ""q""",4\n5,6,7\n8,"open,9\n10,11,12';

describe("DelimitedReader", () => {
  it("reads quotes, embedded delimiters and line breaks, CRLF and LF, and a BOM", () => {
    const rows = readAll(SAMPLE, 1_000);
    expect(rows.map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "b", "c"]],
      [2, ["1", "x, y", "3"]],
      [4, ["2", 'multi\r\nline "q"', "4"]],
      [6, ["5", "6", "7"]],
      [7, ["8", "open,9\n10,11,12"]],
    ]);
    expect(rows[2]?.raw).toBe('2,"multi\r\nline ""q""",4');
    expect(rows[4]?.errors).toEqual(["unterminated quoted field (file cut short?)"]);
  });

  it("gives the same rows for every chunk size", () => {
    const whole = readAll(SAMPLE, 1_000);
    for (const size of [1, 2, 3, 5, 8, 13]) expect(readAll(SAMPLE, size)).toEqual(whole);
  });

  it("reads quote-free text (all rows from one papaparse call) and quoted text (a step per row) alike", () => {
    // Quote-free lines (LF, CRLF, blank lines with and without CR), then quoted ones, then
    // quote-free again: small chunks put some lines through each path, and every size must
    // agree.
    const text = 'h1,h2\n1,a\r\n\r\n\n2,b\n3,"c\nd"\n4,e\r\n5,f';
    const expected = [
      { line: 1, raw: "h1,h2", fields: ["h1", "h2"], errors: [] },
      { line: 2, raw: "1,a", fields: ["1", "a"], errors: [] },
      { line: 5, raw: "2,b", fields: ["2", "b"], errors: [] },
      { line: 6, raw: '3,"c\nd"', fields: ["3", "c\nd"], errors: [] },
      { line: 8, raw: "4,e", fields: ["4", "e"], errors: [] },
      { line: 9, raw: "5,f", fields: ["5", "f"], errors: [] },
    ];
    for (const size of [1, 2, 4, 7, 11, 1_000]) expect(readAll(text, size)).toEqual(expected);
  });

  it("refuses a record that grows past the limit", () => {
    const reader = new DelimitedReader(",", 10);
    const pushed = reader.push('a,b\n"never closed, and long');
    expect(Either.isLeft(pushed) && pushed.left).toMatchObject({ _tag: "RecordTooLarge", line: 2 });
  });
});

describe("DelimitedTable", () => {
  const table = () =>
    new DelimitedTable({ delimiter: "|", columns: ["a", "b"], optionalColumns: ["c"] });
  const row = (line: number, fields: Array<string>): DelimitedRow => ({
    line,
    raw: fields.join("|"),
    fields,
    errors: [],
  });

  it("maps columns by header name, in any order and case", () => {
    const t = table();
    expect(Either.getOrThrow(t.accept(row(1, ["B", "c", "A"])))).toBeUndefined();
    expect(Either.getOrThrow(t.accept(row(2, ["2", "3", "1"])))).toMatchObject({
      index: 2,
      fields: { a: "1", b: "2", c: "3" },
      problems: [],
    });
    expect(Either.getOrThrow(t.accept(row(3, ["1"])))).toMatchObject({
      problems: ["MALFORMED_ROW: expected 3 fields, got 1 (line 3)"],
      fields: {},
    });
  });

  it("refuses a header without the required columns or with duplicates", () => {
    const missing = table().accept(row(1, ["a", "x"]));
    expect(Either.isLeft(missing) && missing.left.message).toContain("missing column(s) b");
    const twice = table().accept(row(1, ["a", "b", "A"]));
    expect(Either.isLeft(twice) && twice.left.message).toContain("duplicate column(s) a");
  });
});

describe("Utf8Text", () => {
  it("decodes multi-byte characters split across chunks", () => {
    const bytes = new TextEncoder().encode("Société Générale €");
    const text = new Utf8Text();
    const parts = [bytes.subarray(0, 5), bytes.subarray(5, 11), bytes.subarray(11)].map((b) =>
      Either.getOrThrow(text.decode(b)),
    );
    expect(parts.join("") + Either.getOrThrow(text.end())).toBe("Société Générale €");
  });

  it("refuses NUL characters", () => {
    expect(Either.isLeft(new Utf8Text().decode(Uint8Array.of(0x61, 0, 0x62)))).toBe(true);
  });
});

describe("locations and partitions", () => {
  it("tells files from URLs and derives the default partition", () => {
    expect(parseSourceLocation("/tmp/x/trades.csv")).toEqual({
      _tag: "File",
      path: "/tmp/x/trades.csv",
    });
    expect(parseSourceLocation("file:///tmp/a%20b.csv")).toEqual({
      _tag: "File",
      path: "/tmp/a b.csv",
    });
    expect(defaultSourcePartition(parseSourceLocation("data/trades.csv"))).toBe("file:trades.csv");
    expect(
      defaultSourcePartition(
        parseSourceLocation("http://127.0.0.1:8790/v1/executions/2025-01-02/CLIENT_A.csv"),
      ),
    ).toBe("url:127.0.0.1:8790/CLIENT_A.csv");
    expect(hintsFromPartition("2025-01-02|CLIENT_A")).toEqual({
      date: "2025-01-02",
      scope: "CLIENT_A",
    });
    expect(hintsFromPartition("file:trades.csv")).toEqual({});
  });
});

describe("a CSV with BOM, CRLF and quoted fields, end to end", () => {
  effectIt.effect(
    "keeps quoted delimiters and line breaks inside fields and counts lines right",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.parse("2025-06-02T12:00:00.000Z"));
        const { source, table } = memorySource(EXECUTION_CSV_DEFINITION, (t) => t.trade_id);
        const path = "/data/executions-quoted.csv";
        const text = readFileSync(sourceFixture("executions-quoted.csv"), "utf8");
        const pipeline = memoryIngestPipeline(source, path, { [path]: text });
        const result = yield* ingestOnce(pipeline, "file:executions-quoted.csv");
        expect(result.counts).toEqual({ received: 3, valid: 2, quarantined: 1, written: 2 });
        const trades = [...table.values()].map((r) => r.row);
        // The quoted venue keeps its comma and CRLF: the seed's venue is any non-empty text.
        expect(trades.map((t) => [t.trade_id, t.symbol, t.venue])).toEqual([
          ["Q-2", "AAPL", "XN,\r\nAS"],
          ["Q-3", "MSFT", "XNYS"],
        ]);
        const bad = yield* storedQuarantine("file:executions-quoted.csv");
        expect(bad.map((b) => [b.index, b.reasons])).toEqual([
          [2, ['QUANTITY_VALIDITY: quantity must be a decimal number, got "1,000"']],
        ]);
        expect(bad[0]?.raw).toBe(
          '"Q-1",CLIENT_A,AAPL,BUY,"1,000",243.12,2025-01-02T14:31:05Z,XNAS',
        );
      }).pipe(Effect.provide(logicLayer())),
  );
});
