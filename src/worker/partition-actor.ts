/**
 * `PartitionActor`: one Durable Object per `pipeline + partition key`.
 *
 * It owns the partition's manifest state in its own SQLite (status, stage, capture, counts,
 * attempts, last error, next retry, run history), runs at most one run at a time (a second
 * trigger joins the run in flight), schedules retries of transient failures with its alarm
 * so they survive restarts, and mirrors its state into `core_manifest` in libSQL.
 */
import { DurableObject } from "cloudflare:workers";
import { desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import { Effect, Exit } from "effect";
import migrations from "../../migrations/actor/migrations.js";
import { updateManifestStatus } from "../core/manifest";
import { emptyCounts, type RunResult, type RunTrigger } from "../core/run-result";
import { runPipeline } from "../core/runner";
import { runWorkflow } from "../core/workflow-runner";
import type { WorkflowRunResult } from "../core/workflow-store";
import * as actorSchema from "../db/actor-schema";
import { partitionRuns, partitionState } from "../db/actor-schema";
import { PIPELINES, WORKFLOWS } from "../domains/registry";
import type { Env } from "./env";
import { type Failure, failureOf } from "./replies";
import { runtimeFor } from "./runtime";

/** A request to run the actor's partition. */
export interface ActorRunRequest {
  readonly pipeline: string;
  readonly partition: string;
  readonly trigger: RunTrigger;
  readonly batchId?: string;
  /** Live mode: do nothing when the partition is already complete or waiting for a retry. */
  readonly onlyIfIncomplete?: boolean;
}

/** A request to run a workflow for the actor's partition (actor `workflow:<name>::<key>`). */
export interface ActorWorkflowRequest {
  readonly workflow: string;
  readonly params: Readonly<Record<string, string>>;
  readonly trigger: RunTrigger;
  readonly batchId?: string;
}

/** The run's result, or why it was refused; `joined` when it was already in flight. */
export interface ActorWorkflowResponse {
  readonly result: WorkflowRunResult | null;
  readonly error?: Failure;
  readonly joined: boolean;
}

export interface ActorRunResponse {
  readonly result: RunResult;
  /** The request arrived while a run was in flight and got that run's result. */
  readonly joined: boolean;
  /** Live mode found nothing to do; `result` is the last run's. */
  readonly skipped: boolean;
}

/** What `GET /partitions/:pipeline/:partition` shows. */
export interface PartitionStatus {
  readonly pipeline: string;
  readonly partition: string;
  readonly status: string;
  readonly stage: string;
  readonly capture_id: string | null;
  readonly execution_id: string | null;
  readonly row_count: number | null;
  readonly counts: RunResult["counts"] | null;
  readonly attempts: number;
  readonly retry_count: number;
  readonly last_error: RunResult["error"] | null;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly next_retry_at: string | null;
  readonly updated_at: string;
  readonly history: ReadonlyArray<{
    readonly execution_id: string;
    readonly capture_id: string | null;
    readonly trigger: string;
    readonly attempt: number;
    readonly status: string;
    readonly counts: RunResult["counts"] | null;
    readonly error: RunResult["error"] | null;
    readonly started_at: string;
    readonly finished_at: string | null;
  }>;
}

const HISTORY_LIMIT = 20;
const MAX_DELAY_MS = 15 * 60_000;
const parse = <A>(text: string | null): A | null =>
  text === null ? null : (JSON.parse(text) as A);
const intVar = (text: string | undefined, fallback: number) => {
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n >= 0 ? n : fallback;
};

export class PartitionActor extends DurableObject<Env> {
  readonly #db;
  #current: Promise<ActorRunResponse> | undefined;
  #currentWorkflow: Promise<ActorWorkflowResponse> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#db = drizzle(ctx.storage, { schema: actorSchema });
    void ctx.blockConcurrencyWhile(async () => {
      await migrate(this.#db, migrations);
      await this.#recoverInterrupted();
    });
  }

  /** Runs the partition, or joins the run in flight. Never throws across RPC. */
  async run(request: ActorRunRequest): Promise<ActorRunResponse> {
    if (this.#current) {
      const inFlight = await this.#current;
      return { ...inFlight, joined: true };
    }
    const state = this.#state();
    if (request.onlyIfIncomplete && state) {
      const done = state.status === "complete" || state.status === "no_data_expected";
      const waiting = state.status === "retrying" && state.nextRetryAt !== null;
      const last = parse<RunResult>(state.lastResult);
      if ((done || waiting) && last) return { result: last, joined: false, skipped: true };
    }
    this.#current = this.#execute(request).finally(() => {
      this.#current = undefined;
    });
    return this.#current;
  }

  /**
   * Runs a workflow for this partition, or joins the workflow run in flight (one run per
   * partition at a time). The run is kept in libSQL (`core_workflow_runs`, `core_manifest`).
   * Never throws across RPC.
   */
  async runWorkflow(request: ActorWorkflowRequest): Promise<ActorWorkflowResponse> {
    if (this.#currentWorkflow) {
      const inFlight = await this.#currentWorkflow;
      return { ...inFlight, joined: true };
    }
    this.#currentWorkflow = (async (): Promise<ActorWorkflowResponse> => {
      const exit = await runtimeFor(this.env).runPromiseExit(
        runWorkflow(WORKFLOWS, PIPELINES, {
          workflow: request.workflow,
          params: request.params,
          trigger: request.trigger,
          ...(request.batchId ? { batchId: request.batchId } : {}),
        }),
      );
      if (Exit.isSuccess(exit)) return { result: exit.value, joined: false };
      return { result: null, error: failureOf(exit.cause), joined: false };
    })().finally(() => {
      this.#currentWorkflow = undefined;
    });
    return this.#currentWorkflow;
  }

  /** The partition's state and recent history, or null if it never ran. */
  async status(): Promise<PartitionStatus | null> {
    const state = this.#state();
    if (!state) return null;
    const runs = this.#db
      .select()
      .from(partitionRuns)
      .orderBy(desc(partitionRuns.startedAt))
      .limit(HISTORY_LIMIT)
      .all();
    return {
      pipeline: state.pipeline,
      partition: state.partitionKey,
      status: state.status,
      stage: state.stage,
      capture_id: state.captureId,
      execution_id: state.executionId,
      row_count: state.rowCount,
      counts: parse(state.counts),
      attempts: state.attempts,
      retry_count: state.retryCount,
      last_error: parse(state.lastError),
      started_at: state.startedAt,
      finished_at: state.finishedAt,
      next_retry_at: state.nextRetryAt,
      updated_at: state.updatedAt,
      history: runs.map((r) => ({
        execution_id: r.executionId,
        capture_id: r.captureId,
        trigger: r.trigger,
        attempt: r.attempt,
        status: r.status,
        counts: parse(r.counts),
        error: parse(r.error),
        started_at: r.startedAt,
        finished_at: r.finishedAt,
      })),
    };
  }

  /** A scheduled retry of a transient failure. */
  override async alarm(): Promise<void> {
    const state = this.#state();
    if (state?.status !== "retrying") return;
    await this.run({
      pipeline: state.pipeline,
      partition: state.partitionKey,
      trigger: "alarm",
      batchId: `alarm.${state.executionId ?? "unknown"}`,
    });
  }

  #state() {
    return this.#db.select().from(partitionState).where(eq(partitionState.id, 1)).get();
  }

  /** A run cut off by an eviction or crash is not lost: it becomes a scheduled retry. */
  async #recoverInterrupted() {
    const state = this.#state();
    if (state?.status !== "running") return;
    const retryAt = new Date(Date.now() + this.#delayMs(state.retryCount));
    this.#db
      .update(partitionState)
      .set({
        status: "retrying",
        lastError: JSON.stringify({
          tag: "Interrupted",
          message: "the actor restarted during the run",
          retryable: true,
        }),
        nextRetryAt: retryAt.toISOString(),
        retryCount: state.retryCount + 1,
        updatedAt: new Date().toISOString(),
      })
      .where(eq(partitionState.id, 1))
      .run();
    await this.ctx.storage.setAlarm(retryAt);
  }

  #delayMs(retryCount: number) {
    const base = intVar(this.env.ALARM_BASE_DELAY_MS, 30_000);
    return Math.min(MAX_DELAY_MS, base * 2 ** retryCount);
  }

  async #execute(request: ActorRunRequest): Promise<ActorRunResponse> {
    const before = this.#state();
    const pipeline = PIPELINES.get(request.pipeline);
    const isRetry = request.trigger === "alarm";
    const priorAttempts = isRetry ? (before?.attempts ?? 0) : 0;
    const retryCount = isRetry ? (before?.retryCount ?? 0) : 0;
    const startedAt = new Date().toISOString();
    const running = {
      id: 1,
      pipeline: request.pipeline,
      partitionKey: request.partition,
      status: "running",
      stage: pipeline?.stage ?? "UNKNOWN",
      attempts: priorAttempts,
      retryCount,
      startedAt,
      finishedAt: null,
      nextRetryAt: null,
      updatedAt: startedAt,
    } as const;
    this.#db
      .insert(partitionState)
      .values(running)
      .onConflictDoUpdate({ target: partitionState.id, set: running })
      .run();
    if (!isRetry) await this.ctx.storage.deleteAlarm();

    const runtime = runtimeFor(this.env);
    const maxRetries = intVar(this.env.ALARM_MAX_ATTEMPTS, 5);
    const exit = await runtime.runPromiseExit(
      runPipeline(PIPELINES, {
        pipeline: request.pipeline,
        partition: request.partition,
        trigger: request.trigger,
        ...(request.batchId ? { batchId: request.batchId } : {}),
        priorAttempts,
        // While the alarm can still retry, a transient failure is not dead-lettered yet.
        finalAttempt: retryCount >= maxRetries,
      }),
    );
    const result: RunResult = Exit.isSuccess(exit)
      ? exit.value
      : this.#rejected(request, startedAt, exit.cause);

    const retry =
      result.status === "failed" && result.error?.retryable === true && retryCount < maxRetries;
    const nextRetryAt = retry ? new Date(Date.now() + this.#delayMs(retryCount)) : null;
    const status = retry ? "retrying" : result.status;
    const finished: RunResult = { ...result, status };
    if (nextRetryAt) {
      await this.ctx.storage.setAlarm(nextRetryAt);
      await runtime.runPromise(
        updateManifestStatus(result.capture_id, "retrying", {
          next_retry_at: nextRetryAt.toISOString(),
          retry_count: retryCount + 1,
        }).pipe(Effect.catchAll((e) => Effect.logError("manifest mirror failed", e))),
      );
    }
    const finishedAt = new Date().toISOString();
    this.#db
      .update(partitionState)
      .set({
        status,
        captureId: result.capture_id || null,
        executionId: result.execution_id || null,
        rowCount: result.counts.written,
        counts: JSON.stringify(result.counts),
        attempts: result.attempts,
        retryCount: retry ? retryCount + 1 : retryCount,
        lastError: result.error ? JSON.stringify(result.error) : null,
        finishedAt,
        nextRetryAt: nextRetryAt?.toISOString() ?? null,
        lastResult: JSON.stringify(finished),
        updatedAt: finishedAt,
      })
      .where(eq(partitionState.id, 1))
      .run();
    this.#db
      .insert(partitionRuns)
      .values({
        executionId: result.execution_id || `rejected_${crypto.randomUUID()}`,
        captureId: result.capture_id || null,
        trigger: request.trigger,
        attempt: result.attempts,
        status,
        counts: JSON.stringify(result.counts),
        error: result.error ? JSON.stringify(result.error) : null,
        startedAt,
        finishedAt,
      })
      .onConflictDoNothing()
      .run();
    return { result: finished, joined: false, skipped: false };
  }

  /** A request the runner refused (unknown pipeline, bad key) as a failed, final result. */
  #rejected(request: ActorRunRequest, at: string, cause: unknown): RunResult {
    const failure = failureOf(cause);
    return {
      status: "failed",
      pipeline: request.pipeline,
      partition: request.partition,
      execution_id: "",
      capture_id: "",
      batch_id: request.batchId ?? "",
      counts: emptyCounts,
      attempts: 0,
      started_at: at,
      finished_at: new Date().toISOString(),
      error: { tag: failure.tag, message: failure.message, retryable: false },
    };
  }
}
