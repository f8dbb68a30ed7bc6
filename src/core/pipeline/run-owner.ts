/**
 * Who runs a capture. The runner records it in the capture's manifest metadata, so that a
 * capture left `running` by a process that died (`kill -9` of the CLI, a crashed actor) can
 * be told from one still in progress, and marked `failed` with an `Interrupted` error by the
 * next run of the partition, or at CLI start, instead of showing `running` forever.
 */
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import type { AuditEvent } from "../model/audit-event";
import type { RunOwnerInfo } from "../model/run-owner-info";
import { Manifest, type PartitionScope } from "../store/manifest";
import { appendAuditEvents } from "./audit-log";

export type { RunOwnerInfo } from "../model/run-owner-info";

/** The owner of the runs of this process or actor, and what it knows about other owners. */
export interface RunOwnerShape {
  readonly info: RunOwnerInfo;
  /** True when a capture left `running` by `other` can no longer finish. */
  readonly isGone: (other: RunOwnerInfo) => boolean;
}

/** The run owner; the runner records and sweeps only when one is provided. */
export class RunOwner extends Context.Tag("dataspine/RunOwner")<RunOwner, RunOwnerShape>() {}

/** The error recorded on an interrupted capture. */
export const INTERRUPTED_ERROR = {
  tag: "Interrupted",
  message: "the process running this capture stopped before it finished",
  retryable: true,
} as const;

const isOwnerInfo = (value: unknown): value is RunOwnerInfo =>
  typeof value === "object" &&
  value !== null &&
  ((value as RunOwnerInfo).kind === "cli" || (value as RunOwnerInfo).kind === "actor") &&
  typeof (value as RunOwnerInfo).id === "string";

const ownerOf = (metadata: string | null): RunOwnerInfo | undefined => {
  if (metadata === null) return undefined;
  try {
    const owner = (JSON.parse(metadata) as { readonly owner?: unknown }).owner;
    return isOwnerInfo(owner) ? owner : undefined;
  } catch {
    return undefined;
  }
};

/** Which `running` captures to look at: all, or one partition's. */
export type SweepScope = PartitionScope;

/**
 * Marks every `running` capture (of `scope`, or all) whose owner is gone as `failed` with the
 * `Interrupted` error, and audits each (`run_interrupted`). Returns the capture ids marked.
 * Without a `RunOwner` nothing is known about owners and nothing is marked.
 */
export const markInterruptedCaptures = (scope?: SweepScope, at = new Date()) =>
  Effect.gen(function* () {
    const owner = yield* Effect.serviceOption(RunOwner);
    if (Option.isNone(owner)) return [] as ReadonlyArray<string>;
    const running = yield* Manifest.running(scope);
    const gone = running.filter((row) => {
      const info = ownerOf(row.metadata);
      return info !== undefined && owner.value.isGone(info);
    });
    const interruptedAt = at.toISOString();
    const marked: Array<string> = [];
    for (const row of gone) {
      const metadata = {
        ...(JSON.parse(row.metadata ?? "{}") as Record<string, unknown>),
        error: INTERRUPTED_ERROR,
        finishedAt: interruptedAt,
        interrupted_at: interruptedAt,
      };
      // Only a capture still `running`: a concurrent sweep may have marked it already.
      if (!(yield* Manifest.markInterrupted(row.captureId, JSON.stringify(metadata)))) continue;
      marked.push(row.captureId);
      const event: AuditEvent = {
        eventType: "run_interrupted",
        entityType: "partition",
        entityId: row.partitionKey,
        domain: row.domain,
        partitionKey: row.partitionKey,
        captureId: row.captureId,
        ...(row.executionId ? { executionId: row.executionId } : {}),
        oldState: { status: "running" },
        newState: { status: "failed", error: INTERRUPTED_ERROR },
        metadata: { owner: ownerOf(row.metadata), noticed_by: owner.value.info },
      };
      yield* appendAuditEvents([event], interruptedAt);
    }
    if (marked.length > 0) {
      yield* Effect.logWarning("interrupted captures marked failed").pipe(
        Effect.annotateLogs({ captures: marked }),
      );
    }
    return marked as ReadonlyArray<string>;
  }).pipe(Effect.withSpan("RunOwner.markInterruptedCaptures"));
