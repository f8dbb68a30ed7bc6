/**
 * Crash safety at size: `kill -9` of `dataspine ingest` in the middle of 1M trades, of the
 * libSQL endpoint the ingest writes to, and of `dataspine backfill` over a quarter; each
 * re-run leaves exactly the clean run's rows, the interrupted captures `failed`
 * (Interrupted), nothing `running`, and an intact audit chain. Figures go to stdout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectRecovered } from "../fixtures/crash-assertions";
import {
  backfillKilled,
  type CrashOutcome,
  endpointKilled,
  ingestKilled,
  prepareIngest,
} from "../fixtures/crash-scenarios";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

const ROWS = 1_000_000;
const QUARTER = { start: "2025-01-01", end: "2025-03-31" };

let dir: TempDb;
let prepared: Awaited<ReturnType<typeof prepareIngest>>;

beforeAll(async () => {
  dir = await makeTempDb();
  prepared = await prepareIngest(dir.dir, ROWS);
});

afterAll(async () => {
  await dir?.cleanup();
});

const report = (name: string, outcome: CrashOutcome) => {
  const interrupted = outcome.capturesAfter.filter((c) => c.error === "Interrupted").length;
  process.stdout.write(
    `[crash] ${name}: rows at kill ${outcome.rowsAtKill}, after re-run ${outcome.difference.rows} ` +
      `(clean ${outcome.difference.cleanRows}, extra ${outcome.difference.extra}, missing ` +
      `${outcome.difference.missing}), interrupted captures ${interrupted}, audit entries ` +
      `${outcome.audit.report.entries}, clean run ${outcome.cleanMs} ms, re-run ${outcome.rerunMs} ms\n`,
  );
};

describe("crash safety, 1M rows", () => {
  it("kill -9 of dataspine ingest part-way through its writes, then a re-run", async () => {
    expect(prepared.clean).toMatchObject({ status: "complete", counts: { written: ROWS } });
    const outcome = await ingestKilled(dir.dir, prepared, ROWS);
    report("ingest killed", outcome);
    expect(outcome.rowsAtKill).toBeLessThan(ROWS);
    expect(outcome.rerun).toMatchObject({ status: "complete", counts: { written: ROWS } });
    expectRecovered(outcome);
  });

  it("kill -9 of the libSQL endpoint mid-write, then a re-run", async () => {
    const outcome = await endpointKilled(dir.dir, prepared, ROWS);
    report("endpoint killed", outcome);
    expect(outcome.ingestExit).toBe(1);
    expect(outcome.rowsAtKill).toBeLessThan(ROWS);
    expect(outcome.rerun).toMatchObject({ status: "complete", counts: { written: ROWS } });
    expectRecovered(outcome);
  });

  it("kill -9 of dataspine backfill over a quarter, then a re-run", async () => {
    const outcome = await backfillKilled(dir.dir, QUARTER);
    report(`backfill killed (${outcome.partitions} partitions)`, outcome);
    expect(outcome.rerun).toMatchObject({ status: "complete", total: outcome.partitions });
    expectRecovered(outcome);
  });
});
