/**
 * `dataspine workflow run <name> --param k=v … [--alert-file <path>] [--json]` and
 * `dataspine workflow list`: run a registered workflow on the embedded default (the
 * in-process demo feed answers unless `MARKET_DATA_BASE_URL` / `FINRA_BASE_URL` is set),
 * then the alert delivery pass.
 */
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import { compactUtcStamp } from "../../core/model/ids";
import type { WorkflowRunResult } from "../../core/store/workflow-runs";
import { runWorkflow } from "../../core/workflow/runner";
import { PIPELINES, WORKFLOWS } from "../../domains/registry";
import { ALERT_FILE_OPTION, cliAlerts, withAlertDelivery } from "../alert-delivery";
import { startDemoFeed } from "../dev/demo-feed-server";
import { type Command, cliLayer, commandArgs, print, UsageError } from "./shared";

/** `k=v` pairs into params; a pair without `=` is a usage error. */
export const parseParams = (pairs: ReadonlyArray<string>): Record<string, string> =>
  Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf("=");
      if (at <= 0) throw new UsageError(`--param must be key=value, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );

const human = (r: WorkflowRunResult) =>
  [
    `${r.status} ${r.workflow} ${r.partition} (run ${r.run_id}, stage ${r.stage}, ${r.duration_ms ?? 0} ms)`,
    ...r.steps.map(
      (s) =>
        `  ${s.name.padEnd(12)} ${s.status.padEnd(9)} ${String(s.duration_ms).padStart(6)} ms` +
        (s.error ? `  [${s.error.tag}] ${s.error.message}` : ""),
    ),
  ].join("\n");

const runSubcommand = async (argv: ReadonlyArray<string>) => {
  const { values, positionals } = commandArgs(argv, {
    param: { type: "string", short: "p", multiple: true, default: [] },
    ...ALERT_FILE_OPTION,
  });
  const name = positionals[0];
  if (!name) throw new UsageError("workflow run needs <name>");
  const params = parseParams(values.param);
  const alerts = cliAlerts(values["alert-file"]);
  const external = process.env.FINRA_BASE_URL || process.env.MARKET_DATA_BASE_URL;
  const feed = external ? undefined : await startDemoFeed({ port: 0 });
  try {
    const exit = await Effect.runPromiseExit(
      withAlertDelivery(
        runWorkflow(WORKFLOWS, PIPELINES, {
          workflow: name,
          params,
          trigger: "cli",
          batchId: `cli.${compactUtcStamp(new Date())}`,
        }),
        alerts,
      ).pipe(Effect.provide(cliLayer(feed ? { MARKET_DATA_BASE_URL: feed.url } : {}))),
    );
    if (Exit.isSuccess(exit)) {
      const r = exit.value;
      print(
        values.json,
        {
          status: r.status,
          run_id: r.run_id,
          workflow: r.workflow,
          partition: r.partition,
          stage: r.stage,
          duration_ms: r.duration_ms,
          steps: r.steps.map((s) => ({
            name: s.name,
            kind: s.kind,
            status: s.status,
            duration_ms: s.duration_ms,
            output: s.output,
            ...(s.error ? { error: s.error } : {}),
          })),
          ...(r.error ? { error: r.error } : {}),
        },
        human(r),
      );
      return r.status === "failed" ? 1 : 0;
    }
    if (exit.cause._tag === "Fail") {
      const error = exit.cause.error;
      print(values.json, { error: error._tag, message: error.message }, `error: ${error.message}`);
      return 2;
    }
    throw new Error(String(exit.cause));
  } finally {
    await feed?.close();
  }
};

export const workflowCommand: Command = {
  name: "workflow",
  usage:
    "dataspine workflow run <name> [--param key=value]… [--alert-file <path>] [--json]\ndataspine workflow list [--json]",
  run: async (argv) => {
    const [sub, ...rest] = argv;
    if (sub === "run") return runSubcommand(rest);
    if (sub === "list") {
      const json = rest.includes("--json");
      const list = WORKFLOWS.list().map((w) => ({
        name: w.name,
        domain: w.domain,
        description: w.description,
        params: w.paramNames,
        steps: w.steps.map((s) => ({ name: s.name, kind: s.kind })),
      }));
      print(
        json,
        list,
        list
          .map(
            (w) => `${w.name}  (${w.params.join(", ")})  ${w.steps.map((s) => s.name).join(" → ")}`,
          )
          .join("\n"),
      );
      return 0;
    }
    throw new UsageError('workflow needs "run" or "list"');
  },
};
