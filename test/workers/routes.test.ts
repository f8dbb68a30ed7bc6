import { describe, expect, it } from "vitest";
import { get, post, WRITE_TOKEN } from "./api";

const PIPELINE = "market_data.ingest_prices";

describe("HTTP API", () => {
  it("GET /health checks the database", async () => {
    const res = await get("/health", null);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", database: "ok" });
  });

  it("mutating routes require the bearer token", async () => {
    const body = { pipeline: PIPELINE, partition: "2025-02-03|demo" };
    for (const token of [null, "wrong", `${WRITE_TOKEN}x`, "two words!"]) {
      const res = await post("/runs", body, token);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(await res.json()).toEqual({
        error: "Unauthorized",
        message: "a valid bearer token is required",
      });
    }
  });

  it("bad input gets typed JSON errors", async () => {
    const cases = [
      [post("/runs", "{not json"), 400, "InvalidRequest"],
      [post("/runs", { pipeline: PIPELINE }), 400, "InvalidRequest"],
      [
        post("/runs", { pipeline: "nope.nothing", partition: "2025-01-02|demo" }),
        404,
        "UnknownPipeline",
      ],
      [
        post("/runs", { pipeline: PIPELINE, partition: "2025-13-01|demo" }),
        400,
        "InvalidPartitionKey",
      ],
      [
        post("/runs", { pipeline: PIPELINE, partition: "2025-01-02|nowhere" }),
        400,
        "InvalidPartitionKey",
      ],
      [get("/partitions"), 400, "InvalidRequest"],
      [get(`/partitions?pipeline=${PIPELINE}&limit=0`), 400, "InvalidRequest"],
      [
        get(`/partitions/${PIPELINE}/${encodeURIComponent("2031-01-02|demo")}`),
        404,
        "PartitionNotFound",
      ],
      [get("/no/such/route"), 404, "RouteNotFound"],
    ] as const;
    for (const [pending, status, tag] of cases) {
      const res = await pending;
      expect({ status: res.status, body: await res.json() }).toMatchObject({
        status,
        body: { error: tag },
      });
    }
  });

  it("POST /runs runs a partition through its actor; status and listing reflect it", async () => {
    const partition = "2025-02-03|demo";
    const res = await post("/runs", { pipeline: PIPELINE, partition });
    expect(res.status).toBe(200);
    const result = (await res.json()) as Record<string, unknown>;
    expect(result).toMatchObject({
      status: "complete",
      pipeline: PIPELINE,
      partition,
      counts: { received: 20, valid: 20, quarantined: 0, written: 20 },
    });
    expect(result.capture_id).toMatch(/^market_data\.INGEST\.2025-02-03\|demo\.\d{8}T\d{6}Z$/);
    expect(result.execution_id).toMatch(/^exec_/);

    const state = await get(`/partitions/${PIPELINE}/${encodeURIComponent(partition)}`);
    expect(state.status).toBe(200);
    expect(await state.json()).toMatchObject({
      pipeline: PIPELINE,
      partition,
      status: "complete",
      stage: "INGEST",
      capture_id: result.capture_id,
      row_count: 20,
      attempts: 1,
      last_error: null,
      next_retry_at: null,
      history: [{ execution_id: result.execution_id, status: "complete", trigger: "http" }],
    });

    const list = await get(`/partitions?pipeline=${PIPELINE}`);
    const listed = (await list.json()) as { partitions: Array<Record<string, unknown>> };
    expect(listed.partitions).toContainEqual(
      expect.objectContaining({
        partition_key: partition,
        status: "complete",
        capture_id: result.capture_id,
        row_count: 20,
      }),
    );
  });

  it("a weekend partition is no_data_expected", async () => {
    const res = await post("/runs", { pipeline: PIPELINE, partition: "2025-02-08|demo" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "no_data_expected",
      counts: { received: 0, written: 0 },
    });
  });
});
