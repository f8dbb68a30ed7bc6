/**
 * The HTTP API (Hono). Route groups live in `routes/`; handlers only decode, call the
 * registry / actors / stores, and encode. Errors become JSON in `http-errors.ts`.
 *
 *   GET  /health                              database reachable?
 *   POST /runs                                run one partition (bearer token)
 *   GET  /partitions?pipeline=…&limit=…       partitions of a pipeline, from core_manifest
 *   GET  /partitions/:pipeline/:partition     the partition actor's state and history
 *   GET  /dead-letters?status=&limit=         failed requests kept for retry
 *   POST /dead-letters/:id/retry              re-run a dead letter's partition (bearer token)
 *   GET  /anomalies?pipeline=&severity=&since=&unresolved=   detected anomalies
 *   POST /anomalies/:id/resolve               mark an anomaly resolved (bearer token)
 *   POST /replays, GET /replays/:id[/output]  replay a date range (bearer token), its state, JSONL
 *   GET  /partitions/:pipeline/:partition/diff?against=<capture_id>  stored rows vs a replay
 *   GET  /workflows, POST /workflows/:name/runs, GET /workflows/runs/:id   workflows
 *   GET  /readiness?domain=&week_ending=      core_data_readiness
 */
import { routes } from "./handler";
import { errorResponse, RouteNotFound } from "./http-errors";
import { anomalyRoutes } from "./routes/anomalies";
import { backfillRoutes } from "./routes/backfills";
import { deadLetterRoutes } from "./routes/dead-letters";
import { healthRoutes } from "./routes/health";
import { partitionRoutes } from "./routes/partitions";
import { readinessRoutes } from "./routes/readiness";
import { replayRoutes } from "./routes/replays";
import { runRoutes } from "./routes/runs";
import { workflowRoutes } from "./routes/workflows";

export const app = routes();

app.onError((error, c) => errorResponse(error, c));
app.notFound((c) =>
  errorResponse(new RouteNotFound({ message: `no route for ${c.req.method} ${c.req.path}` }), c),
);

app.route("/", healthRoutes);
app.route("/", runRoutes);
app.route("/", partitionRoutes);
app.route("/", deadLetterRoutes);
app.route("/", backfillRoutes);
app.route("/", anomalyRoutes);
app.route("/", replayRoutes);
app.route("/", workflowRoutes);
app.route("/", readinessRoutes);
