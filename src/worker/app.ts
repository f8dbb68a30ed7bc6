/**
 * The HTTP API (Hono). Every route is declared once in `api/` (method, path, scope, the
 * Schemas of its input and answers, its errors; the table is `api/table.ts`, described at
 * `GET /openapi.json`) and implemented in `routes/`: handlers get their input decoded,
 * call the registry / actors / stores, and answer. Every route needs a token (`auth.ts`:
 * read for GET, write otherwise) except the public ones (`/health`, `/openapi.json`, `/`);
 * bodies are bounded (`limits.ts`); errors become JSON with the status their class declares
 * (`http-errors.ts`). The status page (`/`, `/ui…`) answers HTML.
 */
import { ROUTES } from "./api/table";
import { guard, isStatusPagePath } from "./auth";
import { routes } from "./hono-effect";
import { errorResponse, RouteNotFound } from "./http-errors";
import { echo } from "./limits";
import { anomalyRoutes } from "./routes/anomalies";
import { backfillRoutes } from "./routes/backfills";
import { deadLetterRoutes } from "./routes/dead-letters";
import { homeRoutes } from "./routes/home";
import { metaRoutes } from "./routes/meta";
import { partitionRoutes } from "./routes/partitions";
import { replayRoutes } from "./routes/replays";
import { runRoutes } from "./routes/runs";
import { uiActionRoutes } from "./routes/ui-actions";
import { uiPageRoutes } from "./routes/ui-pages";
import { workflowRoutes } from "./routes/workflows";
import { limitBody } from "./validate";

/** Public GET routes of the table the guard lets through (the status page guards itself). */
const PUBLIC_GET_PATHS = new Set(
  ROUTES.filter((r) => r.scope === "public" && r.method === "GET" && !isStatusPagePath(r.path)).map(
    (r) => r.path,
  ),
);

export const app = routes();

app.onError((error, c) => errorResponse(error, c));
app.notFound((c) =>
  errorResponse(
    new RouteNotFound({ message: `no route for ${c.req.method} ${echo(c.req.path)}` }),
    c,
  ),
);

app.use("*", guard(PUBLIC_GET_PATHS), limitBody());

app.route("/", metaRoutes);
app.route("/", runRoutes);
app.route("/", partitionRoutes);
app.route("/", deadLetterRoutes);
app.route("/", backfillRoutes);
app.route("/", anomalyRoutes);
app.route("/", replayRoutes);
app.route("/", workflowRoutes);
app.route("/", homeRoutes);
app.route("/", uiPageRoutes);
app.route("/", uiActionRoutes);
