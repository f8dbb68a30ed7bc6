/**
 * A backfill slice's outside world (`CoordinatorPorts`) over any host's actors: partitions run
 * through their actors, the coordinator's own alarm given by the host.
 */
import type { CoordinatorPorts, PartitionView } from "../core/backfill/slice";
import type { RunResult } from "../core/model/run-result";
import type { ActorBindings } from "./contract";

/** Partitions dispatched per alarm invocation, per unit of concurrency. */
export const SLICE_PER_CONCURRENCY = 4;

const viewOfResult = (result: RunResult): PartitionView => ({
  status: result.status,
  capture_id: result.capture_id || null,
  execution_id: result.execution_id || null,
  error: result.error ?? null,
  started_at: result.started_at,
  next_retry_at: null,
});

/** The coordinator's alarm. */
export interface CoordinatorAlarm {
  readonly setAlarm: (atMs: number) => Promise<void>;
  readonly deleteAlarm: () => Promise<void>;
}

/** Ports that reach partitions through `actors` and wake the coordinator with `alarm`. */
export const actorPorts = (actors: ActorBindings, alarm: CoordinatorAlarm): CoordinatorPorts => ({
  run: async (pipeline, partition, batchId) => {
    const response = await actors.partition(pipeline, partition).run({
      pipeline,
      partition,
      trigger: "backfill",
      batchId,
    });
    return viewOfResult(response.result);
  },
  check: async (pipeline, partition) => {
    const status = await actors.partition(pipeline, partition).status();
    return status
      ? {
          status: status.status,
          capture_id: status.capture_id,
          execution_id: status.execution_id,
          error: status.last_error ?? null,
          started_at: status.started_at,
          next_retry_at: status.next_retry_at,
        }
      : null;
  },
  setAlarm: alarm.setAlarm,
  deleteAlarm: alarm.deleteAlarm,
});
