/**
 * Outcomes shared by pipelines.
 */
import * as Effect from "effect/Effect";
import type { RunContext } from "../model/run-context";
import { emptyCounts } from "../model/run-result";
import { auditRun } from "./audit-log";
import type { PipelineOutcome } from "./pipeline";

/** A partition with nothing to fetch (no session that day): audited, zero counts. */
export const noDataExpected = (ctx: RunContext, reason: string) =>
  auditRun(ctx)([
    {
      eventType: "no_data_expected",
      entityType: "partition",
      entityId: ctx.partitionKey,
      metadata: { reason },
    },
  ]).pipe(
    Effect.as<PipelineOutcome>({
      status: "no_data_expected",
      counts: emptyCounts,
      details: { reason },
    }),
  );
