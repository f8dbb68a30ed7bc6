/**
 * Replays inside workerd: `POST /replays` and the `ReplayCoordinator` driven alarm by alarm
 * (never by sleeping) over more partitions than one slice holds, the JSONL output and its
 * hash, reconciliation against captured partitions, and the read-only partition diff.
 * Dates are July 2025, which no other workers test uses.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { createClient } from "@libsql/client/web";
import { afterEach, describe, expect, it } from "vitest";
import { sha256Of } from "../../src/reconciliation/incremental-sha256";
import { replayCoordinator } from "../../src/worker/actors";
import type { ReplayCoordinator } from "../../src/worker/replay-coordinator";
import { get, post, WRITE_TOKEN } from "./api";

const PIPELINE = "market_data.ingest_prices";

const setFaults = async (faults: Record<string, unknown>) => {
  const res = await fetch(`${env.MARKET_DATA_BASE_URL}/__faults`, {
    method: "POST",
    body: JSON.stringify(faults),
  });
  expect(res.status).toBe(200);
};
afterEach(() => setFaults({ error_rate: 0, truncate_rate: 0 }));

interface ReplayView {
  replay_id: string;
  status: string;
  partitions: number;
  replayed: number;
  records: number;
  sha256: string | null;
  duration_ms: number | null;
  failures: Array<{ partition: string; error: { tag: string } }>;
  reconciliation: {
    partitions: number;
    clean: number;
    not_captured: number;
    mismatched: Array<{ partition: string; modified: number }>;
  } | null;
  by_partition: Array<{
    partition: string;
    records: number;
    sha256: string;
    capture_id: string | null;
  }>;
}

const start = async (body: Record<string, unknown>) => {
  const res = await post("/replays", { pipeline: PIPELINE, ...body });
  expect(res.status).toBe(202);
  const { replay_id, partitions } = (await res.json()) as { replay_id: string; partitions: number };
  expect(res.headers.get("location")).toBe(`/replays/${replay_id}`);
  return { replayId: replay_id, partitions };
};

/** Fires the coordinator's alarm until the replay is over. */
const drive = async (replayId: string): Promise<ReplayView> => {
  const stub = replayCoordinator(env, replayId);
  for (let i = 0; i < 30; i++) {
    const fired = await runDurableObjectAlarm(stub);
    const view = (await (await get(`/replays/${replayId}`)).json()) as ReplayView;
    if (view.status !== "running") return view;
    // workerd may have fired the alarm first: join the slice in flight instead of sleeping.
    if (!fired) await runInDurableObject(stub, (c: ReplayCoordinator) => c.alarm());
  }
  throw new Error(`replay ${replayId} did not finish`);
};

const output = async (replayId: string) => {
  const res = await get(`/replays/${replayId}/output`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("application/x-ndjson");
  return { text: await res.text(), sha256: res.headers.get("x-replay-sha256") };
};

const sql = async (statement: string) => {
  const client = createClient({ url: env.LIBSQL_URL });
  try {
    return (await client.execute(statement)).rows;
  } finally {
    client.close();
  }
};

describe("POST /replays, GET /replays/:id", () => {
  it("requires the bearer token and a replayable pipeline and range", async () => {
    const body = { pipeline: PIPELINE, start: "2025-07-01", end: "2025-07-02" };
    expect((await post("/replays", body, null)).status).toBe(401);
    const unknown = await post("/replays", { ...body, pipeline: "nope.nothing" });
    expect(unknown.status).toBe(404);
    const reversed = await post("/replays", { ...body, start: "2025-07-03" });
    expect(reversed.status).toBe(400);
    expect(await reversed.json()).toMatchObject({ error: "InvalidBackfillRange" });
    expect((await get("/replays/replay.nope")).status).toBe(404);
    expect((await get("/replays/replay.20250701T000000Z.000000000000")).status).toBe(404);
  });

  it("replays a range over several alarms to the same bytes and hash twice", async () => {
    const range = { start: "2025-07-01", end: "2025-07-14" };
    const first = await start(range);
    expect(first.partitions).toBe(14);
    const a = await drive(first.replayId);
    expect(a).toMatchObject({ status: "complete", partitions: 14, replayed: 14, failures: [] });
    // 3 July was an early close and 4 July a holiday: 9 sessions of 20 symbols.
    expect(a.records).toBe(9 * 20);
    const outA = await output(first.replayId);
    expect(outA.sha256).toBe(a.sha256);
    expect(sha256Of(outA.text)).toBe(a.sha256);
    expect(outA.text.split("\n").filter((l) => l.length > 0)).toHaveLength(a.records);

    const second = await start(range);
    const b = await drive(second.replayId);
    expect(b.sha256).toBe(a.sha256);
    expect((await output(second.replayId)).text).toBe(outA.text);
    expect(b.by_partition.map((p) => p.sha256)).toEqual(a.by_partition.map((p) => p.sha256));
  });

  it("reconciles captured partitions and records the hash against their capture", async () => {
    const run = await post("/runs", { pipeline: PIPELINE, partition: "2025-07-15|demo" });
    expect(run.status).toBe(200);
    const captureId = ((await run.json()) as { capture_id: string }).capture_id;
    await sql(
      "UPDATE market_prices SET volume = volume + 7 WHERE symbol = 'AAPL' AND trading_date = '2025-07-15'",
    );
    const { replayId } = await start({ start: "2025-07-15", end: "2025-07-16" });
    const view = await drive(replayId);
    expect(view.status).toBe("complete");
    expect(view.by_partition[0]).toMatchObject({
      partition: "2025-07-15|demo",
      capture_id: captureId,
    });
    expect(view.reconciliation).toMatchObject({
      partitions: 2,
      clean: 0,
      not_captured: 1,
      mismatched: [{ partition: "2025-07-15|demo", modified: 1, added: 0, removed: 0 }],
    });
    const [manifest] = await sql(
      `SELECT json_extract(metadata, '$.replay.sha256') AS sha FROM core_manifest WHERE capture_id = '${captureId}'`,
    );
    expect(manifest?.sha).toBe(view.by_partition[0]?.sha256);
    const anomalies = await sql(
      "SELECT severity, message FROM core_anomalies WHERE rule = 'RECONCILIATION' AND partition_key = '2025-07-15|demo' AND resolved_at IS NULL",
    );
    expect(anomalies).toHaveLength(1);
    expect(String(anomalies[0]?.message)).toContain("(fields: volume)");
    const audit = await sql(
      "SELECT count(*) AS n FROM core_audit_log WHERE event_type = 'reconciled' AND partition_key = '2025-07-15|demo'",
    );
    expect(audit[0]?.n).toBe(1);
  });

  it("waits for a transiently failing source on later alarms, then finishes with the clean hash", async () => {
    const range = { start: "2025-07-23", end: "2025-07-24", reconcile: false };
    const clean = await drive((await start(range)).replayId);
    expect(clean.status).toBe("complete");

    await setFaults({ error_rate: 1, statuses: [503], match: "/range/1/day/2025-07-24" });
    const { replayId } = await start(range);
    const stub = replayCoordinator(env, replayId);
    // workerd may have started the first slice itself: then join it instead.
    if (!(await runDurableObjectAlarm(stub))) {
      await runInDurableObject(stub, (c: ReplayCoordinator) => c.alarm());
    }
    const waiting = (await (await get(`/replays/${replayId}`)).json()) as ReplayView;
    expect(waiting).toMatchObject({ status: "running", replayed: 1, failures: [] });
    await setFaults({ error_rate: 0 });
    const healed = await drive(replayId);
    expect(healed).toMatchObject({ status: "complete", failures: [], sha256: clean.sha256 });
  });

  it("marks a partition whose source fails permanently, and withholds the range hash", async () => {
    await setFaults({ error_rate: 1, statuses: [404], match: "/range/1/day/2025-07-22" });
    const { replayId } = await start({ start: "2025-07-21", end: "2025-07-22", reconcile: false });
    const view = await drive(replayId);
    expect(view.status).toBe("failed");
    expect(view.sha256).toBeNull();
    expect(view.failures).toEqual([
      expect.objectContaining({
        partition: "2025-07-22|demo",
        error: expect.objectContaining({ tag: "PermanentSourceError" }),
      }),
    ]);
    expect(view.reconciliation).toBeNull();
  });
});

describe("GET /partitions/:pipeline/:partition/diff", () => {
  const path = (partition: string, against?: string) =>
    `/partitions/${PIPELINE}/${encodeURIComponent(partition)}/diff${against ? `?against=${encodeURIComponent(against)}` : ""}`;
  // The diff re-fetches the source with the operator's key: the write scope.
  const diff = (partition: string, against?: string) => get(path(partition, against), WRITE_TOKEN);

  it("compares the stored rows with a replay, field by field, without recording anything", async () => {
    const partition = "2025-07-17|demo";
    const run = await post("/runs", { pipeline: PIPELINE, partition });
    const captureId = ((await run.json()) as { capture_id: string }).capture_id;
    const clean = await diff(partition, captureId);
    expect(clean.status).toBe(200);
    const body = (await clean.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      clean: true,
      against: { capture_id: captureId },
      summary: { added: 0, removed: 0, modified: 0, unchanged: 20 },
    });
    expect((body.stored as { sha256: string }).sha256).toBe(
      (body.replay as { sha256: string }).sha256,
    );
    expect(body).toMatchObject({ stored_matches_capture: true, replay_matches_capture: true });

    await sql(
      "UPDATE market_prices SET close = '0.5' WHERE symbol = 'NVDA' AND trading_date = '2025-07-17'",
    );
    const drifted = (await (await diff(partition)).json()) as {
      clean: boolean;
      stored_matches_capture: boolean;
      replay_matches_capture: boolean;
      modified: Array<{ key: Record<string, string>; diffs: Record<string, { old: string }> }>;
    };
    expect(drifted.clean).toBe(false);
    expect(drifted.stored_matches_capture).toBe(false);
    expect(drifted.replay_matches_capture).toBe(true);
    expect(drifted.modified).toHaveLength(1);
    expect(drifted.modified[0]?.key.symbol).toBe("NVDA");
    expect(Object.keys(drifted.modified[0]?.diffs ?? {})).toEqual(["close"]);
    expect(drifted.modified[0]?.diffs.close?.old).toBe("0.5");
    const recorded = await sql(
      "SELECT count(*) AS n FROM core_anomalies WHERE rule = 'RECONCILIATION' AND partition_key = '2025-07-17|demo'",
    );
    expect(recorded[0]?.n).toBe(0);
  });

  it("answers 404 for an unknown capture or a partition never run", async () => {
    const unknown = await diff(
      "2025-07-17|demo",
      "market_data.INGEST.2025-07-18|demo.20250718T000000Z",
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "CaptureNotFound" });
    const never = await diff("2025-07-29|demo");
    expect(never.status).toBe(404);
    expect(await never.json()).toMatchObject({ error: "PartitionNotFound" });
  });
});
