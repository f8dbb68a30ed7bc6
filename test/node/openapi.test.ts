/**
 * `GET /openapi.json` against its standards and against the app: the document validates as
 * OpenAPI 3.1 (@seriousme/openapi-schema-validator), every Schema object in it compiles as
 * JSON Schema 2020-12 (Ajv, strict), its operations are exactly the app's routes (Hono's
 * `app.routes`), and real answers of the app (the in-process host Deno serves, here over a
 * libSQL file, with the demo feed) have a status the operation declares and a body its JSON
 * Schema accepts.
 */
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { LogLevel, ManagedRuntime } from "effect";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostServer, startHostServer } from "../../src/host/serve";
import { type DemoFeedServer, startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { nodePipelineLayer } from "../../src/node/runtime";
import { buildOpenApi } from "../../src/worker/api/openapi";
import { API } from "../../src/worker/api/table";
import { app } from "../../src/worker/app";
import type { AppEnv } from "../../src/worker/app-env";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

type Json = Record<string, unknown>;
interface Operation {
  readonly operationId: string;
  readonly responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}

const doc = buildOpenApi();
const paths = doc.paths as unknown as Record<string, Record<string, Operation>>;

/** `METHOD /path/{param}` of every route a Hono app serves (middleware excluded). */
const routesOf = (hono: { readonly routes: ReadonlyArray<{ method: string; path: string }> }) =>
  new Set(
    hono.routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
  );

const documented = new Set(
  Object.entries(paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  ),
);

/** What one set has that the other lacks. */
const drift = (served: ReadonlySet<string>) => ({
  undocumented: [...served].filter((op) => !documented.has(op)).sort(),
  unserved: [...documented].filter((op) => !served.has(op)).sort(),
});

// One Ajv over the document's components: `$ref`s point into `$defs` instead.
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
const asDefs = (schema: unknown) =>
  JSON.parse(JSON.stringify(schema).replaceAll("#/components/schemas/", "#/$defs/")) as Json;
const defs = asDefs(doc.components.schemas);
const compile = (schema: Json) => ajv.compile({ ...asDefs(schema), $defs: defs });

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("has exactly the app's routes: 37 operations on 35 paths", () => {
    expect(drift(routesOf(app))).toEqual({ undocumented: [], unserved: [] });
    expect(documented.size).toBe(37);
    expect(Object.keys(paths)).toHaveLength(35);
  });

  it("the comparison catches a route missing from the document and one missing from the app", () => {
    const wider = new Hono<{ Bindings: AppEnv }>();
    wider.route("/", app);
    wider.get("/extra/:id", (c) => c.text("x"));
    expect(drift(routesOf(wider)).undocumented).toEqual(["GET /extra/{id}"]);
    const served = routesOf(app);
    served.delete("GET /health");
    expect(drift(served).unserved).toEqual(["GET /health"]);
  });

  it("names operations as the client's table does, each once", () => {
    const ids = Object.values(paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(Object.keys(API).sort());
    for (const [name, spec] of Object.entries(API)) expect(spec.operationId).toBe(name);
  });

  it("carries the package's version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(doc.info.version).toBe(pkg.version);
  });

  it("every Schema object compiles as JSON Schema 2020-12, strictly", () => {
    let compiled = 0;
    for (const ops of Object.values(paths)) {
      for (const op of Object.values(ops)) {
        for (const response of Object.values(op.responses)) {
          for (const media of Object.values(response.content ?? {})) {
            if (media.schema) compiled += compile(media.schema) ? 1 : 0;
          }
        }
      }
    }
    expect(compiled).toBeGreaterThan(100);
  });

  it("an error answer is {error: <its tag>, message}", () => {
    const schemas = doc.components.schemas as unknown as Record<string, Json>;
    const unauthorized = schemas.Unauthorized as { properties: Json; required: Array<string> };
    expect(unauthorized.required).toEqual(["error", "message"]);
    expect(unauthorized.properties.error).toEqual({ type: "string", enum: ["Unauthorized"] });
    const run = paths["/runs"]?.post?.responses ?? {};
    expect(Object.keys(run)).toEqual([
      "200",
      "202",
      "400",
      "401",
      "403",
      "404",
      "409",
      "413",
      "422",
      "500",
      "502",
      "503",
    ]);
  });
});

const TOKEN = "openapi-write";
const READ = "openapi-read";
let db: TempDb;
let feed: DemoFeedServer;
let server: HostServer;

beforeAll(async () => {
  db = await makeTempDb();
  feed = await startDemoFeed({ port: 0 });
  const vars = {
    LIBSQL_URL: db.url,
    MARKET_DATA_BASE_URL: feed.url,
    DATASPINE_API_TOKEN: TOKEN,
    DATASPINE_READ_TOKEN: READ,
    DATASPINE_MAX_BODY_BYTES: "4096",
    LOG_LEVEL: "ERROR",
    ALERT_LOG_MIN_SEVERITY: "OFF",
  };
  const runtime = ManagedRuntime.make(
    nodePipelineLayer({ db: { url: db.url }, vars, logLevel: LogLevel.None }),
  );
  server = await startHostServer(vars, { runtime, pollIntervalMs: 50 });
});

afterAll(async () => {
  await server?.stop();
  await feed?.close();
  await db?.cleanup();
});

const PIPELINE = "market_data.ingest_prices";
const PARTITION = "2025-03-04|demo";
const key = (partition: string) => `${PIPELINE}/${encodeURIComponent(partition)}`;

/**
 * Sends a request to the host and checks the answer against the document: the operation
 * (`template` is its OpenAPI path) declares the status, and the body matches its content.
 */
const answer = async (
  method: "GET" | "POST",
  template: string,
  path: string,
  options: { token?: string | null; body?: unknown } = {},
) => {
  const token = options.token === undefined ? TOKEN : options.token;
  const res = await server.fetch(
    new Request(`http://host.test${path}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(options.body === undefined
        ? {}
        : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }),
      redirect: "manual",
    }),
  );
  const declared = paths[template]?.[method.toLowerCase()]?.responses[String(res.status)];
  const text = await res.text();
  expect(declared, `${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`).toBeDefined();
  const type = res.headers.get("content-type") ?? "";
  const media = Object.entries(declared?.content ?? {});
  if (media.length === 0) return { status: res.status, headers: res.headers, body: text };
  const [mediaType, content] = media.find(([t]) => type.startsWith(t)) ?? [];
  expect(mediaType, `${method} ${path}: ${type} is not declared`).toBeDefined();
  if (mediaType !== "application/json" || !content?.schema) {
    return { status: res.status, headers: res.headers, body: text };
  }
  const body = JSON.parse(text) as unknown;
  const validate = compile(content.schema);
  expect(validate(body) ? [] : validate.errors, `${method} ${path} ${res.status}`).toEqual([]);
  return { status: res.status, headers: res.headers, body: body as Json };
};

describe("real answers match the document", () => {
  it("runs, partitions, readiness", async () => {
    expect((await answer("GET", "/health", "/health", { token: null })).status).toBe(200);
    const served = await answer("GET", "/openapi.json", "/openapi.json", { token: null });
    expect(served.body).toEqual(JSON.parse(JSON.stringify(doc)));
    const run = await answer("POST", "/runs", "/runs", {
      body: { pipeline: PIPELINE, partition: PARTITION },
    });
    expect(run).toMatchObject({ status: 200, body: { status: "complete" } });
    await answer("POST", "/runs", "/runs", {
      body: { pipeline: PIPELINE, partition: "2025-03-08|demo" },
    });
    const p = "/partitions/{pipeline}/{partition}";
    expect((await answer("GET", p, `/partitions/${key(PARTITION)}`)).status).toBe(200);
    expect((await answer("GET", p, `/partitions/${key("2025-03-05|demo")}`)).status).toBe(404);
    await answer("GET", "/partitions", `/partitions?pipeline=${PIPELINE}`);
    await answer("GET", "/readiness", "/readiness?limit=5");
  });

  it("refusals: bad input, tokens, sizes, unknown names", async () => {
    const cases = [
      [{ pipeline: PIPELINE }, TOKEN, 400],
      [{ pipeline: "nope.nothing", partition: "2025-01-02|demo" }, TOKEN, 404],
      [{ pipeline: PIPELINE, partition: "2099-01-02|demo" }, TOKEN, 409],
      [{ pipeline: PIPELINE, partition: PARTITION }, null, 401],
      [{ pipeline: PIPELINE, partition: PARTITION }, READ, 403],
      [{ pipeline: PIPELINE, partition: "x".repeat(5_000) }, TOKEN, 413],
    ] as const;
    for (const [body, token, status] of cases) {
      expect((await answer("POST", "/runs", "/runs", { body, token })).status).toBe(status);
    }
    expect((await answer("GET", "/anomalies/{id}", "/anomalies/nope")).status).toBe(404);
    expect(
      (await answer("POST", "/anomalies/{id}/resolve", "/anomalies/nope/resolve")).status,
    ).toBe(404);
    expect((await answer("GET", "/dead-letters/{id}", "/dead-letters/nope")).status).toBe(404);
    expect(
      (await answer("POST", "/dead-letters/{id}/retry", "/dead-letters/nope/retry")).status,
    ).toBe(404);
    expect((await answer("GET", "/workflows/runs/{run_id}", "/workflows/runs/nope")).status).toBe(
      404,
    );
    expect((await answer("GET", "/backfills/{id}", "/backfills/nope")).status).toBe(404);
    expect((await answer("GET", "/replays/{id}", "/replays/nope")).status).toBe(404);
    expect((await answer("GET", "/anomalies", "/anomalies?limit=0")).status).toBe(400);
  });

  it("lists: anomalies, detectors, alerts, dead letters, workflows", async () => {
    await answer("GET", "/anomalies", "/anomalies?severity=warn&unresolved=true", { token: READ });
    await answer("GET", "/detectors", "/detectors", { token: READ });
    await answer("GET", "/alerts", "/alerts?status=pending");
    await answer("GET", "/dead-letters", "/dead-letters?status=open");
    const workflows = await answer("GET", "/workflows", "/workflows");
    const names = (workflows.body as { workflows: Array<{ name: string }> }).workflows;
    const name = encodeURIComponent(names[0]?.name ?? "");
    await answer("GET", "/workflows/{name}/runs", `/workflows/${name}/runs?limit=3`);
  });

  it("backfills, replays, their output and a diff", async () => {
    const range = {
      pipeline: PIPELINE,
      start: "2025-03-08",
      end: "2025-03-09",
      params: { universe: "demo" },
    };
    const backfill = await answer("POST", "/backfills", "/backfills", { body: range });
    expect(backfill.status).toBe(202);
    const backfillId = (backfill.body as { backfill_id: string }).backfill_id;
    expect(backfill.headers.get("location")).toBe(`/backfills/${backfillId}`);
    expect((await answer("GET", "/backfills/{id}", `/backfills/${backfillId}`)).status).toBe(200);

    const replay = await answer("POST", "/replays", "/replays", {
      body: { ...range, start: "2025-03-04", end: "2025-03-04" },
    });
    const replayId = (replay.body as { replay_id: string }).replay_id;
    expect((await answer("GET", "/replays/{id}", `/replays/${replayId}`)).status).toBe(200);
    const output = await answer("GET", "/replays/{id}/output", `/replays/${replayId}/output`);
    expect(output.headers.get("content-type")).toContain("application/x-ndjson");

    const diff = await answer(
      "GET",
      "/partitions/{pipeline}/{partition}/diff",
      `/partitions/${key(PARTITION)}/diff`,
    );
    expect(diff).toMatchObject({ status: 200, body: { clean: true } });
  });

  it("the status page: public summary, a page that sends a browser to sign in", async () => {
    expect((await answer("GET", "/", "/", { token: null })).status).toBe(200);
    const page = await answer("GET", "/ui", "/ui", { token: null });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/ui/login?next=%2Fui");
  });
});
