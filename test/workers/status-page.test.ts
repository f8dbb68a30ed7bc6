/**
 * The status page inside workerd: the public summary, the token scopes of `/ui` (read token,
 * write token, cookie, same-origin check), the partition grid and its fragment, the partition
 * page, resolving an anomaly and retrying a dead letter. Partitions: 2024-03 only.
 */
import { env, SELF } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, READ_TOKEN, WRITE_TOKEN } from "./api";

const ORIGIN = "http://dataspine.test";
const WRITE = WRITE_TOKEN;
const READ = READ_TOKEN;
const PIPELINE = "market_data.ingest_prices";

const feed = (path: string, body: unknown) =>
  fetch(`${env.MARKET_DATA_BASE_URL}${path}`, { method: "POST", body: JSON.stringify(body) });

const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
  SELF.fetch(`${ORIGIN}${path}`, {
    redirect: "manual",
    headers: { ...(token ? { cookie: `dataspine_token=${token}` } : {}), ...headers },
  });

const postForm = (path: string, form: Record<string, string>, headers: Record<string, string>) =>
  SELF.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });

const run = async (partition: string) => {
  const res = await SELF.fetch(`${ORIGIN}/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${WRITE}`, "content-type": "application/json" },
    body: JSON.stringify({ pipeline: PIPELINE, partition }),
  });
  return (await res.json()) as { status: string; dead_letter_id?: string };
};

beforeAll(async () => {
  await feed("/__anomalies", {
    anomalies: [{ kind: "missing_bar", symbol: "NVDA", date: "2024-03-05" }],
  });
  expect((await run("2024-03-04|demo")).status).toBe("complete");
  expect((await run("2024-03-05|demo")).status).toBe("complete");
  await feed("/__faults", { error_rate: 1, statuses: [404], match: "2024-03-06" });
  expect((await run("2024-03-06|demo")).status).toBe("failed");
  await feed("/__faults", { error_rate: 0, match: "" });
}, 60_000);

afterAll(async () => {
  await feed("/__anomalies", { anomalies: [] });
  await feed("/__faults", { error_rate: 0, match: "" });
});

describe("GET / (public)", () => {
  it("shows partitions by status per pipeline, and nothing private", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'nonce-[^']+'/);
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
    expect(html).toContain('data-pipeline="market_data.ingest_prices"');
    expect(html).toMatch(/data-count="complete">\d/);
    expect(html).not.toContain("2024-03-05|demo");
    expect(html).not.toContain("dl_");
  });
});

describe("/ui tokens", () => {
  it("sends a signed-out browser to the login form, and refuses a fragment", async () => {
    const res = await get("/ui/pipelines/market_data.ingest_prices?days=3");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(
      `/ui/login?next=${encodeURIComponent("/ui/pipelines/market_data.ingest_prices?days=3")}`,
    );
    expect((await get("/ui", undefined, { "x-dataspine-fragment": "1" })).status).toBe(401);
    expect((await get("/ui", "wrong")).status).toBe(303);
  });

  it("signs in with a valid token only, same-origin only, into an HttpOnly SameSite cookie", async () => {
    const ok = await postForm(
      "/ui/login",
      { token: READ, next: "/ui/anomalies" },
      { origin: ORIGIN },
    );
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/ui/anomalies");
    const cookie = ok.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`dataspine_token=${READ}`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    const bad = await postForm("/ui/login", { token: "nope", next: "/ui" }, { origin: ORIGIN });
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain("That token is not valid here.");
    const crossSite = await postForm("/ui/login", { token: READ }, { origin: "https://evil.test" });
    expect(crossSite.status).toBe(403);
    const offsite = await postForm(
      "/ui/login",
      { token: READ, next: "//evil.test/x" },
      { origin: ORIGIN },
    );
    expect(offsite.headers.get("location")).toBe("/ui");
  });

  it("lets the read token see pages but not act; the bearer header works too", async () => {
    expect((await get("/ui", READ)).status).toBe(200);
    const page = await SELF.fetch(`${ORIGIN}/ui/dead-letters`, {
      headers: { authorization: `Bearer ${READ}` },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(">Retry<");
    const refused = await postForm(
      "/ui/anomalies/whatever/resolve",
      { back: "/ui" },
      { cookie: `dataspine_token=${READ}`, origin: ORIGIN },
    );
    expect(refused.status).toBe(403);
  });
});

describe("/ui pages", () => {
  it("draws the grid by date window with cursors, and serves its live part as a fragment", async () => {
    const res = await get(`/ui/pipelines/${PIPELINE}?before=2024-03-07&days=2`, READ);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/data-partition="2024-03-06\|demo" data-status="failed"/);
    expect(html).toMatch(/data-partition="2024-03-05\|demo" data-status="complete"/);
    expect(html).not.toContain('data-partition="2024-03-04|demo"');
    expect(html).toContain("?before=2024-03-05&amp;days=2");
    expect(html).toContain("?after=2024-03-06&amp;days=2");
    const fragment = await get(`/ui/pipelines/${PIPELINE}?before=2024-03-07&days=2`, READ, {
      "x-dataspine-fragment": "1",
    });
    const part = await fragment.text();
    expect(part).not.toContain("<html");
    expect(part).toMatch(/data-partition="2024-03-05\|demo" data-status="complete"/);
    // An unchanged live region is not sent again.
    const etag = fragment.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[0-9a-f]{24}"$/);
    const same = await get(`/ui/pipelines/${PIPELINE}?before=2024-03-07&days=2`, READ, {
      "x-dataspine-fragment": "1",
      "if-none-match": etag,
    });
    expect(same.status).toBe(304);
    const other = await get(`/ui/pipelines/${PIPELINE}?before=2024-03-07&days=3`, READ, {
      "x-dataspine-fragment": "1",
      "if-none-match": etag,
    });
    expect(other.status).toBe(200);
    expect((await get(`/ui/pipelines/${PIPELINE}?before=yesterday`, READ)).status).toBe(400);
    expect((await get("/ui/pipelines/no.such", READ)).status).toBe(404);
  });

  it("shows a partition: state, anomalies, captures with output hash, history", async () => {
    const res = await get(
      `/ui/partitions/${PIPELINE}/${encodeURIComponent("2024-03-05|demo")}`,
      WRITE,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-status="complete"');
    expect(html).toContain("MISSING_DATA");
    expect(html).toMatch(/NVDA/);
    expect(html).toMatch(/market_data\.INGEST\.2024-03-05\|demo\.\d{8}T\d{6}Z/);
    expect(html).toMatch(/data-field="output-sha256">[0-9a-f]{64}</);
    expect(html).toContain(">Resolve<");
    const bad = await get(
      `/ui/partitions/${PIPELINE}/${encodeURIComponent("2024-13-05|demo")}`,
      READ,
    );
    expect(bad.status).toBe(400);
  });

  it("filters anomalies by the seed's severity names, the category and the rule column", async () => {
    const cells = (html: string, label: string) =>
      [...html.matchAll(new RegExp(`data-label="${label}">([^<]*)<`, "g"))].map((m) => m[1]);
    // ERROR = HIGH and up; VALIDATION: the permanent 404 of 2024-03-06 dead-lettered.
    const res = await get(
      `/ui/anomalies?severity=ERROR&category=validation&pipeline=${PIPELINE}`,
      READ,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(cells(html, "Rule")).toContain("DEAD_LETTER");
    expect(new Set(cells(html, "Severity"))).not.toContain("LOW");
    expect(new Set(cells(html, "Severity"))).not.toContain("MEDIUM");
    expect(html).toContain("2024-03-06|demo");
    expect(html).toMatch(/<option value="HIGH" selected/);
    expect(html).toMatch(/<option value="VALIDATION" selected/);
    // The rule filter reads the rule column: only MISSING_DATA rows, the NVDA one among them.
    const byRule = await (await get(`/ui/anomalies?rule=missing_data`, READ)).text();
    expect(cells(byRule, "Rule").length).toBeGreaterThan(0);
    expect(new Set(cells(byRule, "Rule"))).toEqual(new Set(["MISSING_DATA"]));
    expect(byRule).toContain("2024-03-05|demo");
    // WARN = MEDIUM and up; unknown names are refused as GET /anomalies refuses them.
    expect((await get("/ui/anomalies?severity=WARN", READ)).status).toBe(200);
    expect((await get("/ui/anomalies?severity=LOUD", READ)).status).toBe(400);
    expect((await get("/ui/anomalies?category=NOISE", READ)).status).toBe(400);
  });

  it("resolves an anomaly with the write cookie from this origin only", async () => {
    const list = await (await api("/anomalies?partition=2024-03-05%7Cdemo&unresolved=true")).json<{
      anomalies: Array<{ anomaly_id: string }>;
    }>();
    const id = list.anomalies[0]?.anomaly_id ?? "";
    expect(id).not.toBe("");
    const path = `/ui/anomalies/${id}/resolve`;
    const cookie = `dataspine_token=${WRITE}`;
    expect((await postForm(path, { back: "/ui/anomalies" }, { cookie })).status).toBe(403);
    const cross = await postForm(path, { back: "/ui" }, { cookie, origin: "https://evil.test" });
    expect(cross.status).toBe(403);
    const done = await postForm(
      path,
      { back: "/ui/anomalies?severity=LOW" },
      { cookie, origin: ORIGIN },
    );
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/ui/anomalies?severity=LOW&notice=resolved");
    const after = await (await api(`/anomalies/${id}`)).json<{
      resolved_at: string | null;
    }>();
    expect(after.resolved_at).not.toBeNull();
  });

  it("retries a dead letter with the write token", async () => {
    const page = await (await get("/ui/dead-letters?status=open", WRITE)).text();
    const id = /data-dead-letter="(dl_[0-9a-f]+)"/.exec(page)?.[1] ?? "";
    expect(page).toContain("2024-03-06|demo");
    const res = await SELF.fetch(`${ORIGIN}/ui/dead-letters/${id}/retry`, {
      method: "POST",
      redirect: "manual",
      headers: {
        authorization: `Bearer ${WRITE}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "back=%2Fui%2Fdead-letters",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/dead-letters?notice=retried");
    const letter = await (await api(`/dead-letters/${id}`)).json<{
      status: string;
    }>();
    expect(letter.status).toBe("retried");
  });

  it("lists backfills with progress bars, and readiness", async () => {
    const started = await SELF.fetch(`${ORIGIN}/backfills`, {
      method: "POST",
      headers: { authorization: `Bearer ${WRITE}`, "content-type": "application/json" },
      body: JSON.stringify({
        pipeline: PIPELINE,
        start: "2024-03-09",
        end: "2024-03-10",
        params: { universe: "demo" },
      }),
    });
    expect(started.status).toBe(202);
    const { backfill_id } = await started.json<{ backfill_id: string }>();
    const ops = await get("/ui/operations", READ);
    expect(ops.status).toBe(200);
    const html = await ops.text();
    expect(html).toContain(`data-operation="${backfill_id}"`);
    expect(html).toMatch(
      new RegExp(`<progress id="progress-${backfill_id}" max="2" value="[0-2]"`),
    );
    const ready = await (await get("/ui/readiness", READ)).text();
    expect(ready).toContain("2024-03-05|demo");
  });
});
