/**
 * The status page in a real headless Chromium against the real local stack (`wrangler dev`,
 * the libSQL endpoint, the demo feed, on free ports): sign in, watch a partition's cell
 * turn complete without a reload, reach it by keyboard, resolve its anomaly, retry a dead
 * letter, and read it at phone width. A screenshot per step goes to
 * `test/.artifacts/status-page/` (git-ignored).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, launchChromium } from "../fixtures/browser";
import { useLocalStack } from "../fixtures/local-stack";

const WRITE = "browser-write-token";
const READ = "browser-read-token";
const PIPELINE = "market_data.ingest_prices";
const WATCHED = "2025-01-03|demo";
const FAILING = "2025-01-06|demo";

const stack = useLocalStack({
  apiToken: WRITE,
  vars: { DATASPINE_READ_TOKEN: READ, LOG_LEVEL: "WARN" },
});

let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: Array<string> = [];

const shot = async (name: string, target: Page = page) =>
  target.screenshot({ path: await artifactPath("status-page", name), fullPage: true });

const feed = (path: string, body: unknown) =>
  fetch(`${stack.marketDataBaseUrl}${path}`, { method: "POST", body: JSON.stringify(body) });

const run = (partition: string) =>
  fetch(`${stack.workerUrl}/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${WRITE}`, "content-type": "application/json" },
    body: JSON.stringify({ pipeline: PIPELINE, partition }),
  }).then((r) => r.json() as Promise<{ status: string; dead_letter_id?: string }>);

const cell = (partition: string) => `a.cell[data-partition="${partition}"]`;

beforeAll(async () => {
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
});

describe("status page in Chromium", () => {
  it("shows the public summary, then signs in through the form", async () => {
    expect((await run("2025-01-02|demo")).status).toBe("complete");
    await page.goto(`${stack.workerUrl}/`);
    await page.locator(`[data-pipeline="${PIPELINE}"] [data-count="complete"]`).waitFor();
    expect(await page.locator("h1").textContent()).toBe("Pipelines");
    await shot("01-public-summary.png");

    await page.goto(`${stack.workerUrl}/ui/pipelines/${PIPELINE}`);
    expect(new URL(page.url()).pathname).toBe("/ui/login");
    await page.getByLabel("Token").fill(WRITE);
    await shot("02-login.png");
    await page.getByLabel("Token").press("Enter");
    await page.waitForURL(`**/ui/pipelines/${PIPELINE}`);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "dataspine_token")).toMatchObject({
      httpOnly: true,
      sameSite: "Strict",
    });
  });

  it("turns a cell complete while the page refreshes itself, without a reload", async () => {
    await page.locator(cell("2025-01-02|demo")).waitFor();
    expect(await page.locator(cell(WATCHED)).count()).toBe(0);
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await shot("03-grid-before.png");
    // Slow feed: the run stays `running` across a few refreshes; one bar goes missing.
    await feed("/__faults", { latency_ms: 1500 });
    await feed("/__anomalies", {
      anomalies: [{ kind: "missing_bar", symbol: "NVDA", date: "2025-01-03" }],
    });
    const running = run(WATCHED);
    await page.locator(`${cell(WATCHED)}[data-status="running"]`).waitFor({ timeout: 30_000 });
    await shot("04-grid-running.png");
    expect((await running).status).toBe("complete");
    await feed("/__faults", { latency_ms: 0 });
    await page.locator(`${cell(WATCHED)}[data-status="complete"]`).waitFor({ timeout: 30_000 });
    await shot("05-grid-complete.png");
    const state = await page.evaluate(() => ({
      notReloaded: (window as unknown as { notReloaded?: boolean }).notReloaded === true,
      refreshes: Number(document.getElementById("live")?.dataset.refreshes ?? "0"),
    }));
    expect(state.notReloaded).toBe(true);
    expect(state.refreshes).toBeGreaterThan(1);
  });

  it("reaches the cell by keyboard alone: Tab to it, a visible focus ring, Enter opens it", async () => {
    await page.goto(`${stack.workerUrl}/ui/pipelines/${PIPELINE}`);
    let focused = "";
    for (let i = 0; i < 60 && focused !== WATCHED; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(
        () => (document.activeElement as HTMLElement | null)?.dataset.partition ?? "",
      );
    }
    expect(focused).toBe(WATCHED);
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(outline).toBe("solid");
    await shot("06-grid-keyboard-focus.png");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/ui/partitions/${PIPELINE}/${encodeURIComponent(WATCHED)}`);
    await page.locator("#state [data-status='complete']").waitFor();
    expect(await page.locator("[data-field='output-sha256']").first().textContent()).toMatch(
      /^[0-9a-f]{64}$/,
    );
    expect(await page.locator("#anomalies").textContent()).toContain("MISSING_DATA");
    await shot("07-partition.png");
  });

  it("resolves the partition's anomaly with its button", async () => {
    await page.getByRole("button", { name: "Resolve" }).first().click();
    await page.locator("#notice").waitFor();
    expect(await page.locator("#notice").textContent()).toBe("Anomaly resolved.");
    expect(await page.locator("#anomalies [data-field='resolved'] time").count()).toBe(1);
    await shot("08-anomaly-resolved.png");
  });

  it("retries a dead letter made by the feed's fault injection", async () => {
    await feed("/__faults", { error_rate: 1, statuses: [404], match: "2025-01-06" });
    const failed = await run(FAILING);
    await feed("/__faults", { error_rate: 0, match: "" });
    expect(failed.status).toBe("failed");
    const id = failed.dead_letter_id ?? "";
    expect(id).toMatch(/^dl_/);
    await page.goto(`${stack.workerUrl}/ui/dead-letters?status=open`);
    const row = page.locator(`tr[data-dead-letter="${id}"]`);
    expect(await row.textContent()).toContain("HTTP 404");
    await shot("09-dead-letters.png");
    await row.getByRole("button", { name: "Retry" }).click();
    await page.locator("#notice").waitFor();
    expect(await page.locator("#notice").textContent()).toMatch(/^Retried: /);
    await page.goto(`${stack.workerUrl}/ui/dead-letters?status=retried`);
    await page.locator(`tr[data-dead-letter="${id}"]`).waitFor();
    await shot("10-dead-letter-retried.png");
    await page.goto(`${stack.workerUrl}/ui/pipelines/${PIPELINE}`);
    await page.locator(`${cell(FAILING)}[data-status="complete"]`).waitFor();
  });

  it("shows a backfill's progress bar", async () => {
    const res = await fetch(`${stack.workerUrl}/backfills`, {
      method: "POST",
      headers: { authorization: `Bearer ${WRITE}`, "content-type": "application/json" },
      body: JSON.stringify({
        pipeline: PIPELINE,
        start: "2025-01-07",
        end: "2025-01-10",
        params: { universe: "demo" },
      }),
    });
    const { backfill_id } = (await res.json()) as { backfill_id: string };
    await page.goto(`${stack.workerUrl}/ui/operations`);
    const bar = page.locator(`progress[id="progress-${backfill_id}"]`);
    expect(await bar.getAttribute("max")).toBe("4");
    // The page refreshes itself until the backfill has moved to the finished table.
    await page.locator(`#finished [data-operation="${backfill_id}"]`).waitFor({ timeout: 60_000 });
    expect(await bar.getAttribute("value")).toBe("4");
    await shot("11-operations.png");
  });

  it("fits a phone: no page-wide horizontal scroll, grid and partition readable", async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    await phone.addCookies([{ name: "dataspine_token", value: READ, url: stack.workerUrl }]);
    const small = await phone.newPage();
    for (const [path, name] of [
      [`/ui/pipelines/${PIPELINE}`, "12-phone-grid.png"],
      [`/ui/partitions/${PIPELINE}/${encodeURIComponent(WATCHED)}`, "13-phone-partition.png"],
    ] as const) {
      await small.goto(`${stack.workerUrl}${path}`);
      const widths = await small.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
      }));
      expect(widths.page).toBeLessThanOrEqual(widths.viewport);
      await shot(name, small);
    }
    await phone.close();
    expect(consoleErrors).toEqual([]);
  });
});
