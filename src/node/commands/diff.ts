/**
 * `dataspine diff <a.jsonl> <b.jsonl> --key f1,f2 [--ignore f,…] [--tolerance f=abs:0.01]…
 * [--json]`: a keyed, field-level diff of two JSONL files (a is old, b is new).
 *
 * Exit code 0 when they agree, 1 when they differ, 2 on bad usage or input.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import {
  AUDIT_FIELDS,
  compareLines,
  DuplicateKey,
  diffBatches,
  type FieldTolerance,
} from "../../reconciliation/diff";
import { formatDiffReport } from "../../reconciliation/report";
import { type Command, commandArgs, print, UsageError } from "./shared";

const USAGE =
  "dataspine diff <a.jsonl> <b.jsonl> --key f1,f2 [--ignore f1,f2] " +
  "[--tolerance field=abs:X|rel:X|ms:N]… [--json]";

/** Bad input file: reported with its path and line. */
class InputError extends Error {}

/** Reads a JSONL file (records and their lines); every non-empty line must be a JSON object. */
export const readJsonl = async (path: string) => {
  const records: Array<Record<string, unknown>> = [];
  const texts: Array<string> = [];
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  try {
    for await (const line of lines) {
      n += 1;
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new InputError(`${path}:${n}: not JSON (${String(error)})`);
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new InputError(`${path}:${n}: a line must be a JSON object`);
      }
      records.push(value as Record<string, unknown>);
      texts.push(line);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { records, lines: texts };
};

/** `field=abs:X`, `field=rel:X` or `field=ms:N`, repeatable per field. */
export const parseTolerances = (specs: ReadonlyArray<string>) => {
  const out: Record<string, FieldTolerance> = {};
  for (const spec of specs) {
    const match = /^([^=]+)=(abs|rel|ms):([0-9.eE+-]+)$/.exec(spec);
    const amount = match ? Number(match[3]) : Number.NaN;
    if (!match || !Number.isFinite(amount) || amount < 0) {
      throw new UsageError(
        `--tolerance must be field=abs:X, field=rel:X or field=ms:N, got "${spec}"`,
      );
    }
    const field = match[1] as string;
    const kind = { abs: "absolute", rel: "relative", ms: "timestampMs" }[match[2] as "abs"];
    out[field] = { ...out[field], [kind]: amount };
  }
  return out;
};

const fieldList = (text: string | undefined) =>
  (text ?? "")
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f.length > 0);

export const diffCommand: Command = {
  name: "diff",
  offline: true,
  usage: USAGE,
  run: async (argv) => {
    const { values, positionals } = commandArgs(argv, {
      key: { type: "string" },
      ignore: { type: "string" },
      tolerance: { type: "string", multiple: true, default: [] },
    });
    const [a, b] = positionals;
    const key = fieldList(values.key);
    if (!a || !b || positionals.length !== 2 || key.length === 0) {
      throw new UsageError("diff needs two files and --key f1[,f2…]");
    }
    const tolerances = parseTolerances(values.tolerance);
    const ignore = values.ignore === undefined ? AUDIT_FIELDS : fieldList(values.ignore);
    try {
      const [before, after] = await Promise.all([readJsonl(a), readJsonl(b)]);
      const diff = diffBatches(before.records, after.records, { key, ignore, tolerances });
      const lines = compareLines(before.lines, after.lines);
      print(
        values.json,
        {
          added: diff.added,
          removed: diff.removed,
          modified: diff.modified,
          summary: diff.summary,
          lines,
        },
        `${formatDiffReport(diff, { title: `${a} → ${b}` })}\nlines: ${lines.matching} matching, ${lines.differing} differing`,
      );
      return diff.summary.added + diff.summary.removed + diff.summary.modified === 0 ? 0 : 1;
    } catch (error) {
      if (error instanceof InputError || error instanceof DuplicateKey) {
        const tag = error instanceof DuplicateKey ? "DuplicateKey" : "InvalidInput";
        print(values.json, { error: tag, message: error.message }, `error: ${error.message}`);
        return 2;
      }
      throw error;
    }
  },
};
