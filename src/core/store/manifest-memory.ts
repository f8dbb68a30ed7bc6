/**
 * `ManifestTest`: the `Manifest` store over the in-memory `core_manifest` of `StoreMemory`,
 * with the libSQL layer's keys, upserts, orderings and filters.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type { RunStatus } from "../model/run-result";
import { Manifest } from "./manifest";
import {
  detailsOf,
  firstPerPartition,
  newestFirst,
  type PartitionScope,
  type PartitionSummary,
  type RunningCapture,
  toCaptureRow,
  toManifestRow,
} from "./manifest-rows";
import { type ManifestRow, memoryTry, mergePatch, orderBy, StoreMemory } from "./memory";

const inPartition = (row: ManifestRow, scope: PartitionScope) =>
  row.domain === scope.domain &&
  row.stage === scope.stage &&
  row.partitionKey === scope.partitionKey;

const patchText = (metadata: string | null, patch: Readonly<Record<string, unknown>>) =>
  JSON.stringify(mergePatch(JSON.parse(metadata ?? "{}"), patch));

const pipelineOf = (metadata: string | null): unknown =>
  metadata ? (JSON.parse(metadata) as { pipeline?: unknown }).pipeline : undefined;

/** The in-memory `Manifest`. */
export const ManifestTest = Layer.effect(
  Manifest,
  Effect.map(StoreMemory, (memory) => {
    const rows = memory.manifest;
    const update = (captureId: string, change: (row: ManifestRow) => ManifestRow) => {
      const row = rows.get(captureId);
      if (row) rows.set(captureId, change(row));
    };
    return Manifest.make({
      upsert: (entry) =>
        memoryTry(memory, "manifest.upsert", () => {
          const row = toManifestRow(entry);
          const old = rows.get(row.captureId);
          rows.set(
            row.captureId,
            old
              ? {
                  ...row,
                  domain: old.domain,
                  stage: old.stage,
                  partitionKey: old.partitionKey,
                  capturedAt: old.capturedAt,
                }
              : row,
          );
        }),
      listPartitions: (pipeline, limit) =>
        memoryTry(memory, "manifest.listPartitions", () => {
          const mine = [...rows.values()].filter(
            (r) =>
              r.domain === pipeline.domain &&
              r.stage === pipeline.stage &&
              (pipelineOf(r.metadata) ?? pipeline.name) === pipeline.name,
          );
          const latest = new Map<string, { at: string; captures: number }>();
          for (const r of mine) {
            const seen = latest.get(r.partitionKey);
            latest.set(r.partitionKey, {
              at: seen && seen.at > r.capturedAt ? seen.at : r.capturedAt,
              captures: (seen?.captures ?? 0) + 1,
            });
          }
          const atLatest = mine.filter((r) => latest.get(r.partitionKey)?.at === r.capturedAt);
          const ordered = orderBy(
            atLatest,
            [(r) => r.partitionKey, "desc"],
            [(r) => r.captureId, "desc"],
          ).slice(0, limit);
          return firstPerPartition(
            ordered.map(
              (r): PartitionSummary => ({
                partition_key: r.partitionKey,
                status: r.status,
                capture_id: r.captureId,
                captured_at: r.capturedAt,
                row_count: r.rowCount,
                execution_id: r.executionId,
                captures: latest.get(r.partitionKey)?.captures ?? 0,
              }),
            ),
          );
        }),
      updateStatus: (captureId, status: RunStatus, patch) =>
        memoryTry(memory, "manifest.updateStatus", () =>
          update(captureId, (r) => ({ ...r, status, metadata: patchText(r.metadata, patch) })),
        ),
      patchMetadata: (captureId, patch) =>
        memoryTry(memory, "manifest.patchMetadata", () =>
          update(captureId, (r) => ({ ...r, metadata: patchText(r.metadata, patch) })),
        ),
      latest: (scope) =>
        memoryTry(memory, "manifest.latestCapture", () => {
          const row = newestFirst([...rows.values()].filter((r) => inPartition(r, scope)))[0];
          return row ? toCaptureRow(row) : undefined;
        }),
      find: (captureId) =>
        memoryTry(memory, "manifest.findCapture", () => {
          const row = rows.get(captureId);
          return row ? toCaptureRow(row) : undefined;
        }),
      details: (captureId) =>
        memoryTry(memory, "manifest.details", () => detailsOf(rows.get(captureId)?.metadata)),
      running: (scope) =>
        memoryTry(memory, "manifest.running", () =>
          [...rows.values()]
            .filter((r) => r.status === "running" && (scope === undefined || inPartition(r, scope)))
            .map(
              (r): RunningCapture => ({
                captureId: r.captureId,
                domain: r.domain,
                partitionKey: r.partitionKey,
                executionId: r.executionId,
                metadata: r.metadata,
              }),
            ),
        ),
      markInterrupted: (captureId, metadata) =>
        memoryTry(memory, "manifest.markInterrupted", () => {
          const row = rows.get(captureId);
          if (row?.status !== "running") return false;
          rows.set(captureId, { ...row, status: "failed", metadata });
          return true;
        }),
      completedPartitions: (domain, stage, partitions) =>
        memoryTry(memory, "core_manifest.present", () => {
          const wanted = new Set(partitions);
          return new Set(
            [...rows.values()]
              .filter(
                (r) =>
                  r.domain === domain &&
                  r.stage === stage &&
                  wanted.has(r.partitionKey) &&
                  (r.status === "complete" || r.status === "no_data_expected"),
              )
              .map((r) => r.partitionKey),
          );
        }),
    });
  }),
);
