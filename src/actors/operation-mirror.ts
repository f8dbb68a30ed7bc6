/**
 * Backfills and replays mirrored into `core_operations` (on start and after every slice), by
 * their coordinators on either host, so the status page lists what is in progress.
 */
import * as Effect from "effect/Effect";
import type { BackfillProgress } from "../core/backfill/store";
import { type Operation, reportOperation } from "../core/store/operations";
import type { ReplayState } from "./contract";

/** A backfill's progress as a `core_operations` row. */
export const backfillOperation = (p: BackfillProgress): Operation => ({
  operation_id: p.backfill_id,
  kind: "backfill",
  pipeline: p.pipeline,
  start: p.start,
  end: p.end,
  status: p.status,
  total: p.total,
  done: p.complete + p.no_data_expected + p.failed,
  failed: p.failed,
  created_at: p.created_at,
  updated_at: p.updated_at,
  finished_at: p.finished_at,
});

/** A replay's state as a `core_operations` row, as of `now`. */
export const replayOperation = ({ header, partitions }: ReplayState, now: string): Operation => ({
  operation_id: header.replay_id,
  kind: "replay",
  pipeline: header.pipeline,
  start: header.start,
  end: header.end,
  status: header.status,
  total: header.partitions.length,
  done: partitions.length,
  failed: partitions.filter((p) => p.status === "failed").length,
  created_at: header.created_at,
  updated_at: now,
  finished_at: header.finished_at,
});

/** Writes the row; a failure is logged, never raised (the coordinator's storage is the truth). */
export const mirrorOperation = (operation: Operation) =>
  reportOperation(operation).pipe(
    Effect.catchAll((e) => Effect.logWarning("operation mirror failed", e)),
  );
