import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, isTradingDay, tradingDaysBetween } from "../../src/calendar/nyse";
import {
  demoDailyBar,
  handleDemoFeedRequest,
  type PolygonAggBar,
  polygonAggsResponse,
} from "../../src/dev/demo-feed/feed";
import { UNIVERSES, universeSymbols } from "../../src/domains/market_data/universes";
import { type DemoFeedServer, startDemoFeed } from "../../src/node/dev/demo-feed-server";

const SYMBOLS = universeSymbols("demo") ?? [];
const DAYS = tradingDaysBetween("2024-01-01", "2025-12-31");

const decimals = (x: number): number => (String(x).split(".")[1] ?? "").length;

/** Local wall-clock time of a Unix-ms instant in New York, via the host's tz database. */
const newYorkWallClock = (ms: number): string => {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "America/New_York",
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "?";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
};

describe("universes", () => {
  it("has twenty distinct demo tickers and rejects unknown names", () => {
    expect(SYMBOLS).toHaveLength(20);
    expect(new Set(SYMBOLS).size).toBe(20);
    expect(UNIVERSES.demo).toBe(SYMBOLS);
    for (const s of SYMBOLS) expect(s).toMatch(/^[A-Z][A-Z.]*$/);
    expect(universeSymbols("nope")).toBeUndefined();
    expect(universeSymbols("toString")).toBeUndefined();
  });
});

describe("demoDailyBar", () => {
  it("is deterministic within a process", () => {
    const a = demoDailyBar("AAPL", "2025-03-14");
    const b = demoDailyBar("AAPL", "2025-03-14");
    expect(a).toBeDefined();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(demoDailyBar("AAPL", "2025-03-14")).not.toEqual(demoDailyBar("MSFT", "2025-03-14"));
  });

  it("is byte-identical in a fresh process that fills its caches in another order", async () => {
    const module = fileURLToPath(new URL("../../src/dev/demo-feed/feed.ts", import.meta.url));
    const script = `
      const { polygonAggsResponse, demoDailyBar } = await import(${JSON.stringify(module)});
      demoDailyBar("NVDA", "2029-06-01"); demoDailyBar("NVDA", "2001-06-01");
      const r = ["NVDA", "AAPL", "ZZZZ"]
        .map((s) => polygonAggsResponse(s, "2024-12-01", "2025-02-01", "id"));
      process.stdout.write(JSON.stringify(r));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { cwd: fileURLToPath(new URL("../..", import.meta.url)) },
    );
    const here = ["NVDA", "AAPL", "ZZZZ"].map((s) =>
      polygonAggsResponse(s, "2024-12-01", "2025-02-01", "id"),
    );
    expect(stdout).toBe(JSON.stringify(here));
  });

  it("keeps OHLC consistent, positive and Polygon-rounded for the demo universe", () => {
    const problems: string[] = [];
    const check = (ok: boolean, what: string): void => {
      if (!ok) problems.push(what);
    };
    for (const symbol of SYMBOLS) {
      let previous: PolygonAggBar | undefined;
      for (const date of DAYS) {
        const bar = demoDailyBar(symbol, date);
        const at = `${symbol} ${date} ${JSON.stringify(bar)}`;
        if (bar === undefined) {
          problems.push(`${at}: missing`);
          continue;
        }
        const { o, h, l, c, v, vw, n } = bar;
        check(l > 0, `${at}: low not positive`);
        check(l <= Math.min(o, c) && Math.max(o, c) <= h, `${at}: OHLC inconsistent`);
        check(l <= vw && vw <= h, `${at}: vw outside [l, h]`);
        for (const p of [o, h, l, c]) check(decimals(p) <= (p < 1 ? 4 : 2), `${at}: ${p} digits`);
        check(decimals(vw) <= 4, `${at}: vw digits`);
        check(Number.isInteger(v) && v > 0, `${at}: volume`);
        check(Number.isInteger(n) && n > 0 && n <= v, `${at}: trade count`);
        if (previous !== undefined) {
          check(Math.abs(Math.log(c / previous.c)) < 0.25, `${at}: jump from ${previous.c}`);
        }
        previous = bar;
      }
    }
    expect(problems).toEqual([]);
    expect(SYMBOLS.length * DAYS.length).toBe(20 * 502);
  });

  it("produces plausible prices and volatility", () => {
    for (const symbol of SYMBOLS) {
      const closes = DAYS.map((d) => demoDailyBar(symbol, d)?.c ?? Number.NaN);
      const returns = closes.slice(1).map((c, i) => Math.log(c / (closes[i] ?? c)));
      const mean = returns.reduce((s, r) => s + r, 0) / returns.length;
      const sd = Math.sqrt(returns.reduce((s, r) => s + (r - mean) ** 2, 0) / returns.length);
      expect(sd).toBeGreaterThan(0.005);
      expect(sd).toBeLessThan(0.05);
      for (const c of closes) expect(c > 1 && c < 10_000).toBe(true);
    }
  });

  it("has no bars on weekends, holidays and special closures", () => {
    for (const date of ["2025-01-01", "2025-01-04", "2025-01-05", "2025-01-09", "2025-04-18"]) {
      expect(demoDailyBar("AAPL", date), date).toBeUndefined();
    }
    for (let d = "2024-01-01"; d <= "2025-12-31"; d = addDays(d, 1)) {
      expect(demoDailyBar("MSFT", d) !== undefined).toBe(isTradingDay(d));
    }
    expect(demoDailyBar("AAPL", "2025-02-30")).toBeUndefined();
  });

  it("stamps bars with midnight New York time, switching between EST and EDT", () => {
    expect(demoDailyBar("AAPL", "2025-01-02")?.t).toBe(1_735_794_000_000);
    expect(demoDailyBar("AAPL", "2025-07-01")?.t).toBe(1_751_342_400_000);
    for (const date of [...DAYS, "2007-03-12", "2006-04-03", "2006-10-27", "2006-10-30"]) {
      const t = demoDailyBar("SPY", date)?.t;
      expect(t === undefined ? "missing" : newYorkWallClock(t), date).toBe(`${date} 00:00`);
    }
  });

  it("trades less on 13:00 early-close days than the symbol's median", () => {
    const early = ["2024-07-03", "2024-11-29", "2024-12-24", "2025-07-03", "2025-11-28"];
    let below = 0;
    for (const symbol of SYMBOLS) {
      const volumes = DAYS.map((d) => demoDailyBar(symbol, d)?.v ?? 0).sort((a, b) => a - b);
      const median = volumes[Math.floor(volumes.length / 2)] ?? 0;
      for (const d of early) if ((demoDailyBar(symbol, d)?.v ?? 0) < median) below++;
    }
    expect(below / (SYMBOLS.length * early.length)).toBeGreaterThan(0.7);
  });
});

describe("polygonAggsResponse", () => {
  it("mirrors Polygon's body for a range with bars", () => {
    const body = polygonAggsResponse("AAPL", "2025-01-01", "2025-01-10", "rid");
    expect(Object.keys(body)).toEqual([
      "ticker",
      "queryCount",
      "resultsCount",
      "adjusted",
      "results",
      "status",
      "request_id",
      "count",
    ]);
    // Jan 1 holiday, Jan 4–5 weekend, Jan 9 Carter day of mourning.
    expect(body.results?.map((b) => b.t)).toEqual(
      ["2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07", "2025-01-08", "2025-01-10"].map(
        (d) => demoDailyBar("AAPL", d)?.t,
      ),
    );
    expect(body).toMatchObject({ ticker: "AAPL", queryCount: 6, resultsCount: 6, count: 6 });
    expect(Object.keys(body.results?.[0] ?? {})).toEqual(["v", "vw", "o", "c", "h", "l", "t", "n"]);
  });

  it("omits `results` on an empty range, like Polygon", () => {
    const body = polygonAggsResponse("AAPL", "2025-01-04", "2025-01-05", "rid");
    expect(body).toEqual({
      ticker: "AAPL",
      queryCount: 0,
      resultsCount: 0,
      adjusted: true,
      status: "OK",
      request_id: "rid",
      count: 0,
    });
    expect("results" in body).toBe(false);
  });
});

describe("demo feed over HTTP", () => {
  let server: DemoFeedServer;
  beforeAll(async () => {
    server = await startDemoFeed({ port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${server.url}${path}`, init);
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      text: await response.text(),
    };
  };

  it("serves Polygon-shaped aggregates, byte-identical across requests and API keys", async () => {
    const path = "/v2/aggs/ticker/AAPL/range/1/day/2025-01-01/2025-01-31";
    const first = await get(path);
    const second = await get(path);
    const keyed = await get(`${path}?apiKey=secret`);
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^application\/json/);
    expect(second.text).toBe(first.text);
    expect(keyed.text).toBe(first.text);
    const body = JSON.parse(first.text);
    expect(body).toMatchObject({ ticker: "AAPL", adjusted: true, status: "OK" });
    expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.results).toEqual(
      polygonAggsResponse("AAPL", "2025-01-01", "2025-01-31", "x").results,
    );
    expect(body.resultsCount).toBe(tradingDaysBetween("2025-01-01", "2025-01-31").length);
  });

  it("serves any well-formed ticker and empty ranges", async () => {
    const unknown = await get("/v2/aggs/ticker/BRK.B/range/1/day/2025-01-02/2025-01-02");
    expect(JSON.parse(unknown.text).resultsCount).toBe(1);
    const weekend = JSON.parse(
      (await get("/v2/aggs/ticker/AAPL/range/1/day/2025-01-04/2025-01-05")).text,
    );
    expect(weekend.resultsCount).toBe(0);
    expect(weekend.results).toBeUndefined();
  });

  it("rejects bad parameters with Polygon's 400 error body", async () => {
    for (const path of [
      "/v2/aggs/ticker/AAPL/range/1/day/2025-02-30/2025-03-10",
      "/v2/aggs/ticker/AAPL/range/1/day/2025-01-01/20250110",
      "/v2/aggs/ticker/AAPL/range/1/day/2025-03-10/2025-03-01",
      "/v2/aggs/ticker/AAPL/range/1/day/2015-01-01/2025-01-01",
      "/v2/aggs/ticker/AAPL/range/5/day/2025-01-01/2025-01-10",
      "/v2/aggs/ticker/AAPL/range/1/minute/2025-01-01/2025-01-10",
      "/v2/aggs/ticker/aapl/range/1/day/2025-01-01/2025-01-10",
      "/v2/aggs/ticker/%E0%A4%A/range/1/day/2025-01-01/2025-01-10",
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      const body = JSON.parse(res.text);
      expect(body.status).toBe("ERROR");
      expect(body.error).toBeTypeOf("string");
      expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it("answers 404 on unknown paths, 405 on other methods and 200 on /health", async () => {
    const missing = await get("/v3/reference/tickers");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).status).toBe("NOT_FOUND");
    expect(
      (await get("/v2/aggs/ticker/AAPL/range/1/day/2025-01-01", { method: "POST" })).status,
    ).toBe(405);
    const health = await get("/health");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: "OK" });
  });

  it("is the same handler as the web-standard entry point", async () => {
    const path = "/v2/aggs/ticker/KO/range/1/day/2024-12-20/2025-01-03";
    const direct = await handleDemoFeedRequest(new Request(`http://feed.test${path}`)).text();
    expect((await get(path)).text).toBe(direct);
  });
});
