/**
 * End to end: `finra.weekly_refresh` over the eight sample weeks through `wrangler dev`
 * (the Worker fetches each weekly file from the demo feed over HTTP and writes to the libSQL
 * endpoint), then the rolling averages of the last week against the hand-checked fixture,
 * and `GET /readiness`.
 * Every process started here is stopped after the file (`fixtures/local-stack.ts`).
 */
import { readFileSync } from "node:fs";
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { useLocalStack } from "../fixtures/local-stack";
import { SAMPLE_WEEKS } from "../fixtures/workflows";

const TOKEN = "e2e-token";
const stack = useLocalStack({ apiToken: TOKEN });
const expected = JSON.parse(
  readFileSync(
    new URL("../fixtures/finra/rolling-6w-2025-02-21-NMS_TIER_1.json", import.meta.url),
    "utf8",
  ),
) as { rows: Array<Record<string, string>> };

describe("finra.weekly_refresh in wrangler dev", () => {
  it("runs eight sample weeks end to end; rolling averages match the fixture", async () => {
    const statuses: Array<[string, string, string | undefined]> = [];
    for (const week of SAMPLE_WEEKS) {
      const res = await fetch(`${stack.workerUrl}/workflows/finra.weekly_refresh/runs`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ params: { week_ending: week, tier: "NMS_TIER_1" } }),
      });
      const body = (await res.json()) as {
        status: string;
        steps: Array<{ name: string; status: string }>;
      };
      expect(res.status).toBe(200);
      statuses.push([week, body.status, body.steps.find((s) => s.name === "rolling")?.status]);
    }
    expect(statuses.map(([, s]) => s)).toEqual([
      ...Array(5).fill("complete_with_skips"),
      ...Array(3).fill("complete"),
    ]);
    expect(statuses.map(([, , r]) => r)).toEqual([
      ...Array(5).fill("skipped"),
      ...Array(3).fill("complete"),
    ]);

    const client = createClient({ url: stack.libsqlUrl });
    try {
      const rs = await client.execute(
        `SELECT symbol, avg_weekly_share_quantity, avg_weekly_trade_count, avg_venue_count
           FROM finra_otc_transparency_symbol_rolling_6w
          WHERE week_ending = '2025-02-21' AND tier = 'NMS_TIER_1' ORDER BY symbol`,
      );
      expect(rs.rows.map((r) => ({ ...r }))).toEqual(expected.rows);
      const gate = await client.execute(
        "SELECT category FROM core_anomalies WHERE partition_key = '2025-01-31|NMS_TIER_1' AND stage = 'ROLLING'",
      );
      expect(gate.rows.map((r) => r.category)).toEqual(["QUALITY_GATE"]);
    } finally {
      client.close();
    }

    const readiness = (await (
      await fetch(
        `${stack.workerUrl}/readiness?domain=finra.otc_transparency&week_ending=2025-02-21`,
        { headers: { authorization: `Bearer ${TOKEN}` } },
      )
    ).json()) as { ready: number; not_ready: number };
    expect(readiness).toMatchObject({ ready: 4, not_ready: 0 });
  });
});
