/**
 * `dataspine ingest --source <name> --file <path|url> [--partition <key>] [--alert-file <path>]
 * [--json]`: one payload through one registered source, as a run of the one-off pipeline
 * `<domain>.ingest_<source>` (capture id, manifest, audit like any run), then the alert
 * delivery pass.
 *
 * Without `--partition` the key is `file:<basename>` (or `url:<host>/<last segment>`), so
 * re-ingesting the same file updates the same partition. A `YYYY-MM-DD|<scope>` key also tells
 * the source what the payload must belong to (trades: date and client; FINRA: week ending and
 * tier). `--file` may be a pipe (`/dev/stdin`, `<(zcat day.csv.gz)`), read front to back.
 * Exit codes: 0 complete, 1 the run failed (unreadable payload, database), 2 usage.
 */
import { parseArgs } from "node:util";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import { describeLocation, parseSourceLocation } from "../../core/ingest/source";
import { defaultSourcePartition, sourcePipeline } from "../../core/ingest/source-pipeline";
import { compactUtcStamp } from "../../core/model/ids";
import type { Pipeline } from "../../core/pipeline/pipeline";
import { Registry } from "../../core/pipeline/registry";
import { runPipeline } from "../../core/pipeline/runner";
import { SOURCES } from "../../domains/sources-registry";
import { ALERT_FILE_OPTION, cliAlerts, withAlertDelivery } from "../alert-delivery";
import { PayloadFileSystem } from "../payload-file-system";
import { type Command, cliLayer, print, UsageError } from "./shared";

export const ingestCommand: Command = {
  name: "ingest",
  usage: `dataspine ingest --source <${SOURCES.names().join("|")}> --file <path|url> [--partition <key>] [--alert-file <path>] [--json]`,
  run: async (argv) => {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        source: { type: "string", short: "s" },
        file: { type: "string", short: "f" },
        partition: { type: "string", short: "p" },
        json: { type: "boolean", default: false },
        ...ALERT_FILE_OPTION,
      },
    });
    const source = values.source ? SOURCES.get(values.source) : undefined;
    if (!source) {
      throw new UsageError(`ingest needs --source, one of: ${SOURCES.names().join(", ")}`);
    }
    if (!values.file) throw new UsageError("ingest needs --file <path|url>");
    const location = parseSourceLocation(values.file);
    const pipeline = sourcePipeline(source, location, PayloadFileSystem);
    const partition = values.partition ?? defaultSourcePartition(location);
    const alerts = cliAlerts(values["alert-file"]);
    const exit = await Effect.runPromiseExit(
      withAlertDelivery(
        runPipeline(new Registry<Pipeline>("pipeline").register(pipeline), {
          pipeline: pipeline.name,
          partition,
          trigger: "cli",
          batchId: `cli.${compactUtcStamp(new Date())}`,
        }),
        alerts,
      ).pipe(Effect.provide(cliLayer())),
    );
    if (Exit.isFailure(exit)) {
      if (exit.cause._tag !== "Fail") throw new Error(String(exit.cause));
      const error = exit.cause.error;
      print(values.json, { error: error._tag, message: error.message }, `error: ${error.message}`);
      return 2;
    }
    const result = exit.value;
    const { counts } = result;
    print(
      values.json,
      { ...result, source: source.name, location: describeLocation(location) },
      `${result.status} ${source.name} ${describeLocation(location)} → ${source.target}\n` +
        `  partition ${result.partition}, capture ${result.capture_id}\n` +
        `  received ${counts.received}, valid ${counts.valid}, quarantined ${counts.quarantined}, written ${counts.written}` +
        (result.error ? `\n  error [${result.error.tag}] ${result.error.message}` : ""),
    );
    return result.status === "failed" ? 1 : 0;
  },
};
