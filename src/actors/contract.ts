/**
 * The actor contract: what the HTTP app, the cron and the coordinators may ask of a partition
 * actor, a backfill coordinator and a replay coordinator. Two hosts implement it: Durable
 * Objects on Workers (`src/worker/`) and the in-process host on Deno (`src/host/`).
 */
import type { BackfillPlan } from "../core/backfill/backfill";
import type { BackfillProgress } from "../core/backfill/store";
import type { RunResult, RunTrigger } from "../core/model/run-result";
import type { WorkflowRunResult } from "../core/store/workflow-runs";
import type { ReplayHeader, ReplayPartitionView } from "../reconciliation/replay-slice";
import type { Failure, Reply } from "./reply";

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
  /**
   * Set when the runner refused the request before running it (e.g. `DependenciesNotReady`):
   * the error with the status its class declares; `result` is the failed run recording it.
   */
  readonly refused?: Failure;
}

/** One run in a partition's history. */
export interface PartitionRunView {
  readonly execution_id: string;
  readonly capture_id: string | null;
  readonly trigger: string;
  readonly attempt: number;
  readonly status: string;
  readonly counts: RunResult["counts"] | null;
  readonly error: NonNullable<RunResult["error"]> | null;
  readonly started_at: string;
  readonly finished_at: string | null;
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
  readonly last_error: NonNullable<RunResult["error"]> | null;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly next_retry_at: string | null;
  readonly updated_at: string;
  readonly history: ReadonlyArray<PartitionRunView>;
}

/** One partition's actor: one run at a time, state and history, its own retries. */
export interface PartitionActorApi {
  /** Runs the partition, or joins the run in flight. Never rejects for a failed run. */
  run(request: ActorRunRequest): Promise<ActorRunResponse>;
  /** Runs a workflow for this partition, or joins the workflow run in flight. */
  runWorkflow(request: ActorWorkflowRequest): Promise<ActorWorkflowResponse>;
  /** The partition's state and recent history, or null if it never ran. */
  status(): Promise<PartitionStatus | null>;
}

/** What `POST /backfills` hands the coordinator. */
export interface StartBackfill {
  readonly backfillId: string;
  readonly plan: BackfillPlan;
  readonly concurrency: number;
}

/** One backfill: its plan and progress, advanced a slice at a time by its own alarm. */
export interface BackfillCoordinatorApi {
  /** Stores the plan and arms the first alarm; a repeated start returns the progress. */
  start(input: StartBackfill): Promise<Reply<BackfillProgress | null>>;
  /** The backfill's progress, or null when this id has no backfill. */
  progress(): Promise<Reply<BackfillProgress | null>>;
}

/** What `POST /replays` hands the coordinator. */
export interface StartReplay {
  readonly replayId: string;
  readonly plan: BackfillPlan;
  readonly reconcile: boolean;
}

/** A replay's state and its partitions so far. */
export interface ReplayState {
  readonly header: ReplayHeader;
  readonly partitions: ReadonlyArray<ReplayPartitionView>;
}

/** One replay: its plan, output and reconciliation, advanced a slice per alarm. */
export interface ReplayCoordinatorApi {
  /** Stores the plan and arms the first alarm; a repeated start returns the state. */
  start(input: StartReplay): Promise<Reply<ReplayState | null>>;
  /** The replay's state, or null when this id has no replay. */
  state(): Promise<Reply<ReplayState | null>>;
  /** The canonical JSONL of the partition at `index` of the plan (empty if none yet). */
  output(index: number): Promise<Reply<string>>;
}

/** The one alert dispatcher of a host: delivers the alert outbox (`src/alerts/`) on its alarm. */
export interface AlertDispatcherApi {
  /** Anomalies may have been written: a delivery pass follows soon. */
  poke(): Promise<void>;
}

/**
 * How the app reaches actors: the Worker answers with Durable Object stubs, the Deno host with
 * its in-process actors. Addressing an actor never fails; calling it may reject (RPC).
 */
export interface ActorBindings {
  /** The actor that owns `pipeline` + `partition`. */
  partition(pipeline: string, partition: string): PartitionActorApi;
  /** The coordinator of `backfillId`. */
  backfill(backfillId: string): BackfillCoordinatorApi;
  /** The coordinator of `replayId`. */
  replay(replayId: string): ReplayCoordinatorApi;
  /** The alert dispatcher. */
  alerts(): AlertDispatcherApi;
}

/** The name of the actor that owns a partition (`idFromName` on Workers, the key on Deno). */
export const partitionActorName = (pipeline: string, partition: string) =>
  `${pipeline}::${partition}`;

/** The actor that runs `workflow` for `partition` (one run at a time). */
export const workflowActor = (actors: ActorBindings, workflow: string, partition: string) =>
  actors.partition(`workflow:${workflow}`, partition);
