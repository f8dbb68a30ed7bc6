/**
 * Alerts from the CLI as real child processes: `dataspine ingest` of trades without market
 * data writes a REFERENTIAL_INTEGRITY (HIGH) anomaly, and the delivery pass after the run
 * sends it to the webhook (the demo feed's receiver), the alert file and the log, retrying a
 * failed webhook on the next run (or within the run, given `ALERT_CLI_WAIT_MS`).
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DemoFeedServer, startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { dataspineWith, ingestArgs } from "../fixtures/cli";
import { freePort } from "../fixtures/ports";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

const HEADER = "trade_id,client_id,symbol,side,quantity,price,timestamp,venue";

let feed: DemoFeedServer;
let db: TempDb;

beforeAll(async () => {
  feed = await startDemoFeed({ port: 0 });
});
afterAll(async () => {
  await feed.close();
});
beforeEach(async () => {
  db = await makeTempDb();
  await receiver({ fail_next: 0, match: "", clear: true });
  return () => db.cleanup();
});

const receiver = async (config: Record<string, unknown>) => {
  const res = await fetch(`${feed.url}/__alerts`, { method: "POST", body: JSON.stringify(config) });
  expect(res.status).toBe(200);
};
const received = async () =>
  (await (await fetch(`${feed.url}/alerts-received`)).json()) as {
    received: number;
    failed: number;
    alerts: Array<{ text: string; anomaly_id: string; idempotency_key: string }>;
  };

/** A trades file on one day; `disorder` adds a trade timestamped before its predecessor. */
const tradesFile = async (name: string, symbols: ReadonlyArray<string>, disorder = false) => {
  const lines = symbols.map(
    (s, i) => `T${i + 1},CLIENT_A,${s},BUY,100,10.5,2025-01-02T15:0${i}:00Z,XNAS`,
  );
  if (disorder) lines.push(`T9,CLIENT_A,${symbols[0]},SELL,100,10.5,2025-01-02T14:00:00Z,XNAS`);
  const path = join(db.dir, name);
  await writeFile(path, `${HEADER}\n${lines.join("\n")}\n`);
  return path;
};

const ingest = (env: Record<string, string>, file: string, ...extra: Array<string>) =>
  dataspineWith(
    { ALERT_LOG_MIN_SEVERITY: "OFF", ...env },
    db.url,
    ...ingestArgs("execution_csv", file, "--json", ...extra),
  );

const deliveries = () =>
  query(
    db.url,
    "SELECT anomaly_id, sink, status, attempts, episode, last_error FROM core_alert_deliveries ORDER BY sink, anomaly_id",
  );

describe("alerts from the CLI", { timeout: 60_000 }, () => {
  it("a webhook that fails twice then succeeds gets the alert exactly once, over three runs", async () => {
    const file = await tradesFile("one.csv", ["AAPL"]);
    const env = { ALERT_WEBHOOK_URL: `${feed.url}/alerts`, ALERT_RETRY_BASE_MS: "1" };
    await receiver({ fail_next: 2 });
    const statuses: Array<string> = [];
    for (let run = 1; run <= 4; run++) {
      const result = await ingest(env, file);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).status).toBe("complete");
      statuses.push(...(await deliveries()).map((d) => `${d.status}/${d.attempts}`));
    }
    expect(statuses).toEqual(["retrying/1", "retrying/2", "delivered/3", "delivered/3"]);
    const got = await received();
    expect(got).toMatchObject({ received: 1, failed: 2 });
    expect(got.alerts[0]?.text).toMatch(
      /^\[HIGH\] REFERENTIAL_INTEGRITY at .* UTC: 1 trade\(s\) reference AAPL on 2025-01-02/,
    );
  });

  it("within one run when ALERT_CLI_WAIT_MS covers the retries", async () => {
    const file = await tradesFile("wait.csv", ["MSFT"]);
    await receiver({ fail_next: 2 });
    const result = await ingest(
      {
        ALERT_WEBHOOK_URL: `${feed.url}/alerts`,
        ALERT_RETRY_BASE_MS: "20",
        ALERT_CLI_WAIT_MS: "10000",
      },
      file,
    );
    expect(result.code).toBe(0);
    expect(await deliveries()).toMatchObject([
      { sink: "webhook", status: "delivered", attempts: 3 },
    ]);
    expect(await received()).toMatchObject({ received: 1, failed: 2 });
  });

  it("routes by severity: webhook HIGH and up, the alert file everything, the log MEDIUM and up", async () => {
    const file = await tradesFile("mixed.csv", ["AAPL"], true);
    const alertFile = join(db.dir, "alerts", "alerts.jsonl");
    const result = await ingest(
      {
        ALERT_WEBHOOK_URL: `${feed.url}/alerts`,
        ALERT_WEBHOOK_MIN_SEVERITY: "ERROR",
        ALERT_LOG_MIN_SEVERITY: "WARN",
        ALERT_FILE_MIN_SEVERITY: "LOW",
        LOG_LEVEL: "WARN",
      },
      file,
      "--alert-file",
      alertFile,
    );
    expect(result.code).toBe(0);
    const lines = (await readFile(alertFile, "utf8")).trimEnd().split("\n");
    const alerts = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(alerts.map((a) => `${a.severity} ${a.rule}`).sort()).toEqual([
      "HIGH REFERENTIAL_INTEGRITY",
      "MEDIUM MONOTONIC_TIMESTAMPS",
    ]);
    for (const a of alerts) {
      expect(a).toMatchObject({ anomaly_id: expect.any(String), episode: 1 });
      expect(String(a.text)).toMatch(/^\[(HIGH|MEDIUM)\] [A-Z_]+ at .* UTC: /);
    }
    expect((await received()).alerts.map((a) => a.text)).toEqual([
      expect.stringMatching(/^\[HIGH\] REFERENTIAL_INTEGRITY/),
    ]);
    const logged = result.stderr
      .split("\n")
      .filter((l) => l.includes('"alert":"anomaly"'))
      .map((l) => JSON.parse(l) as { message: string; logLevel: string });
    expect(logged.map((l) => `${l.logLevel} ${l.message.split(" at ")[0]}`).sort()).toEqual([
      "WARN [HIGH] REFERENTIAL_INTEGRITY",
      "WARN [MEDIUM] MONOTONIC_TIMESTAMPS",
    ]);

    // The same file again: both anomalies are still open, so nothing is written twice.
    await ingest({ ALERT_FILE_MIN_SEVERITY: "LOW" }, file, "--alert-file", alertFile);
    expect((await readFile(alertFile, "utf8")).trimEnd().split("\n")).toHaveLength(2);
  });

  it("a failing webhook and an unwritable alert file never fail the run", async () => {
    const file = await tradesFile("down.csv", ["NVDA"]);
    const port = await freePort();
    const result = await ingest(
      {
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/SECRET123`,
        ALERT_WEBHOOK_TIMEOUT_MS: "2000",
        ALERT_RETRY_BASE_MS: "1",
      },
      file,
      "--alert-file",
      db.dir,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "complete", counts: { written: 1 } });
    const rows = await deliveries();
    expect(
      rows.map((r) => [String(r.sink).startsWith("file:") ? "file" : r.sink, r.status]),
    ).toEqual([
      ["file", "retrying"],
      ["webhook", "retrying"],
    ]);
    expect(String(rows[0]?.last_error)).toMatch(/EISDIR/);
    expect(String(rows[1]?.last_error)).toMatch(/^request failed/);
    expect(String(rows[1]?.last_error)).not.toContain("SECRET123");

    // `dataspine alerts` shows the same state; `alerts deliver` retries once the webhook is up.
    const listed = await dataspineWith({}, db.url, "alerts", "--status", "retrying", "--json");
    expect(listed.code).toBe(0);
    const state = JSON.parse(listed.stdout) as {
      alerts: Array<{ sink: string; attempts: number; text: string; next_attempt_at: string }>;
      counts: Record<string, number>;
    };
    expect(state.counts).toEqual({ retrying: 2 });
    expect(state.alerts.map((a) => a.attempts)).toEqual([1, 1]);
    expect(state.alerts[0]?.text).toMatch(/^\[HIGH\] REFERENTIAL_INTEGRITY at .*NVDA/);
    const delivered = await dataspineWith(
      { ALERT_WEBHOOK_URL: `${feed.url}/alerts`, ALERT_LOG_MIN_SEVERITY: "OFF" },
      db.url,
      "alerts",
      "deliver",
      "--json",
    );
    expect(JSON.parse(delivered.stdout)).toMatchObject({ delivered: 1 });
    expect((await received()).alerts.map((a) => a.text)).toEqual([expect.stringContaining("NVDA")]);
  });

  it("a bad alert setting is bad usage (exit 2) before anything runs", async () => {
    const file = await tradesFile("bad.csv", ["AAPL"]);
    const result = await ingest({ ALERT_WEBHOOK_MIN_SEVERITY: "LOUD" }, file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("ALERT_WEBHOOK_MIN_SEVERITY: must be one of");
    expect(await query(db.url, "SELECT name FROM sqlite_master WHERE name = 'trades'")).toEqual([]);
  });

  it("a resolved anomaly that is found again is alerted again, as its next episode", async () => {
    const file = await tradesFile("again.csv", ["AMZN"]);
    const env = { ALERT_WEBHOOK_URL: `${feed.url}/alerts` };
    await ingest(env, file);
    const [first] = await deliveries();
    const resolved = await dataspineWith(
      env,
      db.url,
      "anomalies",
      "resolve",
      String(first?.anomaly_id),
    );
    expect(resolved.code).toBe(0);
    await ingest(env, file);
    expect(await deliveries()).toMatchObject([{ status: "delivered", episode: 2 }]);
    expect((await received()).alerts.map((a) => a.idempotency_key)).toEqual([
      `${first?.anomaly_id}.1`,
      `${first?.anomaly_id}.2`,
    ]);
  });
});
