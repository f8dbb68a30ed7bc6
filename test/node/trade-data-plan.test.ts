import { it } from "@effect/vitest";
import { Effect } from "effect";
import { describe, expect } from "vitest";
import { planBackfill } from "../../src/core/backfill/backfill";
import { appConfigFromVars } from "../../src/core/config/app-config";
import { PIPELINES } from "../../src/domains/registry";

const PIPELINE = "trade_data.ingest_trades";

describe("trade_data.ingest_trades scheduling", () => {
  it.live("backfills a client over a date range, one partition per calendar day", () =>
    Effect.gen(function* () {
      const plan = yield* planBackfill(PIPELINES, {
        pipeline: PIPELINE,
        start: "2025-01-03",
        end: "2025-01-06",
        params: { client: "CLIENT_A" },
      });
      expect(plan.partitions).toEqual([
        "2025-01-03|CLIENT_A",
        "2025-01-04|CLIENT_A",
        "2025-01-05|CLIENT_A",
        "2025-01-06|CLIENT_A",
      ]);
    }),
  );

  it.live("plans a client id with a space: the seed's client_id is any non-empty text", () =>
    Effect.gen(function* () {
      const plan = yield* planBackfill(PIPELINES, {
        pipeline: PIPELINE,
        start: "2025-01-03",
        end: "2025-01-04",
        params: { client: "Client A" },
      });
      expect(plan.partitions).toEqual(["2025-01-03|Client A", "2025-01-04|Client A"]);
    }),
  );

  it.live("refuses a missing, malformed or unexpected client param", () =>
    Effect.gen(function* () {
      for (const params of [
        {},
        { client: "A|B" },
        { client: " padded" },
        { client: "A", universe: "demo" },
      ]) {
        const error = yield* Effect.flip(
          planBackfill(PIPELINES, {
            pipeline: PIPELINE,
            start: "2025-01-03",
            end: "2025-01-06",
            params,
          }),
        );
        expect(error._tag).toBe("InvalidBackfillParams");
      }
    }),
  );

  it("live mode ingests the latest closed session of every LIVE_CLIENTS client", () => {
    const pipeline = PIPELINES.get(PIPELINE);
    const now = new Date("2025-03-11T14:00:00Z"); // Tuesday 10:00 New York: Monday is the latest close
    expect(pipeline?.livePartitions(now, appConfigFromVars({}).sources)).toEqual([]);
    expect(
      pipeline?.livePartitions(
        now,
        appConfigFromVars({ LIVE_CLIENTS: "CLIENT_A, CLIENT_B" }).sources,
      ),
    ).toEqual(["2025-03-10|CLIENT_A", "2025-03-10|CLIENT_B"]);
  });
});
