/**
 * `GET /readiness?domain=&week_ending=&limit=`: rows of `core_data_readiness`, i.e. which
 * (domain, stage, partition) outputs are complete and usable as inputs.
 */
import { Schema } from "effect";
import { listReadiness } from "../../core/store/readiness";
import { routes, runEffect } from "../hono-effect";
import { IsoDate, Limit, optional, Text } from "../request-schemas";
import { query } from "../validate";

const ReadinessQuery = Schema.Struct({
  domain: optional(Text),
  week_ending: optional(IsoDate),
  limit: Limit(5000, 500),
});

export const readinessRoutes = routes().get("/readiness", query(ReadinessQuery), async (c) => {
  const { domain, week_ending: weekEnding, limit } = c.req.valid("query");
  const rows = await runEffect(
    c.env,
    listReadiness({
      ...(domain ? { domain } : {}),
      ...(weekEnding ? { weekEnding } : {}),
      limit,
    }),
  );
  return c.json({
    domain: domain ?? null,
    week_ending: weekEnding ?? null,
    ready: rows.filter((r) => r.is_ready).length,
    not_ready: rows.filter((r) => !r.is_ready).length,
    readiness: rows,
  });
});
