/**
 * `GET /readiness?domain=&week_ending=&limit=`: rows of `core_data_readiness`, i.e. which
 * (domain, stage, partition) outputs are complete and usable as inputs.
 */
import { parseIsoDate } from "../../calendar/dates";
import { listReadiness } from "../../core/readiness";
import { routes, runEffect } from "../handler";
import { InvalidRequest } from "../http-errors";

export const readinessRoutes = routes().get("/readiness", async (c) => {
  const domain = c.req.query("domain") || undefined;
  const weekEnding = c.req.query("week_ending") || undefined;
  if (weekEnding !== undefined && parseIsoDate(weekEnding) === undefined) {
    throw new InvalidRequest({ message: `week_ending must be YYYY-MM-DD, got ${weekEnding}` });
  }
  const limitText = c.req.query("limit") ?? "500";
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 5000) {
    throw new InvalidRequest({ message: `limit must be an integer 1..5000, got ${limitText}` });
  }
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
