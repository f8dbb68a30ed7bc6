/**
 * The partition actor, whatever hosts it: one `pipeline + partition key`, at most one run at a
 * time (a second trigger joins the run in flight), state and run history in its store, a
 * transient failure retried by its alarm (`retrying`, `next_retry_at`) so the retry survives
 * restarts, and every retry mirrored into `core_manifest`.
 *
 * The host creates one instance per actor and keeps it while it lives: the run in flight is
 * the instance's memory, everything else is in the store.
 */
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import type * as ManagedRuntime from "effect/ManagedRuntime";
import type { RunResult } from "../core/model/run-result";
import type { PipelineServices } from "../core/pipeline/pipeline";
import { runPipeline } from "../core/pipeline/runner";
import { updateManifestStatus } from "../core/store/manifest";
import { runWorkflow } from "../core/workflow/runner";
import { PIPELINES, WORKFLOWS } from "../domains/registry";
import type {
  ActorRunRequest,
  ActorRunResponse,
  ActorWorkflowRequest,
  ActorWorkflowResponse,
  PartitionActorApi,
  PartitionStatus,
} from "./contract";
import { failureOf } from "./reply";
import { parseJson, rejectedRun, statusView } from "./run-views";
import {
  type ActorState,
  type ActorStateStore,
  type RetryPolicy,
  type RetryScheduler,
  retryDelayMs,
} from "./state-store";

/** The runtime actors run their pipelines on (Db, HttpFetch, AppConfig). */
export type ActorRuntime = ManagedRuntime.ManagedRuntime<PipelineServices, never>;

/** What a host hands an actor. */
export interface ActorDeps {
  readonly store: ActorStateStore;
  readonly scheduler: RetryScheduler;
  readonly runtime: ActorRuntime;
  readonly policy: RetryPolicy;
  /** Called after every run and workflow run (the hosts poke their alert dispatcher). */
  readonly afterRun?: () => Promise<void>;
}

const HISTORY_LIMIT = 20;
const nowIso = () => new Date().toISOString();

export class PartitionActorCore implements PartitionActorApi {
  readonly #deps: ActorDeps;
  #current: Promise<ActorRunResponse> | undefined;
  #currentWorkflow: Promise<ActorWorkflowResponse> | undefined;
  /** Calls in progress on this instance, of any method. */
  #pending = 0;

  constructor(deps: ActorDeps) {
    this.#deps = deps;
  }

  /** Whether any call is in progress (a host may drop an idle instance, never a busy one). */
  get busy(): boolean {
    return this.#pending > 0;
  }

  /** Counts the call from its first synchronous step to its end. */
  #track<A>(call: () => Promise<A>): Promise<A> {
    this.#pending += 1;
    return call().finally(() => {
      this.#pending -= 1;
    });
  }

  #io<A>(effect: Effect.Effect<A>): Promise<A> {
    return this.#deps.runtime.runPromise(effect);
  }

  run(request: ActorRunRequest): Promise<ActorRunResponse> {
    return this.#track(() => this.#run(request));
  }

  async #run(request: ActorRunRequest): Promise<ActorRunResponse> {
    if (this.#current) return { ...(await this.#current), joined: true };
    // Claimed before the first await, so a trigger arriving meanwhile joins this run.
    this.#current = (async (): Promise<ActorRunResponse> => {
      const state = await this.#io(this.#deps.store.read);
      if (request.onlyIfIncomplete && state) {
        const done = state.status === "complete" || state.status === "no_data_expected";
        const waiting = state.status === "retrying" && state.nextRetryAt !== null;
        const last = parseJson<RunResult>(state.lastResult);
        if ((done || waiting) && last) return { result: last, joined: false, skipped: true };
      }
      return this.#execute(request, state);
    })().finally(() => {
      this.#current = undefined;
    });
    return this.#current;
  }

  runWorkflow(request: ActorWorkflowRequest): Promise<ActorWorkflowResponse> {
    return this.#track(() => this.#runWorkflow(request));
  }

  async #runWorkflow(request: ActorWorkflowRequest): Promise<ActorWorkflowResponse> {
    if (this.#currentWorkflow) return { ...(await this.#currentWorkflow), joined: true };
    this.#currentWorkflow = (async (): Promise<ActorWorkflowResponse> => {
      const exit = await this.#deps.runtime.runPromiseExit(
        runWorkflow(WORKFLOWS, PIPELINES, {
          workflow: request.workflow,
          params: request.params,
          trigger: request.trigger,
          ...(request.batchId ? { batchId: request.batchId } : {}),
        }),
      );
      await this.#deps.afterRun?.();
      if (Exit.isSuccess(exit)) return { result: exit.value, joined: false };
      return { result: null, error: failureOf(exit.cause), joined: false };
    })().finally(() => {
      this.#currentWorkflow = undefined;
    });
    return this.#currentWorkflow;
  }

  status(): Promise<PartitionStatus | null> {
    return this.#track(() => this.#status());
  }

  async #status(): Promise<PartitionStatus | null> {
    const { store } = this.#deps;
    const [state, runs] = await this.#io(
      Effect.all([store.read, store.history(HISTORY_LIMIT)], { concurrency: 2 }),
    );
    return state ? statusView(state, runs) : null;
  }

  /** The alarm: a scheduled retry of a transient failure; nothing when none is pending. */
  alarm(): Promise<void> {
    return this.#track(async () => {
      const state = await this.#io(this.#deps.store.read);
      if (state?.status !== "retrying") return;
      await this.#run({
        pipeline: state.pipeline,
        partition: state.partitionKey,
        trigger: "alarm",
        batchId: `alarm.${state.executionId ?? "unknown"}`,
      });
    });
  }

  /** A run cut off by an eviction or crash is not lost: it becomes a scheduled retry. */
  recoverInterrupted(): Promise<void> {
    return this.#track(() => this.#recoverInterrupted());
  }

  async #recoverInterrupted(): Promise<void> {
    const { store, scheduler, policy } = this.#deps;
    const state = await this.#io(store.read);
    if (state?.status !== "running") return;
    const retryAt = new Date(Date.now() + retryDelayMs(policy, state.retryCount));
    await this.#io(
      Effect.zipRight(
        store.patch({
          status: "retrying",
          lastError: JSON.stringify({
            tag: "Interrupted",
            message: "the actor restarted during the run",
            retryable: true,
          }),
          nextRetryAt: retryAt.toISOString(),
          retryCount: state.retryCount + 1,
          updatedAt: nowIso(),
        }),
        scheduler.schedule(retryAt),
      ),
    );
  }

  /**
   * The capture a retry (or a new trigger) replaced was left `retrying` in the manifest: it
   * failed, and names the capture that followed it.
   */
  async #settleSuperseded(before: ActorState | undefined, next: string) {
    const earlier = before?.status === "retrying" ? before.captureId : null;
    if (earlier === null || earlier === next) return;
    await this.#deps.runtime.runPromise(
      updateManifestStatus(earlier, "failed", { retried_by: next }).pipe(
        Effect.catchAll((e) => Effect.logError("manifest mirror failed", e)),
      ),
    );
  }

  async #execute(request: ActorRunRequest, before: ActorState | undefined) {
    const { store, scheduler, runtime, policy } = this.#deps;
    const pipeline = PIPELINES.get(request.pipeline);
    const isRetry = request.trigger === "alarm";
    const priorAttempts = isRetry ? (before?.attempts ?? 0) : 0;
    const retryCount = isRetry ? (before?.retryCount ?? 0) : 0;
    const startedAt = nowIso();
    await this.#io(
      Effect.zipRight(
        store.put({
          pipeline: request.pipeline,
          partitionKey: request.partition,
          status: "running",
          stage: pipeline?.stage ?? "UNKNOWN",
          captureId: before?.captureId ?? null,
          executionId: before?.executionId ?? null,
          rowCount: before?.rowCount ?? null,
          counts: before?.counts ?? null,
          attempts: priorAttempts,
          retryCount,
          lastError: before?.lastError ?? null,
          startedAt,
          finishedAt: null,
          nextRetryAt: null,
          lastResult: before?.lastResult ?? null,
          updatedAt: startedAt,
        }),
        // A new trigger starts a new episode: a retry still scheduled from the last one goes.
        isRetry ? Effect.void : scheduler.cancel,
      ),
    );

    const exit = await runtime.runPromiseExit(
      runPipeline(PIPELINES, {
        pipeline: request.pipeline,
        partition: request.partition,
        trigger: request.trigger,
        ...(request.batchId ? { batchId: request.batchId } : {}),
        priorAttempts,
        // While the alarm can still retry, a transient failure is not dead-lettered yet.
        finalAttempt: retryCount >= policy.maxRetries,
      }),
    );
    const result: RunResult = Exit.isSuccess(exit)
      ? exit.value
      : rejectedRun(request, startedAt, exit.cause);

    const retry =
      result.status === "failed" &&
      result.error?.retryable === true &&
      retryCount < policy.maxRetries;
    const nextRetryAt = retry ? new Date(Date.now() + retryDelayMs(policy, retryCount)) : null;
    const status = retry ? "retrying" : result.status;
    const finished: RunResult = { ...result, status };
    if (nextRetryAt) {
      await runtime.runPromise(
        Effect.zipRight(
          scheduler.schedule(nextRetryAt),
          updateManifestStatus(result.capture_id, "retrying", {
            next_retry_at: nextRetryAt.toISOString(),
            retry_count: retryCount + 1,
          }).pipe(Effect.catchAll((e) => Effect.logError("manifest mirror failed", e))),
        ),
      );
    }
    await this.#settleSuperseded(before, result.capture_id);
    const finishedAt = nowIso();
    await this.#io(
      store.finish(
        {
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
        },
        {
          executionId: result.execution_id || `rejected_${crypto.randomUUID()}`,
          captureId: result.capture_id || null,
          trigger: request.trigger,
          attempt: result.attempts,
          status,
          counts: JSON.stringify(result.counts),
          error: result.error ? JSON.stringify(result.error) : null,
          startedAt,
          finishedAt,
        },
      ),
    );
    await this.#deps.afterRun?.();
    return {
      result: finished,
      joined: false,
      skipped: false,
      ...(Exit.isFailure(exit) ? { refused: failureOf(exit.cause) } : {}),
    };
  }
}
