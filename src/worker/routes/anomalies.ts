/**
 * Anomalies: `GET /anomalies?pipeline=&severity=&since=&unresolved=&rule=&partition=&limit=`
 * (severity is a minimum: `HIGH` lists HIGH and CRITICAL), `GET /anomalies/:id`, and
 * `POST /anomalies/:id/resolve` (bearer token), and `GET /detectors` (the `DETECTORS`
 * registry: each rule's description and default thresholds).
 */
import { Clock, Effect } from "effect";
import { getAnomaly, listAnomalies, resolveAnomaly, SEVERITIES } from "../../core/anomalies";
import type { AnomalySeverity } from "../../core/sources-anomalies";
import { formatBatch } from "../../detectors/alerts";
import { DETECTORS } from "../../detectors/registry";
import { requireBearer } from "../auth";
import { routes, runEffect } from "../handler";
import { AnomalyNotFound, InvalidRequest } from "../http-errors";

const BOOLEAN: Readonly<Record<string, boolean>> = {
  true: true,
  "1": true,
  false: false,
  "0": false,
};

export const anomalyRoutes = routes()
  .get("/detectors", (c) =>
    c.json({
      detectors: DETECTORS.list().map((d) => ({
        name: d.name,
        description: d.description,
        defaults: d.defaults,
      })),
    }),
  )
  .get("/anomalies", async (c) => {
    const q = (name: string) => c.req.query(name) || undefined;
    const severity = q("severity")?.toUpperCase();
    if (severity !== undefined && !SEVERITIES.includes(severity as AnomalySeverity)) {
      throw new InvalidRequest({ message: `severity must be one of ${SEVERITIES.join(", ")}` });
    }
    const since = q("since");
    if (since !== undefined && Number.isNaN(Date.parse(since))) {
      throw new InvalidRequest({ message: "since must be an ISO-8601 date or time" });
    }
    const unresolvedText = q("unresolved");
    const unresolved = unresolvedText === undefined ? undefined : BOOLEAN[unresolvedText];
    if (unresolvedText !== undefined && unresolved === undefined) {
      throw new InvalidRequest({ message: "unresolved must be true or false" });
    }
    const limit = Number(q("limit") ?? "100");
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new InvalidRequest({ message: "limit must be an integer 1..1000" });
    }
    const pipeline = q("pipeline");
    const rule = q("rule")?.toUpperCase();
    const partition = q("partition");
    const anomalies = await runEffect(
      c.env,
      listAnomalies({
        ...(pipeline ? { pipeline } : {}),
        ...(severity ? { severity: severity as AnomalySeverity } : {}),
        ...(since ? { since: new Date(Date.parse(since)).toISOString() } : {}),
        ...(unresolved ? { unresolved } : {}),
        ...(rule ? { rule } : {}),
        ...(partition ? { partition } : {}),
        limit,
      }),
    );
    const summary = formatBatch(
      anomalies.map((a) => ({
        ...a,
        at: a.observed_at ?? a.detected_at,
        partitionKey: a.partition_key,
      })),
    );
    return c.json({ anomalies, summary });
  })
  .get("/anomalies/:id", async (c) => {
    const found = await runEffect(c.env, getAnomaly(c.req.param("id")));
    if (!found) throw new AnomalyNotFound({ message: `no anomaly ${c.req.param("id")}` });
    return c.json(found);
  })
  .post("/anomalies/:id/resolve", requireBearer(), async (c) => {
    const id = c.req.param("id");
    const resolved = await runEffect(
      c.env,
      Effect.flatMap(Clock.currentTimeMillis, (ms) =>
        resolveAnomaly(id, new Date(ms).toISOString()),
      ),
    );
    if (!resolved) throw new AnomalyNotFound({ message: `no anomaly ${id}` });
    return c.json(resolved);
  });
