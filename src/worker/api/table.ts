/**
 * Every route of the app, in the order the document lists them. `GET /openapi.json` is
 * built from this table, scripts call routes by its names (`client.ts`), and a test fails
 * when the app serves a route missing here (or the reverse).
 */
import * as anomalies from "./anomalies";
import * as deadLetters from "./dead-letters";
import * as meta from "./meta";
import * as pages from "./pages";
import * as replays from "./replays";
import type { RouteSpec } from "./route";
import * as runs from "./runs";
import * as workflows from "./workflows";

/** Every route by its operationId (the document's and the client's name for it). */
export const API = {
  getHealth: meta.HEALTH,
  getOpenApi: meta.OPENAPI,
  runPartition: runs.RUN,
  listPartitions: runs.LIST_PARTITIONS,
  getPartition: runs.GET_PARTITION,
  startBackfill: runs.START_BACKFILL,
  getBackfill: runs.GET_BACKFILL,
  listReadiness: runs.READINESS,
  startReplay: replays.START_REPLAY,
  getReplay: replays.GET_REPLAY,
  getReplayOutput: replays.REPLAY_OUTPUT,
  diffPartition: replays.DIFF_PARTITION,
  listDetectors: anomalies.LIST_DETECTORS,
  listAnomalies: anomalies.LIST_ANOMALIES,
  getAnomaly: anomalies.GET_ANOMALY,
  resolveAnomaly: anomalies.RESOLVE_ANOMALY,
  listAlerts: anomalies.LIST_ALERTS,
  listDeadLetters: deadLetters.LIST_DEAD_LETTERS,
  getDeadLetter: deadLetters.GET_DEAD_LETTER,
  retryDeadLetter: deadLetters.RETRY_DEAD_LETTER,
  listWorkflows: workflows.LIST_WORKFLOWS,
  runWorkflow: workflows.RUN_WORKFLOW,
  listWorkflowRuns: workflows.LIST_WORKFLOW_RUNS,
  getWorkflowRun: workflows.GET_WORKFLOW_RUN,
  statusSummary: pages.HOME,
  uiOverview: pages.UI_OVERVIEW,
  uiPipeline: pages.UI_PIPELINE,
  uiPartition: pages.UI_PARTITION,
  uiAnomalies: pages.UI_ANOMALIES,
  uiDeadLetters: pages.UI_DEAD_LETTERS,
  uiOperations: pages.UI_OPERATIONS,
  uiReadiness: pages.UI_READINESS,
  uiLoginForm: pages.UI_LOGIN_FORM,
  uiLogin: pages.UI_LOGIN,
  uiLogout: pages.UI_LOGOUT,
  uiResolveAnomaly: pages.UI_RESOLVE_ANOMALY,
  uiRetryDeadLetter: pages.UI_RETRY_DEAD_LETTER,
} as const satisfies Readonly<Record<string, RouteSpec>>;

export const ROUTES: ReadonlyArray<RouteSpec> = Object.values(API);
