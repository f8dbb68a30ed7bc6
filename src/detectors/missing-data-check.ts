/**
 * MissingData over `core_expected_schedules`, as the Cron Trigger runs it: for every
 * schedule and every pipeline of its domain and stage, the partitions of each overdue
 * delivery that have no complete capture in `core_manifest` become MISSING_DATA anomalies of
 * that partition; partitions that have data since are resolved.
 */
import * as Effect from "effect/Effect";
import type { SourceSettings } from "../core/config/app-config";
import {
  BatchId,
  compactUtcStamp,
  makeCaptureId,
  newExecutionId,
  PartitionKey,
  PipelineName,
} from "../core/model/ids";
import type { RunContext } from "../core/model/run-context";
import type { Pipeline } from "../core/pipeline/pipeline";
import { recordAnomalies, resolveAnomalies } from "../core/store/anomalies";
import { Manifest } from "../core/store/manifest";
import { dbTry } from "../db/db";
import { coreExpectedSchedules } from "../db/schema/core";
import { sessionDataAvailableAtMs } from "./live";
import {
  type ExpectedSchedule,
  MISSING_DATA_DEFAULTS,
  type MissingDataConfig,
  missingDataDetector,
  overdueDates,
} from "./missing-data";
import { toAnomalyInput } from "./record";

/** What one check found. */
export interface MissingDataReport {
  readonly schedules: number;
  readonly checked: number;
  readonly missing: ReadonlyArray<{ readonly pipeline: string; readonly partition: string }>;
  readonly resolved: number;
}

/** Every row of `core_expected_schedules`. */
export const listExpectedSchedules = dbTry("expectedSchedules.list", (db) =>
  db
    .select()
    .from(coreExpectedSchedules)
    .orderBy(coreExpectedSchedules.domain, coreExpectedSchedules.stage),
).pipe(Effect.map((rows): ReadonlyArray<ExpectedSchedule> => rows));

const presentPartitions = (domain: string, stage: string, partitions: ReadonlyArray<string>) =>
  Manifest.completedPartitions(domain, stage, partitions);

/** Runs MissingData for every schedule at `nowMs` over `pipelines`. */
export const checkMissingData = (
  pipelines: ReadonlyArray<Pipeline>,
  sourceConfig: SourceSettings,
  nowMs: number,
  config: MissingDataConfig = MISSING_DATA_DEFAULTS,
) =>
  Effect.gen(function* () {
    const schedules = yield* listExpectedSchedules;
    const now = new Date(nowMs);
    const batchId = BatchId.make(`cron.${compactUtcStamp(now)}`);
    const missing: Array<{ pipeline: string; partition: string }> = [];
    let checked = 0;
    let resolved = 0;
    for (const schedule of schedules) {
      for (const pipeline of pipelines) {
        if (pipeline.domain !== schedule.domain || pipeline.stage !== schedule.stage) continue;
        const partitionsOf = (date: string) =>
          pipeline.expectedPartitions
            ? pipeline.expectedPartitions(date, sourceConfig)
            : pipeline.livePartitions(new Date(sessionDataAvailableAtMs(date)), sourceConfig);
        const candidates = overdueDates(schedule, nowMs, config).flatMap((d) =>
          partitionsOf(d.date),
        );
        checked += candidates.length;
        const present = yield* presentPartitions(schedule.domain, schedule.stage, candidates);
        const detections = yield* missingDataDetector.detect(
          { schedule, nowMs, partitionsOf, present },
          config,
        );
        const ctxOf = (partition: string): RunContext => ({
          pipeline: PipelineName.make(pipeline.name),
          domain: pipeline.domain,
          stage: pipeline.stage,
          partitionKey: PartitionKey.make(partition),
          captureId: makeCaptureId(pipeline.domain, pipeline.stage, partition, now),
          capturedAt: now.toISOString(),
          executionId: newExecutionId(),
          batchId,
        });
        for (const d of detections) {
          const ctx = ctxOf(d.key);
          yield* recordAnomalies(ctx, [toAnomalyInput(d)]);
          missing.push({ pipeline: pipeline.name, partition: d.key });
        }
        for (const partition of present) {
          resolved += yield* resolveAnomalies(ctxOf(partition), "MISSING_DATA", [partition]);
        }
      }
    }
    return { schedules: schedules.length, checked, missing, resolved } satisfies MissingDataReport;
  }).pipe(Effect.withSpan("Detectors.checkMissingData"));
