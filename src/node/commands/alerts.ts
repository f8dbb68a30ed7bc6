/**
 * `dataspine alerts [--status S] [--sink K] [--anomaly ID] [--limit N] [--json]`: the alert
 * outbox as `GET /alerts` shows it; `dataspine alerts deliver [--alert-file <path>] [--json]`:
 * a delivery pass now (what is due, retries included), without running a pipeline.
 */
import * as Effect from "effect/Effect";
import { listDeliveries } from "../../alerts/deliveries";
import { deliverWithin } from "../../alerts/dispatch";
import { DELIVERY_STATUSES, type DeliveryStatus } from "../../alerts/outbox";
import { ALERT_FILE_OPTION, alertSinksFor, cliAlerts } from "../alert-delivery";
import { type Command, cliLayer, commandArgs, print, UsageError } from "./shared";

export const alertsCommand: Command = {
  name: "alerts",
  usage: [
    `dataspine alerts [--status ${DELIVERY_STATUSES.join("|")}] [--sink K] [--anomaly ID] [--limit N] [--json]`,
    "dataspine alerts deliver [--alert-file <path>] [--json]",
  ].join("\n"),
  run: async (argv) => {
    const { values, positionals } = commandArgs(argv, {
      status: { type: "string" },
      sink: { type: "string" },
      anomaly: { type: "string" },
      limit: { type: "string" },
      ...ALERT_FILE_OPTION,
    });
    const [action = "list"] = positionals;
    if (action === "deliver") {
      const alerts = cliAlerts(values["alert-file"]);
      const report = await Effect.runPromise(
        Effect.flatMap(alertSinksFor(alerts), (sinks) =>
          deliverWithin(sinks, alerts.settings, alerts.waitMs),
        ).pipe(Effect.provide(cliLayer())),
      );
      print(
        values.json,
        report,
        `attempted ${report.attempted}: delivered ${report.delivered}, retrying ${report.retrying}, failed ${report.failed}` +
          (report.next_attempt_at ? `; next attempt ${report.next_attempt_at}` : ""),
      );
      return report.error === undefined ? 0 : 1;
    }
    if (action !== "list") throw new UsageError('alerts needs "list" or "deliver"');
    const status = values.status;
    if (status !== undefined && !DELIVERY_STATUSES.includes(status as DeliveryStatus)) {
      throw new UsageError(`--status must be one of ${DELIVERY_STATUSES.join(", ")}`);
    }
    const limit = Number(values.limit ?? "100");
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
      throw new UsageError("--limit must be an integer 1..100000");
    }
    const { deliveries, counts } = await Effect.runPromise(
      listDeliveries({
        ...(status ? { status: status as DeliveryStatus } : {}),
        ...(values.sink ? { sink: values.sink } : {}),
        ...(values.anomaly ? { anomalyId: values.anomaly } : {}),
        limit,
      }).pipe(Effect.provide(cliLayer())),
    );
    print(
      values.json,
      { alerts: deliveries, counts },
      [
        Object.entries(counts)
          .map(([s, n]) => `${n} ${s}`)
          .join(", ") || "no alerts",
        ...deliveries.map(
          (d) =>
            `${d.status.padEnd(9)} ${d.sink}  attempts ${d.attempts}` +
            (d.next_attempt_at ? `, next ${d.next_attempt_at}` : "") +
            (d.last_error ? `, last error: ${d.last_error}` : "") +
            `\n  ${d.text ?? d.anomaly_id}`,
        ),
      ].join("\n"),
    );
    return 0;
  },
};
