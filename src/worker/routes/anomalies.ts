/**
 * Anomalies: `GET /anomalies?pipeline=&severity=&category=&since=&unresolved=&rule=&partition=&limit=`
 * (severity is a minimum: `HIGH`, or the seed's `ERROR`, lists HIGH and CRITICAL;
 * docs/anomalies.md), `GET /anomalies/:id`, and
 * `POST /anomalies/:id/resolve` (write), and `GET /detectors` (the `DETECTORS` registry:
 * each rule's description and default thresholds).
 */
import { Clock, Effect, Schema } from "effect";
import { pokeAlerts } from "../../actors/alert-dispatcher-core";
import { getAnomaly, listAnomalies, resolveAnomaly } from "../../core/store/anomalies";
import { formatBatch } from "../../detectors/alerts";
import { DETECTORS } from "../../detectors/registry";
import { routes, runEffect } from "../hono-effect";
import { AnomalyNotFound } from "../http-errors";
import {
  Category,
  Flag,
  Instant,
  Limit,
  optional,
  Severity,
  Text,
  UpperText,
} from "../request-schemas";
import { params, query } from "../validate";

const ListQuery = Schema.Struct({
  pipeline: optional(Text),
  severity: optional(Severity),
  category: optional(Category),
  since: optional(Instant),
  unresolved: optional(Flag),
  rule: optional(UpperText),
  partition: optional(Text),
  limit: Limit(1000, 100),
});
const IdParams = Schema.Struct({ id: Text });

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
  .get("/anomalies", query(ListQuery), async (c) => {
    const { unresolved, ...filter } = c.req.valid("query");
    const anomalies = await runEffect(
      c.env,
      listAnomalies({ ...filter, ...(unresolved ? { unresolved } : {}) }),
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
  .get("/anomalies/:id", params(IdParams), async (c) => {
    const { id } = c.req.valid("param");
    const found = await runEffect(c.env, getAnomaly(id));
    if (!found) throw new AnomalyNotFound({ message: `no anomaly ${id}` });
    return c.json(found);
  })
  .post("/anomalies/:id/resolve", params(IdParams), async (c) => {
    const { id } = c.req.valid("param");
    const resolved = await runEffect(
      c.env,
      Effect.flatMap(Clock.currentTimeMillis, (ms) =>
        resolveAnomaly(id, new Date(ms).toISOString()),
      ),
    );
    if (!resolved) throw new AnomalyNotFound({ message: `no anomaly ${id}` });
    // The dispatcher notes the resolution, so a later re-opening is alerted again.
    await pokeAlerts(c.env.ACTORS);
    return c.json(resolved);
  });
