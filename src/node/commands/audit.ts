/**
 * `dataspine audit verify [--json]`: checks the audit hash chain (exit 0 intact, 1 broken).
 * `dataspine audit tail [--limit N] [--capture ID] [--partition KEY] [--event TYPE] [--json]`:
 * the newest entries, oldest first.
 *
 * Both only read: the database is opened without migrating, so verifying never changes it.
 */
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import type { AuditRow } from "../../audit/hash-chain";
import { listAuditTail } from "../../audit/read";
import { type AuditChainReport, verifyAuditChain } from "../../audit/verify";
import type { Db } from "../../db/db";
import type { DatabaseError } from "../../db/errors";
import { DbNodeLive, dbConfigFromEnv } from "../database";
import { type Command, commandArgs, print, UsageError } from "./shared";

const USAGE = [
  "dataspine audit verify [--page-size 500] [--json]",
  "dataspine audit tail [--limit 20] [--capture ID] [--partition KEY] [--event TYPE] [--json]",
].join("\n");

/** Runs a read against the environment's database; a database failure is exit code 2. */
const runRead = async <A>(
  json: boolean,
  effect: Effect.Effect<A, DatabaseError, Db>,
  onSuccess: (value: A) => number,
): Promise<number> => {
  const exit = await Effect.runPromiseExit(
    effect.pipe(Effect.provide(DbNodeLive(dbConfigFromEnv(), { migrate: false }))),
  );
  if (Exit.isSuccess(exit)) return onSuccess(exit.value);
  if (exit.cause._tag !== "Fail") throw new Error(String(exit.cause));
  const error = exit.cause.error;
  print(
    json,
    { error: error._tag, operation: error.operation, message: error.message },
    `error: ${error.operation}: ${error.message}` +
      (/no such table/i.test(error.message) ? "\n  (run `dataspine migrate` first)" : ""),
  );
  return 2;
};

const positiveInt = (name: string, value: string | undefined, fallback: number) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
};

const humanReport = (report: AuditChainReport): string => {
  const head = report.head ? `, head seq ${report.head.seq} ${report.head.entry_hash}` : "";
  const broken = report.first_broken;
  if (!broken) return `audit chain OK: ${report.entries} entries${head}`;
  return [
    `audit chain BROKEN at seq ${broken.seq} (${broken.audit_id ?? "entry gone"}): ${broken.reason}`,
    `  ${broken.detail}`,
    `  ${report.entries} entries read${head}`,
  ].join("\n");
};

const oneLine = (value: string | null) =>
  value === null ? "-" : value.length > 80 ? `${value.slice(0, 79)}…` : value;

const humanRow = (r: AuditRow) =>
  [
    r.seq,
    r.occurred_at,
    r.event_type,
    `${r.entity_type}:${r.entity_id}`,
    r.partition_key ?? "-",
    oneLine(r.new_state),
    (r.entry_hash ?? "NULL").slice(0, 12),
  ].join("\t");

/** JSON columns as values for `--json`, so jq can reach into them. */
const parsed = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** `dataspine audit verify|tail`: read-only views of the audit hash chain. */
export const auditCommand: Command = {
  name: "audit",
  usage: USAGE,
  run: async (argv) => {
    const { values, positionals } = commandArgs(argv, {
      limit: { type: "string" },
      "page-size": { type: "string" },
      capture: { type: "string" },
      partition: { type: "string" },
      event: { type: "string" },
    });
    const [action] = positionals;
    if (action === "verify") {
      const pageSize = positiveInt("page-size", values["page-size"], 500);
      return runRead(values.json, verifyAuditChain({ pageSize }), (report) => {
        print(values.json, report, humanReport(report));
        return report.ok ? 0 : 1;
      });
    }
    if (action === "tail") {
      const limit = positiveInt("limit", values.limit, 20);
      const filter = {
        ...(values.capture === undefined ? {} : { captureId: values.capture }),
        ...(values.partition === undefined ? {} : { partitionKey: values.partition }),
        ...(values.event === undefined ? {} : { eventType: values.event }),
      };
      return runRead(values.json, listAuditTail(limit, filter), (rows) => {
        print(
          values.json,
          rows.map((r) => ({
            ...r,
            old_state: parsed(r.old_state),
            new_state: parsed(r.new_state),
            metadata: parsed(r.metadata),
          })),
          rows.length === 0 ? "no audit entries" : rows.map(humanRow).join("\n"),
        );
        return 0;
      });
    }
    throw new UsageError("audit needs verify or tail");
  },
};
