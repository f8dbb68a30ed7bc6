/**
 * Detection on an HTTP-triggered run inside workerd: `POST /runs` of
 * `trade_data.ingest_trades` for a client whose id has a space reads the demo feed's
 * executions through the `execution_csv` source, whose `trades` detection judges the session
 * against the client's earlier sessions in `core_series_points` and records the VolumeShift.
 */

import { env } from "cloudflare:test";
import { createClient } from "@libsql/client/web";
import { describe, expect, it } from "vitest";
import { get, post } from "./api";

const CLIENT = "Desk W";

const sql = async (statement: string, args: Array<string | number> = []) => {
  const client = createClient({ url: env.LIBSQL_URL });
  try {
    return (await client.execute({ sql: statement, args })).rows;
  } finally {
    client.close();
  }
};

describe("POST /runs: the table's detection runs in the Worker", () => {
  it("finds a drop in a client's trade count against the sessions stored before it", async () => {
    // Twelve earlier sessions of ~600 trades, as an earlier file ingest leaves them.
    const earlier = [
      ...["2025-06-26", "2025-06-27", "2025-06-30"].map((d) => [d, 590] as const),
      ...["2025-07-01", "2025-07-02", "2025-07-03", "2025-07-07", "2025-07-08"].map(
        (d) => [d, 600] as const,
      ),
      ...["2025-07-09", "2025-07-10", "2025-07-11", "2025-07-14"].map((d) => [d, 610] as const),
    ];
    for (const [period, value] of earlier) {
      await sql(
        `INSERT INTO core_series_points (target, series, period, value, capture_id, captured_at, execution_id, batch_id)
VALUES ('trades', ?, ?, ?, 'fixture', '2025-07-15T00:00:00.000Z', 'fixture', 'fixture')`,
        [CLIENT, period, value],
      );
    }
    const partition = `2025-07-15|${CLIENT}`;
    const res = await post("/runs", { pipeline: "trade_data.ingest_trades", partition });
    expect(res.status).toBe(200);
    const run = (await res.json()) as { status: string; counts: { written: number } };
    expect(run.status).toBe("complete");
    expect(run.counts.written).toBeGreaterThan(0);
    const points = await sql(
      "SELECT value FROM core_series_points WHERE target = 'trades' AND series = ? AND period = '2025-07-15'",
      [CLIENT],
    );
    expect(Number(points[0]?.value)).toBe(run.counts.written);
    const list = await get(
      `/anomalies?rule=VOLUME_SHIFT&partition=${encodeURIComponent(partition)}`,
    );
    const body = (await list.json()) as { anomalies: Array<{ message: string }> };
    expect(body.anomalies.map((a) => a.message)).toEqual([
      `Volume anomaly: ${CLIENT} trades ${run.counts.written} vs median 600 (${(
        (100 * (run.counts.written - 600)) / 600
      ).toFixed(1)}%)`,
    ]);
  });
});
