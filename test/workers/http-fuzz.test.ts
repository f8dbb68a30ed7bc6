/**
 * HTTP fuzz of the real Worker in workerd: every registered route (read from the app, so a
 * new route is fuzzed without editing this file) gets hostile path params, query strings,
 * bodies, methods and tokens. Every answer must be a JSON 4xx or the route's own success
 * code, never a 500, and come within the deadline; the status page's routes (`/`, `/ui…`)
 * answer refusals as HTML pages and may send a browser to the login form (303). Fixed seed,
 * bounded runs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { app } from "../../src/worker/app";
import { isStatusPagePath } from "../../src/worker/auth";
import { api, READ_TOKEN, WRITE_TOKEN } from "./api";

const SEED = 20_261_206;
const RUNS = 500;
const DEADLINE_MS = 15_000;
/** Routes whose answer may be a run that failed upstream (502, documented). */
const RUN_ROUTES = new Set(["POST /runs", "POST /dead-letters/:id/retry"]);

const ROUTES = [
  ...new Map(
    app.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => [`${r.method} ${r.path}`, { method: r.method, path: r.path }]),
  ).values(),
];

// Values that are nearly valid reach deeper than random text: real names, weekend dates
// (no upstream fetch), strict-date edge cases, injection and prototype names, huge text.
const nearValid = fc.constantFrom(
  "market_data.ingest_prices",
  "trade_data.ingest_trades",
  "finra.weekly_refresh",
  "finra.otc_transparency.ingest_week",
  "2025-01-04|demo",
  "2025-01-04|CLIENT_A",
  "2025-01-04",
  "2025-01-05",
  "2025-02-30",
  "99999-01-01",
  "2025-01-01T25:00Z",
  "NMS_TIER_1",
  "demo",
  "HIGH",
  "open",
  "true",
  "constructor",
  "__proto__",
  "toString",
  "' OR 1=1 --",
  "../../etc/passwd",
  "%E0%A4%A",
  "NaN",
  "-1",
  "1e309",
  "0x10",
  "",
);
const text = fc.oneof(
  nearValid,
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 50 }),
  fc.string({ unit: "binary-ascii", maxLength: 50 }),
  fc.string({ minLength: 300, maxLength: 5_000 }),
);
const QUERY_KEYS = [
  "limit",
  "since",
  "severity",
  "status",
  "unresolved",
  "rule",
  "partition",
  "pipeline",
  "domain",
  "week_ending",
  "against",
];
const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string()), text), {
  maxLength: 6,
});

/** JSON nested `depth` levels deep, as objects or arrays. */
const nested = (depth: number, array: boolean) =>
  array
    ? `${"[".repeat(depth)}1${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const jsonLike = fc.record(
  {
    pipeline: fc.oneof(text, fc.anything()),
    partition: fc.oneof(text, fc.anything()),
    start: text,
    end: text,
    params: fc.oneof(fc.dictionary(fc.oneof(nearValid, fc.string()), text), fc.anything()),
    concurrency: fc.oneof(fc.integer(), fc.double(), text),
    reconcile: fc.anything(),
    batch_id: fc.oneof(text, fc.anything()),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  jsonLike.map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc.tuple(fc.integer({ min: 1, max: 6000 }), fc.boolean()).map(([d, a]) => nested(d, a)),
  fc.constantFrom("", "{", "null", "[]", '{"pipeline":', "\u0000"),
);
const fuzzCase = fc.record({
  route: fc.constantFrom(...ROUTES),
  method: fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
  ),
  params: fc.array(text, { minLength: 3, maxLength: 3 }),
  query,
  body: fc.option(body, { nil: undefined }),
  contentType: fc.constantFrom(
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    undefined,
  ),
  token: fc.oneof(
    { weight: 6, arbitrary: fc.constant(WRITE_TOKEN) },
    fc.constantFrom(READ_TOKEN, null, "", "x"),
    fc.stringMatching(/^[\x21-\x7e]{0,40}$/),
  ),
});
type Case = typeof fuzzCase extends fc.Arbitrary<infer A> ? A : never;

const encode = (value: string) => {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%"; // a lone surrogate: send a malformed escape instead
  }
};

const send = async (c: Case) => {
  const method = c.method ?? c.route.method;
  let i = 0;
  const path = c.route.path.replace(/:[A-Za-z_]+/g, () => encode(c.params[i++] ?? "") || "x");
  const qs = c.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
  const body = method !== "GET" && method !== "HEAD" ? c.body : undefined;
  const headers: Record<string, string> = c.contentType ? { "content-type": c.contentType } : {};
  if (c.token !== null) headers.authorization = `Bearer ${c.token}`;
  const init: RequestInit = { method, headers, ...(body === undefined ? {} : { body }) };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
  });
  try {
    const res = await Promise.race([api(`${path}${qs ? `?${qs}` : ""}`, init, null), timeout]);
    return { method, path, res };
  } finally {
    clearTimeout(timer);
  }
};

/** Fails unless `res` is the route's success, or a JSON 4xx (502 for a run that failed). */
const check = async (c: Case, method: string, path: string, res: Response) => {
  const route = `${c.route.method} ${c.route.path}`;
  const page = c.route.path === "/" || isStatusPagePath(c.route.path);
  const allowed =
    (res.status >= 200 && res.status < 300) ||
    (res.status >= 400 && res.status < 500) ||
    (res.status === 502 && RUN_ROUTES.has(route) && method === c.route.method) ||
    (page && res.status === 303 && (res.headers.get("location") ?? "").startsWith("/ui"));
  const text = await res.text();
  if (!allowed)
    throw new Error(`${method} ${path.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`);
  const html = (res.headers.get("content-type") ?? "").startsWith("text/html");
  if (page && html) {
    if (res.status >= 400 && method !== "HEAD") expect(text).toMatch(/^<!DOCTYPE html>|^<html/);
  } else if (res.status >= 400 && method !== "HEAD") {
    expect(res.headers.get("content-type")).toContain("application/json");
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    expect(typeof parsed.error).toBe("string");
    expect(typeof parsed.message).toBe("string");
  }
};

/** One hostile request shape, sent to every route (its name, then the case without its route). */
const HOSTILE_SHAPES: ReadonlyArray<readonly [string, Omit<Case, "route">]> = [
  [
    "deep nesting",
    {
      method: undefined,
      params: ["x", "y", "z"],
      query: [],
      body: nested(5000, true),
      contentType: "application/json",
      token: WRITE_TOKEN,
    },
  ],
  [
    "an oversized body",
    {
      method: undefined,
      params: ["x", "y", "z"],
      query: [],
      body: "x".repeat(2_000_000),
      contentType: undefined,
      token: WRITE_TOKEN,
    },
  ],
  [
    "a wrong method",
    {
      method: "PUT",
      params: ["x", "y", "z"],
      query: [],
      body: "{}",
      contentType: undefined,
      token: WRITE_TOKEN,
    },
  ],
  [
    "huge params",
    {
      method: undefined,
      params: ["a".repeat(8000), "b", "c"],
      query: [["limit", "9".repeat(400)]],
      body: "{}",
      contentType: undefined,
      token: WRITE_TOKEN,
    },
  ],
  [
    "impossible dates",
    {
      method: undefined,
      params: ["x", "y", "z"],
      query: [
        ["since", "99999-01-01"],
        ["since", "2025-02-30"],
      ],
      body: undefined,
      contentType: undefined,
      token: READ_TOKEN,
    },
  ],
  [
    "hostile path segments, no token",
    {
      method: undefined,
      params: ["%", "\u0000", ".."],
      query: [],
      body: nested(40, false),
      contentType: undefined,
      token: null,
    },
  ],
];

describe("HTTP fuzz", () => {
  it("every route answers hostile input with JSON 4xx or success, never 500, never a hang", async () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(20);
    let cases = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const { method, path, res } = await send(c);
        cases++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        await check(c, method, path, res);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.info(
      `HTTP fuzz: ${ROUTES.length} routes, ${cases} cases (seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(cases).toBe(RUNS);
  }, 300_000);

  it.each(HOSTILE_SHAPES)(
    "each route, %s",
    async (_name, shape) => {
      for (const route of ROUTES) {
        const c = { ...shape, route };
        const { method, path, res } = await send(c);
        await check(c, method, path, res);
      }
    },
    120_000,
  );
});
