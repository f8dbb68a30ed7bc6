/**
 * The HTTP boundary inside workerd: token scopes (read, write, public reads, cookies with a
 * same-origin check), body size and nesting limits, bounded echoes in error messages, and
 * strict query decoding (limits, dates).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ConfigVars } from "../../src/core/config/app-config";
import { appEnvOf } from "../../src/worker/actors";
import { app } from "../../src/worker/app";
import { api, BASE, get, post, READ_TOKEN, WRITE_TOKEN } from "./api";

const PIPELINE = "market_data.ingest_prices";
// A partition no other test file uses: Durable Objects do not outlive a test file's modules.
const PARTITION = `/partitions/${PIPELINE}/${encodeURIComponent("2025-09-02|demo")}`;

const READS = [
  `/partitions?pipeline=${PIPELINE}`,
  PARTITION,
  "/dead-letters",
  "/dead-letters/dl_nope",
  "/anomalies",
  "/anomalies/anom_nope",
  "/detectors",
  "/workflows",
  "/workflows/finra.weekly_refresh/runs",
  "/workflows/runs/wfrun_nope",
  "/readiness",
  "/backfills/backfill.20250101T000000Z.000000000000",
  "/replays/replay.20250101T000000Z.000000000000",
  "/replays/replay.20250101T000000Z.000000000000/output",
];
const WRITES = [
  "/runs",
  "/backfills",
  "/replays",
  "/anomalies/anom_nope/resolve",
  "/dead-letters/dl_nope/retry",
  "/workflows/finra.weekly_refresh/runs",
];

/** The app with other bindings, in-process (same workerd, same Durable Objects). */
const withEnv = (vars: ConfigVars, path: string, init: RequestInit = {}) => {
  const worker = appEnvOf(env);
  return app.request(`${BASE}${path}`, init, { ...worker, VARS: { ...worker.VARS, ...vars } });
};

const errorOf = async (res: Response) => ({
  status: res.status,
  body: (await res.json()) as { error: string; message: string },
});

describe("token scopes", () => {
  it("every read needs a token, except /health; the read token reads", async () => {
    expect((await get("/health", null)).status).toBe(200);
    for (const path of READS) {
      const anonymous = await get(path, null);
      expect({ path, ...(await errorOf(anonymous)) }).toMatchObject({
        path,
        status: 401,
        body: { error: "Unauthorized" },
      });
      expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
      const read = await get(path, READ_TOKEN);
      expect({ path, status: read.status }).toEqual({
        path,
        status: [200, 404].includes(read.status) ? read.status : 200,
      });
    }
  });

  it("the read token cannot write, nor fetch upstream with the operator's key (diff)", async () => {
    for (const path of WRITES) {
      const res = await post(path, {}, READ_TOKEN);
      expect({ path, ...(await errorOf(res)) }).toMatchObject({
        path,
        status: 403,
        body: { error: "Forbidden" },
      });
    }
    const diff = `${PARTITION}/diff`;
    expect((await get(diff, null)).status).toBe(401);
    expect(await errorOf(await get(diff, READ_TOKEN))).toMatchObject({
      status: 403,
      body: { error: "Forbidden" },
    });
    // With the write token the route runs: this partition never ran here.
    expect(await errorOf(await get(diff, WRITE_TOKEN))).toMatchObject({
      status: 404,
      body: { error: "PartitionNotFound" },
    });
  });

  it("a browser session's cookie reads; a cookie write must come from this origin", async () => {
    const cookie = (token: string) => ({ cookie: `other=1; dataspine_token=${token}` });
    expect((await api("/detectors", { headers: cookie(READ_TOKEN) }, null)).status).toBe(200);
    expect((await api("/detectors", { headers: cookie("nope") }, null)).status).toBe(401);
    const write = (headers: Record<string, string>) =>
      api(
        "/runs",
        { method: "POST", headers: { ...cookie(WRITE_TOKEN), ...headers }, body: "{}" },
        null,
      );
    for (const csrf of [
      {},
      { origin: "http://evil.example" },
      { "sec-fetch-site": "cross-site" },
    ]) {
      expect(await errorOf(await write(csrf))).toMatchObject({
        status: 403,
        body: { error: "Forbidden", message: expect.stringContaining("origin") },
      });
    }
    // Same origin: past the auth, to the body check (an empty object is not a run).
    for (const same of [{ origin: BASE }, { "sec-fetch-site": "same-origin" }]) {
      expect(await errorOf(await write(same))).toMatchObject({
        status: 400,
        body: { error: "InvalidRequest" },
      });
    }
    expect(
      (
        await api(
          "/runs",
          { method: "POST", headers: { ...cookie(READ_TOKEN), origin: BASE }, body: "{}" },
          null,
        )
      ).status,
    ).toBe(403);
  });

  it("DATASPINE_PUBLIC_READS=true opens reads, never writes or the diff", async () => {
    expect((await withEnv({}, "/dead-letters")).status).toBe(401);
    const open = { DATASPINE_PUBLIC_READS: "true" };
    expect((await withEnv(open, "/dead-letters")).status).toBe(200);
    expect((await withEnv(open, "/detectors")).status).toBe(200);
    const basic = { authorization: "Basic dXNlcjpwdw==" };
    expect((await withEnv(open, "/detectors", { headers: basic })).status).toBe(200);
    expect((await withEnv(open, "/runs", { method: "POST", body: "{}" })).status).toBe(401);
    expect((await withEnv(open, `${PARTITION}/diff`)).status).toBe(401);
  });

  it("without the write secret, protected routes answer 503, not open", async () => {
    const unset = { DATASPINE_API_TOKEN: "", DATASPINE_READ_TOKEN: "" };
    expect(await errorOf(await withEnv(unset, "/detectors"))).toMatchObject({
      status: 503,
      body: { error: "AuthNotConfigured" },
    });
    const readOnly = { DATASPINE_API_TOKEN: "" };
    const auth = { authorization: `Bearer ${READ_TOKEN}` };
    expect((await withEnv(readOnly, "/detectors", { headers: auth })).status).toBe(200);
    const write = await withEnv(readOnly, "/runs", { method: "POST", headers: auth, body: "{}" });
    expect(write.status).toBe(503);
  });
});

describe("request limits", () => {
  it("a body over the limit is 413, whether its length is declared or streamed", async () => {
    const big = JSON.stringify({ pipeline: PIPELINE, partition: "x".repeat(1_048_576) });
    expect(await errorOf(await post("/runs", big))).toMatchObject({
      status: 413,
      body: { error: "PayloadTooLarge", message: expect.stringContaining("1048576 bytes") },
    });
    const chunks = new TextEncoder().encode(big);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < chunks.length; i += 65_536)
          controller.enqueue(chunks.slice(i, i + 65_536));
        controller.close();
      },
    });
    const res = await api("/runs", { method: "POST", body: streamed }, WRITE_TOKEN);
    expect(res.status).toBe(413);
    const small = { DATASPINE_MAX_BODY_BYTES: "64" };
    const auth = { authorization: `Bearer ${WRITE_TOKEN}` };
    const body = JSON.stringify({
      pipeline: PIPELINE,
      partition: "2025-01-02|demo",
      batch_id: "b".repeat(64),
    });
    expect((await withEnv(small, "/runs", { method: "POST", headers: auth, body })).status).toBe(
      413,
    );
  });

  it("deeply nested JSON is a 400, not a stack overflow", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    expect(await errorOf(await post("/runs", deep))).toEqual({
      status: 400,
      body: { error: "InvalidRequest", message: "body nests deeper than 32 levels" },
    });
    const nested = `{"pipeline":${'{"a":'.repeat(40)}1${"}".repeat(40)}}`;
    expect((await post("/backfills", nested)).status).toBe(400);
    // Brackets inside strings are text, not nesting.
    const text = JSON.stringify({ pipeline: "[".repeat(100), partition: "{".repeat(100) });
    expect(await errorOf(await post("/runs", text))).toMatchObject({
      status: 404,
      body: { error: "UnknownPipeline" },
    });
  });

  it("error messages cut echoed input to 200 characters", async () => {
    const long = "Z".repeat(10_000);
    const answers = [
      await post("/runs", { pipeline: long, partition: "2025-01-02|demo" }),
      await post("/runs", { pipeline: PIPELINE, partition: [long] }),
      await get(`/partitions?pipeline=${long}`),
      await get(`/anomalies?since=${long}`),
      await get(`/${long}`),
    ];
    for (const res of answers) {
      const { status, body } = await errorOf(res);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(body.message).toContain("Z".repeat(190));
      expect(body.message).not.toContain("Z".repeat(201));
      expect(body.message).toContain("…");
      expect(body.message.length).toBeLessThan(400);
    }
  });
});

describe("query decoding", () => {
  const refused = async (path: string, field: string) => {
    const { status, body } = await errorOf(await get(path));
    expect({ path, status, error: body.error }).toEqual({
      path,
      status: 400,
      error: "InvalidRequest",
    });
    expect(body.message).toContain(field);
  };

  it.each([
    `/partitions?pipeline=${PIPELINE}&`,
    "/dead-letters?",
    "/anomalies?",
    "/readiness?",
    "/workflows/finra.weekly_refresh/runs?",
  ])("limits of %s are integers within bounds, digits only", async (list) => {
    for (const limit of ["0", "-1", "1.5", "1e2", "0x10", "abc", "5001", "%205", "1&limit=2"]) {
      await refused(`${list}limit=${limit}`, "limit");
    }
    expect((await get(`${list}limit=7`)).status).toBe(200);
    expect((await get(`${list}limit=`)).status).toBe(200);
  });

  it("dates and times are strict ISO-8601: real days, four-digit years", async () => {
    const since = ["99999-01-01", "2025-02-30", "2025-13-01", "2025-1-5", "2025-01-01T25:00Z"];
    for (const bad of [...since, "2025-01-01T10:00:61Z", "yesterday", "1736000000000"]) {
      await refused(`/anomalies?since=${encodeURIComponent(bad)}`, "since");
    }
    for (const good of ["2025-02-28", "2024-02-29", "2025-01-01T00:00:00Z", "2025-01-01T09:30"]) {
      expect((await get(`/anomalies?since=${encodeURIComponent(good)}`)).status).toBe(200);
    }
    expect((await get("/anomalies?since=2025-01-01T05:00:00%2B05:00")).status).toBe(200);
    await refused("/readiness?week_ending=2025-02-30", "week_ending");
    await refused("/dead-letters?status=closed", "status");
    await refused("/anomalies?severity=SEVERE", "severity");
    await refused("/anomalies?unresolved=constructor", "unresolved");
  });
});

describe("configuration", () => {
  it("an invalid setting fails the request (500), logged by name, never a silent default", async () => {
    const logged: Array<string> = [];
    const error = console.error;
    console.error = (line: unknown) => logged.push(String(line));
    try {
      const res = await withEnv({ DATASPINE_MAX_BODY_BYTES: "lots" }, "/health");
      expect(await errorOf(res)).toEqual({
        status: 500,
        body: { error: "InternalError", message: "internal error" },
      });
    } finally {
      console.error = error;
    }
    expect(logged.join("\n")).toContain("DATASPINE_MAX_BODY_BYTES: must be an integer");
    expect(logged.join("\n")).toContain("InvalidConfig");
  });
});
