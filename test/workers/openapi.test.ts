/**
 * The API description against the Worker in workerd: `GET /openapi.json` is served without a
 * token and is the document the route table builds; every operation's security (public, read,
 * write) is what the Worker enforces, and every answer to no token, the read token and the
 * write token has a status the operation declares; the typed client (`api/client.ts`) calls
 * the real Worker and decodes its answers strictly with the routes' Schemas. The two long
 * tests (111 requests; a partition run) take about a second alone and a minute on a loaded
 * machine, so they get 180 s and 120 s.
 */
import { SELF } from "cloudflare:test";
import { Schema } from "effect";
import { describe, expect, it } from "vitest";
import { ApiError, makeClient, UnexpectedAnswer } from "../../src/worker/api/client";
import { buildOpenApi } from "../../src/worker/api/openapi";
import { openApiPath, type RouteSpec } from "../../src/worker/api/route";
import { API, ROUTES } from "../../src/worker/api/table";
import { BASE, READ_TOKEN, WRITE_TOKEN } from "./api";

const PIPELINE = "market_data.ingest_prices";
const PARTITION = "2025-10-07|demo";

type Responses = Record<string, unknown>;
const doc = buildOpenApi();
const declared = (spec: RouteSpec) =>
  Object.keys(
    (doc.paths as unknown as Record<string, Record<string, { responses: Responses }>>)[
      openApiPath(spec.path)
    ]?.[spec.method.toLowerCase()]?.responses ?? {},
  );

const client = (token?: string) =>
  makeClient({
    baseUrl: BASE,
    ...(token ? { token } : {}),
    fetch: (request) => SELF.fetch(request),
    strict: true,
  });

/** A request to `spec`'s route with placeholder params; forms sign in with the read token. */
const send = (spec: RouteSpec, token: string | null) => {
  const path = spec.path.replace(/:\w+/g, "x");
  const headers = new Headers(token ? { authorization: `Bearer ${token}` } : {});
  let body: string | undefined;
  if (spec.method === "POST" && spec.kind === "page") {
    headers.set("sec-fetch-site", "same-origin");
    headers.set("content-type", "application/x-www-form-urlencoded");
    body = new URLSearchParams({ token: READ_TOKEN }).toString();
  }
  return SELF.fetch(`${BASE}${path}`, {
    method: spec.method,
    headers,
    redirect: "manual",
    ...(body ? { body } : {}),
  });
};

/** Whether the answer refuses the request for want of a token. */
const signInRefusal = async (spec: RouteSpec, res: Response) => {
  if (spec.kind === "page") {
    return res.status === 401 || (res.headers.get("location") ?? "").startsWith("/ui/login?");
  }
  return (
    res.status === 401 && ((await res.clone().json()) as { error: string }).error === "Unauthorized"
  );
};

describe("GET /openapi.json", () => {
  it("is served without a token: the document the route table builds", async () => {
    const res = await SELF.fetch(`${BASE}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it("each operation's security is what the Worker enforces, and each answer is declared", async () => {
    const seen: Array<string> = [];
    for (const spec of ROUTES) {
      const op = `${spec.method} ${spec.path}`;
      const [none, read, write] = await Promise.all([
        send(spec, null),
        send(spec, READ_TOKEN),
        send(spec, WRITE_TOKEN),
      ]);
      for (const res of [none, read, write]) {
        expect(declared(spec), `${op} answered ${res.status}`).toContain(String(res.status));
      }
      expect(await signInRefusal(spec, none), op).toBe(spec.scope !== "public");
      expect(read.status === 403, `${op} with the read token`).toBe(spec.scope === "write");
      expect(await signInRefusal(spec, read), op).toBe(false);
      expect([401, 403], `${op} with the write token`).not.toContain(write.status);
      await Promise.all([none, read, write].map((r) => r.body?.cancel()));
      seen.push(op);
    }
    expect(seen).toHaveLength(37);
  }, 180_000);
});

describe("the typed client against the Worker", () => {
  it("runs a partition and reads it back, decoding every answer with the routes' Schemas", async () => {
    const api = client(WRITE_TOKEN);
    const health = await api.call(API.getHealth);
    expect(health).toMatchObject({ status: 200, body: { status: "ok" } });

    const run = await api.call(API.runPartition, {
      body: { pipeline: PIPELINE, partition: PARTITION },
    });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ status: "complete", counts: { written: 20 } });

    const state = await api.call(API.getPartition, {
      params: { pipeline: PIPELINE, partition: PARTITION },
    });
    expect(state.body).toMatchObject({ status: "complete", capture_id: run.body.capture_id });
    expect(state.body.history[0]?.execution_id).toBe(run.body.execution_id);

    const listed = await api.call(API.listPartitions, {
      query: { pipeline: PIPELINE, limit: 500 },
    });
    expect(listed.body.partitions.map((p) => p.partition_key)).toContain(PARTITION);

    const anomalies = await api.call(API.listAnomalies, {
      query: { severity: "MEDIUM", unresolved: true, limit: 5 },
    });
    expect(anomalies.body.anomalies.length).toBeLessThanOrEqual(5);
    for (const route of [API.listDetectors, API.listWorkflows] as const) {
      expect((await api.call(route)).status).toBe(200);
    }
    await api.call(API.listReadiness, { query: { limit: 3 } });
    await api.call(API.listDeadLetters, { query: { status: "open" } });
    await api.call(API.listAlerts, { query: { status: "delivered" } });

    const backfill = await api.call(API.startBackfill, {
      body: {
        pipeline: PIPELINE,
        start: "2025-10-11",
        end: "2025-10-12",
        params: { universe: "demo" },
      },
    });
    expect(backfill.body.partitions).toBe(2);
    const progress = await api.call(API.getBackfill, { params: { id: backfill.body.backfill_id } });
    expect(progress.body).toMatchObject({ pipeline: PIPELINE, total: 2 });
  }, 120_000);

  it("refusals reject with ApiError: the tag and the status the class declares", async () => {
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (e: unknown) => e,
      );
    const missing = await refusal(
      client(READ_TOKEN).call(API.getAnomaly, { params: { id: "nope" } }),
    );
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404, tag: "AnomalyNotFound" });
    const body = { pipeline: PIPELINE, partition: PARTITION };
    expect(await refusal(client(READ_TOKEN).call(API.runPartition, { body }))).toMatchObject({
      status: 403,
      tag: "Forbidden",
    });
    expect(await refusal(client().call(API.runPartition, { body }))).toMatchObject({
      status: 401,
      tag: "Unauthorized",
    });
    expect(
      await refusal(
        client(WRITE_TOKEN).call(API.runPartition, { body: { ...body, pipeline: "nope.x" } }),
      ),
    ).toMatchObject({ status: 404, tag: "UnknownPipeline" });
  });

  it("an answer its Schema does not describe is UnexpectedAnswer, not a silent pass", async () => {
    const narrower = {
      ...API.getHealth,
      responses: {
        200: { description: "", schema: Schema.Struct({ status: Schema.Literal("ok") }) },
      },
    } as const;
    const failure = await client()
      .call(narrower)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(failure).toBeInstanceOf(UnexpectedAnswer);
    expect(String((failure as UnexpectedAnswer).message)).toContain("database");
  });
});
