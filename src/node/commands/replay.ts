/**
 * `dataspine replay <pipeline> --start D --end D [--param k=v]… [--out file.jsonl]
 * [--reconcile] [--no-record] [--json]`: a replay in process, written as canonical JSONL.
 *
 * Replay and reconciliation live in `src/reconciliation/`; this adapter parses arguments,
 * writes the file and prints `{"partitions","records","sha256","output",…}`.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Option from "effect/Option";
import { PIPELINES } from "../../domains/registry";
import { type PartitionReconciliation, reconcilePartition } from "../../reconciliation/reconcile";
import { newReplayId, planReplay, replayable, runReplay } from "../../reconciliation/replay";
import { formatDiffReport } from "../../reconciliation/report";
import { startDemoFeed } from "../dev/demo-feed-server";
import {
  type Command,
  cliLayer,
  commandArgs,
  planOrReport,
  print,
  RANGE_OPTIONS,
  rangeRequest,
} from "./shared";

const USAGE =
  "dataspine replay <pipeline> --start YYYY-MM-DD --end YYYY-MM-DD [--param k=v]… " +
  "[--out file.jsonl] [--reconcile] [--no-record] [--json]";

/** A file written chunk by chunk, waiting for the stream to drain. */
const openOutput = async (path: string) => {
  await mkdir(dirname(path), { recursive: true });
  const stream = createWriteStream(path);
  await new Promise<void>((ok, fail) => {
    stream.once("open", () => ok());
    stream.once("error", fail);
  });
  return {
    write: (text: string) =>
      Effect.promise(
        () =>
          new Promise<void>((ok, fail) => {
            if (text.length === 0) return ok();
            stream.write(text, (error) => (error ? fail(error) : ok()));
          }),
      ),
    close: () =>
      stream.writableFinished
        ? Promise.resolve()
        : new Promise<void>((ok) => stream.end(() => ok())),
  };
};

/** Records of each kind listed per mismatched partition. */
const SAMPLE = 50;

/** The reconciliation part of the summary. */
const reconciliationSummary = (results: ReadonlyArray<PartitionReconciliation>) => ({
  partitions: results.length,
  clean: results.filter((r) => r.clean && r.capture_id !== null).length,
  not_captured: results.filter((r) => r.capture_id === null).map((r) => r.partition),
  mismatched: results
    .filter((r) => !r.clean && r.capture_id !== null)
    .map((r) => ({
      partition: r.partition,
      capture_id: r.capture_id,
      summary: r.diff.summary,
      added: r.diff.added.slice(0, SAMPLE),
      removed: r.diff.removed.slice(0, SAMPLE),
      modified: r.diff.modified.slice(0, SAMPLE),
    })),
});

export const replayCommand: Command = {
  name: "replay",
  usage: USAGE,
  run: async (argv) => {
    const { values, positionals } = commandArgs(argv, {
      ...RANGE_OPTIONS,
      out: { type: "string" },
      reconcile: { type: "boolean", default: false },
      "no-record": { type: "boolean", default: false },
    });
    const plan = planOrReport(
      values.json,
      planReplay(PIPELINES, rangeRequest("replay", positionals, values)),
    );
    if (plan === undefined) return 2;
    const replayId = newReplayId(new Date());
    const output = resolve(values.out ?? join(".dataspine", "replays", `${replayId}.jsonl`));
    // Written beside the target and renamed once complete: a failed replay leaves no
    // file that looks like a whole one.
    const partial = `${output}.partial`;
    const file = await openOutput(partial);
    // Without a configured source the demo feed answers, started in-process.
    const feed = process.env.MARKET_DATA_BASE_URL ? undefined : await startDemoFeed({ port: 0 });
    const reconciled: Array<PartitionReconciliation> = [];
    try {
      const exit = await Effect.runPromiseExit(
        Effect.gen(function* () {
          const target = yield* replayable(PIPELINES, plan.pipeline);
          return yield* runReplay(PIPELINES, plan, {
            replayId,
            write: file.write,
            record: !values["no-record"],
            ...(values.reconcile
              ? {
                  onPartition: (result) =>
                    reconcilePartition(target, result.partition, {
                      replayed: result,
                      batchId: replayId,
                    }).pipe(Effect.tap((r) => Effect.sync(() => reconciled.push(r)))),
                }
              : {}),
          });
        }).pipe(Effect.provide(cliLayer(feed ? { MARKET_DATA_BASE_URL: feed.url } : {}))),
      );
      if (Exit.isFailure(exit)) {
        // Partitions replayed at once may fail together: report the first failure.
        const failure = Cause.failureOption(exit.cause);
        if (Option.isNone(failure)) throw new Error(Cause.pretty(exit.cause));
        const error = failure.value;
        print(
          values.json,
          { error: error._tag, message: error.message },
          `error: ${error.message}`,
        );
        return 1;
      }
      await file.close();
      await rename(partial, output);
      const s = exit.value;
      const reconciliation = values.reconcile ? reconciliationSummary(reconciled) : undefined;
      print(
        values.json,
        {
          replay_id: s.replay_id,
          pipeline: s.pipeline,
          start: s.start,
          end: s.end,
          params: s.params,
          partitions: s.partitions,
          records: s.records,
          sha256: s.sha256,
          output,
          duration_ms: s.duration_ms,
          by_partition: s.by_partition,
          ...(reconciliation ? { reconciliation } : {}),
        },
        [
          `replay ${s.replay_id}: ${s.pipeline} ${s.start}..${s.end}`,
          `  partitions ${s.partitions}, records ${s.records}, ${s.duration_ms} ms`,
          `  sha256 ${s.sha256}`,
          `  output ${output}`,
          ...(reconciliation
            ? [
                `  reconciled ${reconciliation.partitions}: clean ${reconciliation.clean}, mismatched ${reconciliation.mismatched.length}, never captured ${reconciliation.not_captured.length}`,
                ...reconciled
                  .filter((r) => !r.clean && r.capture_id !== null)
                  .map((r) =>
                    formatDiffReport(r.diff, { title: `    ${r.partition}`, limit: 10 })
                      .split("\n")
                      .map((line, i) => (i === 0 ? line : `    ${line}`))
                      .join("\n"),
                  ),
              ]
            : []),
        ].join("\n"),
      );
      return reconciliation && reconciliation.mismatched.length > 0 ? 1 : 0;
    } finally {
      await file.close();
      await rm(partial, { force: true });
      await feed?.close();
    }
  },
};
