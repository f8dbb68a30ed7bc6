/**
 * The JSON of a replay's state (`GET /replays/:id`): the summary first (counts, hash,
 * failures, reconciliation totals and mismatches), then every partition replayed so far.
 */
import type { ReplayHeader, ReplayPartitionView } from "./replay-slice";

/** The view of a replay from its header and its partitions so far. */
export const replayView = (
  header: ReplayHeader,
  partitions: ReadonlyArray<ReplayPartitionView>,
) => {
  const reconciled = partitions.filter((p) => p.reconciliation);
  const captured = reconciled.filter((p) => p.reconciliation?.capture_id !== null);
  return {
    replay_id: header.replay_id,
    status: header.status,
    pipeline: header.pipeline,
    start: header.start,
    end: header.end,
    params: header.params,
    partitions: header.partitions.length,
    replayed: partitions.length,
    records: header.records,
    sha256: header.sha256,
    duration_ms: header.duration_ms,
    created_at: header.created_at,
    finished_at: header.finished_at,
    failures: partitions
      .filter((p) => p.status === "failed")
      .map((p) => ({ partition: p.partition, error: p.error })),
    reconciliation: header.reconcile
      ? {
          partitions: reconciled.length,
          clean: captured.filter((p) => p.reconciliation?.clean).length,
          not_captured: reconciled.length - captured.length,
          mismatched: captured.flatMap((p) =>
            p.reconciliation?.clean === false
              ? [{ partition: p.partition, ...p.reconciliation }]
              : [],
          ),
        }
      : null,
    by_partition: partitions.map((p) => ({
      partition: p.partition,
      status: p.status,
      records: p.records,
      sha256: p.sha256,
      capture_id: p.capture_id,
      matches_capture: p.matches_capture,
    })),
  };
};
