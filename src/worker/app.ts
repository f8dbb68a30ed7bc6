/**
 * The HTTP API (Hono). Route groups live in `routes/`; handlers only decode
 * (`validate.ts`), call the registry / actors / stores, and encode. Every route needs a token
 * (`auth.ts`: read for GET, write otherwise) except `GET /health`; bodies are bounded
 * (`limits.ts`); errors become JSON with the status their class declares (`http-errors.ts`).
 *
 *   GET  /health                              database reachable?
 *   POST /runs                                run one partition
 *   GET  /partitions?pipeline=…&limit=…       partitions of a pipeline, from core_manifest
 *   GET  /partitions/:pipeline/:partition     the partition actor's state and history
 *   GET  /dead-letters?status=&limit=         failed requests kept for retry
 *   POST /dead-letters/:id/retry              re-run a dead letter's partition
 *   GET  /anomalies?pipeline=&severity=&since=&unresolved=   detected anomalies
 *   POST /anomalies/:id/resolve               mark an anomaly resolved
 *   GET  /alerts?status=&sink=&anomaly=&limit=   alert delivery state per anomaly and sink
 *   POST /replays, GET /replays/:id[/output]  replay a date range, its state, JSONL
 *   GET  /partitions/:pipeline/:partition/diff?against=<capture_id>  stored rows vs a replay (write)
 *   GET  /workflows, POST /workflows/:name/runs, GET /workflows/runs/:id   workflows
 *   GET  /readiness?domain=&week_ending=      core_data_readiness
 *   GET  /                                    public status summary (HTML, counts only)
 *   GET  /ui/...                              the status page (HTML; read token, login form)
 */
import { guard } from "./auth";
import { routes } from "./hono-effect";
import { errorResponse, RouteNotFound } from "./http-errors";
import { echo } from "./limits";
import { alertRoutes } from "./routes/alerts";
import { anomalyRoutes } from "./routes/anomalies";
import { backfillRoutes } from "./routes/backfills";
import { deadLetterRoutes } from "./routes/dead-letters";
import { healthRoutes } from "./routes/health";
import { homeRoutes } from "./routes/home";
import { partitionRoutes } from "./routes/partitions";
import { readinessRoutes } from "./routes/readiness";
import { replayRoutes } from "./routes/replays";
import { runRoutes } from "./routes/runs";
import { uiActionRoutes } from "./routes/ui-actions";
import { uiPageRoutes } from "./routes/ui-pages";
import { workflowRoutes } from "./routes/workflows";
import { limitBody } from "./validate";

export const app = routes();

app.onError((error, c) => errorResponse(error, c));
app.notFound((c) =>
  errorResponse(
    new RouteNotFound({ message: `no route for ${c.req.method} ${echo(c.req.path)}` }),
    c,
  ),
);

app.use("*", guard(), limitBody());

app.route("/", healthRoutes);
app.route("/", runRoutes);
app.route("/", partitionRoutes);
app.route("/", deadLetterRoutes);
app.route("/", backfillRoutes);
app.route("/", anomalyRoutes);
app.route("/", alertRoutes);
app.route("/", replayRoutes);
app.route("/", workflowRoutes);
app.route("/", readinessRoutes);
app.route("/", homeRoutes);
app.route("/", uiPageRoutes);
app.route("/", uiActionRoutes);
