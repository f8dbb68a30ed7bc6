/**
 * Anomalies: `GET /anomalies` (severity is a minimum: `HIGH`, or the seed's `ERROR`, lists
 * HIGH and CRITICAL; docs/anomalies.md), `GET /anomalies/:id`, `POST /anomalies/:id/resolve`
 * (write), `GET /detectors` (the `DETECTORS` registry) and `GET /alerts` (the outbox).
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import { pokeAlerts } from "../../actors/alert-dispatcher-core";
import { listDeliveries } from "../../alerts/deliveries";
import { getAnomaly, listAnomalies, resolveAnomaly } from "../../core/store/anomalies";
import { formatBatch } from "../../detectors/alerts";
import { DETECTORS } from "../../detectors/registry";
import {
  GET_ANOMALY,
  LIST_ALERTS,
  LIST_ANOMALIES,
  LIST_DETECTORS,
  RESOLVE_ANOMALY,
} from "../api/anomalies";
import { handle, mount } from "../api/register";
import { AnomalyNotFound } from "../http-errors";

export const anomalyRoutes = mount(
  handle(LIST_DETECTORS)(async () => ({
    status: 200,
    body: {
      detectors: DETECTORS.list().map((d) => ({
        name: d.name,
        description: d.description,
        defaults: d.defaults,
      })),
    },
  })),
  handle(LIST_ANOMALIES)(async (_c, { query }, { run }) => {
    const { unresolved, ...filter } = query;
    const anomalies = await run(
      listAnomalies({ ...filter, ...(unresolved ? { unresolved } : {}) }),
    );
    const summary = formatBatch(
      anomalies.map((a) => ({
        ...a,
        at: a.observed_at ?? a.detected_at,
        partitionKey: a.partition_key,
      })),
    );
    return { status: 200, body: { anomalies, summary } };
  }),
  handle(GET_ANOMALY)(async (_c, { params: { id } }, { run, fail }) => {
    const found = await run(getAnomaly(id));
    if (!found) return fail(new AnomalyNotFound({ message: `no anomaly ${id}` }));
    return { status: 200, body: found };
  }),
  handle(RESOLVE_ANOMALY)(async (c, { params: { id } }, { run, fail }) => {
    const resolved = await run(
      Effect.flatMap(Clock.currentTimeMillis, (ms) =>
        resolveAnomaly(id, new Date(ms).toISOString()),
      ),
    );
    if (!resolved) return fail(new AnomalyNotFound({ message: `no anomaly ${id}` }));
    // The dispatcher notes the resolution, so a later re-opening is alerted again.
    await pokeAlerts(c.env.ACTORS);
    return { status: 200, body: resolved };
  }),
  handle(LIST_ALERTS)(async (_c, { query }, { run }) => {
    const { status, sink, anomaly, limit } = query;
    const { deliveries, counts } = await run(
      listDeliveries({
        ...(status ? { status } : {}),
        ...(sink ? { sink } : {}),
        ...(anomaly ? { anomalyId: anomaly } : {}),
        limit,
      }),
    );
    return { status: 200, body: { alerts: deliveries, counts } };
  }),
);
