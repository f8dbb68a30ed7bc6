/**
 * Alert delivery state: `GET /alerts?status=&sink=&anomaly=&limit=` lists the outbox
 * (`core_alert_deliveries`), one entry per anomaly and sink, most recently changed first,
 * with the count of deliveries in each status.
 */
import { Schema } from "effect";
import { listDeliveries } from "../../alerts/deliveries";
import { DELIVERY_STATUSES } from "../../alerts/outbox";
import { routes, runEffect } from "../hono-effect";
import { Limit, OneOf, optional, Text } from "../request-schemas";
import { query } from "../validate";

const ListQuery = Schema.Struct({
  status: optional(OneOf(DELIVERY_STATUSES)),
  sink: optional(Text),
  anomaly: optional(Text),
  limit: Limit(1000, 100),
});

export const alertRoutes = routes().get("/alerts", query(ListQuery), async (c) => {
  const { status, sink, anomaly, limit } = c.req.valid("query");
  const { deliveries, counts } = await runEffect(
    c.env,
    listDeliveries({
      ...(status ? { status } : {}),
      ...(sink ? { sink } : {}),
      ...(anomaly ? { anomalyId: anomaly } : {}),
      limit,
    }),
  );
  return c.json({ alerts: deliveries, counts });
});
