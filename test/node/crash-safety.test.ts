/**
 * Crash safety, small: `kill -9` of `dataspine ingest` (20,000 trades) in the middle of its
 * writes; a re-run then leaves exactly the clean run's rows, the interrupted capture `failed`
 * (Interrupted), and an intact audit chain. The reliability suite runs this with 1M trades,
 * and kills the libSQL endpoint and a backfill too (`test/reliability/crash-safety.test.ts`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectRecovered } from "../fixtures/crash-assertions";
import { ingestKilled, prepareIngest } from "../fixtures/crash-scenarios";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

const ROWS = 20_000;

let dir: TempDb;

beforeAll(async () => {
  dir = await makeTempDb();
});

afterAll(async () => {
  await dir?.cleanup();
});

describe("crash safety", () => {
  it("kill -9 of dataspine ingest part-way through its writes, then a re-run", {
    timeout: 180_000,
  }, async () => {
    const prepared = await prepareIngest(dir.dir, ROWS);
    expect(prepared.clean).toMatchObject({ status: "complete", counts: { written: ROWS } });
    const outcome = await ingestKilled(dir.dir, prepared, ROWS);
    expect(outcome.rowsAtKill).toBeGreaterThan(0);
    expect(outcome.rowsAtKill).toBeLessThan(ROWS);
    expect(outcome.rerun).toMatchObject({ status: "complete", counts: { written: ROWS } });
    expectRecovered(outcome);
  });
});
