/**
 * `dataspine anomalies [list] [--pipeline P] [--severity S] [--category C] [--since T]
 * [--unresolved] [--rule R] [--partition K] [--limit N] [--json]` (severity also in the seed's
 * names, docs/anomalies.md), `dataspine anomalies resolve <id>`, and
 * `dataspine anomalies check-missing` (MissingData over `core_expected_schedules` now, as the
 * Cron Trigger runs it), `dataspine anomalies rules` (the `DETECTORS` registry), `dataspine
 * anomalies tables` (which rules run on which canonical table: `TABLE_DETECTIONS`). Resolving
 * and checking end with the alert delivery pass, which also notes resolutions (so a
 * re-opened anomaly is alerted again).
 */
import * as Effect from "effect/Effect";
import { AppConfig } from "../../core/config/app-config";
import {
  CATEGORIES,
  parseCategory,
  parseSeverity,
  SEVERITY_NAMES,
} from "../../core/model/anomaly-vocabulary";
import { getAnomaly, listAnomalies, resolveAnomaly } from "../../core/store/anomalies";
import { formatBatch } from "../../detectors/alerts";
import { checkMissingData } from "../../detectors/missing-data-check";
import { DETECTORS } from "../../detectors/registry";
import { TABLE_DETECTIONS } from "../../domains/detections-registry";
import { PIPELINES } from "../../domains/registry";
import { SOURCES } from "../../domains/sources-registry";
import { cliAlerts, withAlertDelivery } from "../alert-delivery";
import { type Command, cliLayer, commandArgs, print, UsageError } from "./shared";

export const anomaliesCommand: Command = {
  name: "anomalies",
  usage: [
    "dataspine anomalies [list] [--pipeline P] [--severity LOW|MEDIUM|HIGH|CRITICAL|DEBUG|INFO|WARN|ERROR] [--category QUALITY_GATE|NETWORK|DATA_QUALITY|VALIDATION] [--since ISO] [--unresolved] [--rule R] [--partition K] [--limit N] [--json]",
    "dataspine anomalies resolve <id> [--json]",
    "dataspine anomalies check-missing [--json]",
    "dataspine anomalies rules [--json]",
    "dataspine anomalies tables [--json]",
  ].join("\n"),
  run: async (argv) => {
    const { values, positionals } = commandArgs(argv, {
      pipeline: { type: "string" },
      severity: { type: "string" },
      since: { type: "string" },
      unresolved: { type: "boolean", default: false },
      rule: { type: "string" },
      category: { type: "string" },
      partition: { type: "string" },
      limit: { type: "string" },
    });
    const [action = "list", id] = positionals;
    const run = <A, E>(effect: Effect.Effect<A, E, never>) => Effect.runPromise(effect);
    if (action === "list") {
      const severity = values.severity === undefined ? undefined : parseSeverity(values.severity);
      if (values.severity !== undefined && severity === undefined) {
        throw new UsageError(`--severity must be one of ${SEVERITY_NAMES.join(", ")}`);
      }
      const category = values.category === undefined ? undefined : parseCategory(values.category);
      if (values.category !== undefined && category === undefined) {
        throw new UsageError(`--category must be one of ${CATEGORIES.join(", ")}`);
      }
      if (values.since !== undefined && Number.isNaN(Date.parse(values.since))) {
        throw new UsageError("--since must be an ISO-8601 date or time");
      }
      const limit = Number(values.limit ?? "100");
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
        throw new UsageError("--limit must be an integer 1..100000");
      }
      const rows = await run(
        listAnomalies({
          ...(values.pipeline ? { pipeline: values.pipeline } : {}),
          ...(severity ? { severity } : {}),
          ...(category ? { category } : {}),
          ...(values.since ? { since: new Date(Date.parse(values.since)).toISOString() } : {}),
          ...(values.unresolved ? { unresolved: true } : {}),
          ...(values.rule ? { rule: values.rule.toUpperCase() } : {}),
          ...(values.partition ? { partition: values.partition } : {}),
          limit,
        }).pipe(Effect.provide(cliLayer())),
      );
      print(
        values.json,
        rows,
        formatBatch(
          rows.map((a) => ({
            ...a,
            at: a.observed_at ?? a.detected_at,
            partitionKey: a.partition_key,
          })),
        ),
      );
      return 0;
    }
    if (action === "rules") {
      const rules = DETECTORS.list().map((d) => ({
        name: d.name,
        description: d.description,
        defaults: d.defaults,
      }));
      print(
        values.json,
        rules,
        rules
          .map((r) => `${r.name}\t${r.description}\n\tdefaults ${JSON.stringify(r.defaults)}`)
          .join("\n"),
      );
      return 0;
    }
    if (action === "tables") {
      const tables = TABLE_DETECTIONS.list().map((d) => ({
        table: d.name,
        rules: d.rules,
        description: d.description,
        sources: SOURCES.list()
          .filter((s) => s.target === d.name)
          .map((s) => s.name),
      }));
      print(
        values.json,
        tables,
        tables
          .map(
            (t) =>
              `${t.table}\t${t.rules.join(", ")}\n\t${t.description}\n\tsources ${t.sources.join(", ")}`,
          )
          .join("\n"),
      );
      return 0;
    }
    if (action === "check-missing") {
      const report = await run(
        withAlertDelivery(
          Effect.flatMap(AppConfig, ({ sources }) =>
            checkMissingData(PIPELINES.list(), sources, Date.now()),
          ),
          cliAlerts(undefined),
        ).pipe(Effect.provide(cliLayer())),
      );
      print(
        values.json,
        report,
        `${report.schedules} schedule(s), ${report.checked} partition(s) due: ${report.missing.length} missing, ${report.resolved} resolved${report.missing.map((m) => `\n  ${m.pipeline} ${m.partition}`).join("")}`,
      );
      return report.missing.length === 0 ? 0 : 1;
    }
    if (action !== "resolve" || !id) {
      throw new UsageError("anomalies needs list, resolve <id>, check-missing, rules or tables");
    }
    const found = await run(getAnomaly(id).pipe(Effect.provide(cliLayer())));
    if (!found) {
      print(
        values.json,
        { error: "AnomalyNotFound", message: `no anomaly ${id}` },
        `no anomaly ${id}`,
      );
      return 2;
    }
    const resolved = await run(
      withAlertDelivery(resolveAnomaly(id, new Date().toISOString()), cliAlerts(undefined)).pipe(
        Effect.provide(cliLayer()),
      ),
    );
    print(values.json, resolved, `resolved ${id} at ${resolved?.resolved_at}`);
    return 0;
  },
};
