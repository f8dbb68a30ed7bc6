/**
 * The shipped FINRA sample files are exactly what `scripts/finra-samples.ts` writes, and the
 * demo feed serves them (404 for a week without a file).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { FINRA_SAMPLES_DIR } from "../../src/node/dev/finra-samples";

describe("FINRA sample weeks", () => {
  it("are reproducible from the generator, byte for byte", () => {
    const out = mkdtempSync(join(tmpdir(), "finra-samples-"));
    try {
      const script = fileURLToPath(new URL("../../scripts/finra-samples.ts", import.meta.url));
      execFileSync(process.execPath, ["--import", "tsx", script, out], { stdio: "ignore" });
      const shipped = readdirSync(FINRA_SAMPLES_DIR).sort();
      expect(shipped).toHaveLength(24);
      expect(readdirSync(out).sort()).toEqual(shipped);
      for (const name of shipped) {
        expect(readFileSync(join(out, name), "utf8")).toBe(
          readFileSync(join(FINRA_SAMPLES_DIR, name), "utf8"),
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it("are served by the demo feed", async () => {
    const feed = await startDemoFeed({ port: 0 });
    try {
      const ok = await fetch(`${feed.url}/otc-transparency/weekly/2025-01-03/OTCE.psv`);
      expect(ok.status).toBe(200);
      const text = await ok.text();
      expect(text.split("\n")[0]).toBe(
        "tierDescription|issueSymbolIdentifier|issueName|marketParticipantName|MPID|totalWeeklyShareQuantity|totalWeeklyTradeCount|lastUpdateDate",
      );
      expect(text).toBe(readFileSync(join(FINRA_SAMPLES_DIR, "2025-01-03_OTCE.psv"), "utf8"));
      expect((await fetch(`${feed.url}/otc-transparency/weekly/2025-03-07/OTCE.psv`)).status).toBe(
        404,
      );
      expect((await fetch(`${feed.url}/otc-transparency/weekly/2025-01-03/../x.psv`)).status).toBe(
        404,
      );
    } finally {
      await feed.close();
    }
  });
});
