/**
 * A local libSQL server speaking Hrana over HTTP (v2 and v3 JSON) — what `@libsql/client`
 * sends for an `http://` URL — on the real libSQL engine, for when no sqld can be installed.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { decodeCursor, decodePipeline } from "./decode";
import {
  type HranaVersion,
  ProtocolError,
  type StreamRequest,
  type StreamResponse,
  type StreamResult,
  toProtoError,
} from "./protocol";
import { RequestStats, type RequestStatsSnapshot, sqlResolver } from "./request-stats";
import { type Stream, Streams } from "./stream-registry";

/** Where and how to serve; `path` is a database file or `:memory:`. */
export interface LibsqlServerOptions {
  readonly path: string;
  readonly host?: string;
  readonly port?: number;
  /** When set, pipeline requests need `Authorization: Bearer <token>`. */
  readonly authToken?: string;
  /** Idle time after which a stream expires and its transaction rolls back (default 10 s). */
  readonly streamIdleMs?: number;
  /** How long a statement waits for a lock held by another stream (default 5 s). */
  readonly busyTimeoutMs?: number;
}

/** A running server; `close()` ends all streams and connections. */
export interface LibsqlServer {
  readonly url: string;
  readonly port: number;
  /** What it was asked so far (also `GET /__stats`). */
  stats(): RequestStatsSnapshot;
  close(): Promise<void>;
}

/** What a request handler works on: the streams and the request counters. */
interface Served {
  readonly streams: Streams;
  readonly stats: RequestStats;
  readonly token: Buffer | undefined;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * GET endpoints; `/v3-protobuf` stays 404 so clients that probe it fall back to JSON.
 * `GET /__stats` (not sqld's) answers the request counters (`./request-stats`).
 */
const GET_ROUTES: Readonly<Record<string, string>> = {
  "/": "Hello, this is HTTP API v2 (Hrana over HTTP)",
  "/health": "OK",
  "/version": "dataspine-libsql-server (Hrana 2 and 3, JSON)",
  "/v2": "",
  "/v3": "",
};

const POST_ROUTES: Readonly<Record<string, HranaVersion | "cursor">> = {
  "/v2/pipeline": 2,
  "/v3/pipeline": 3,
  "/v3/cursor": "cursor",
};

function send(res: ServerResponse, status: number, body: unknown, type = "application/json") {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      throw new ProtocolError("Request body is too large", "BODY_TOO_LARGE", 413);
    }
    chunks.push(buf);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new ProtocolError("Cannot deserialize client message from JSON");
  }
}

async function respond(stream: Stream, req: StreamRequest): Promise<StreamResponse> {
  switch (req.type) {
    case "close":
      stream.close();
      return { type: "close" };
    case "execute":
      return { type: "execute", result: await stream.execute(req.stmt) };
    case "batch":
      return { type: "batch", result: await stream.batch(req.steps) };
    case "sequence":
      await stream.sequence(stream.sqlText(req.sql, req.sqlId));
      return { type: "sequence" };
    case "describe":
      return {
        type: "describe",
        result: await stream.describe(stream.sqlText(req.sql, req.sqlId)),
      };
    case "store_sql":
      stream.storeSql(req.sqlId, req.sql);
      return { type: "store_sql" };
    case "close_sql":
      stream.sqls.delete(req.sqlId);
      return { type: "close_sql" };
    case "get_autocommit":
      return { type: "get_autocommit", is_autocommit: stream.autocommit };
  }
}

async function pipeline(ctx: Served, body: unknown, version: HranaVersion) {
  const { streams } = ctx;
  const request = decodePipeline(body, version);
  let acquired: Stream | undefined;
  try {
    acquired = streams.acquire(request.baton);
  } finally {
    ctx.stats.record(
      `/v${version}/pipeline`,
      request.requests,
      sqlResolver(request.requests, acquired?.sqls),
    );
  }
  const stream = acquired;
  const results: StreamResult[] = [];
  try {
    for (const req of request.requests) {
      try {
        results.push({ type: "ok", response: await respond(stream, req) });
      } catch (e) {
        if (e instanceof ProtocolError) throw e;
        results.push({ type: "error", error: toProtoError(e) });
      }
    }
  } catch (e) {
    // Like sqld: a protocol violation fails the HTTP request and the stream with it.
    streams.discard(stream);
    throw e;
  }
  return { baton: streams.release(stream), base_url: null, results };
}

/** `POST /v3/cursor`: the batch's entries as newline-delimited JSON after the baton line. */
async function cursor(ctx: Served, body: unknown): Promise<string> {
  const { streams } = ctx;
  const request = decodeCursor(body);
  let acquired: Stream | undefined;
  try {
    acquired = streams.acquire(request.baton);
  } finally {
    ctx.stats.recordCursor(request.steps, sqlResolver([], acquired?.sqls));
  }
  const stream = acquired;
  const entries: unknown[] = [];
  try {
    const result = await stream.batch(request.steps);
    for (const [step, r] of result.step_results.entries()) {
      const error = result.step_errors[step];
      if (error) entries.push({ type: "step_error", step, error });
      if (!r) continue;
      entries.push({ type: "step_begin", step, cols: r.cols });
      for (const row of r.rows) entries.push({ type: "row", row });
      const { affected_row_count, last_insert_rowid } = r;
      entries.push({ type: "step_end", affected_row_count, last_insert_rowid });
    }
  } catch (e) {
    if (e instanceof ProtocolError) {
      streams.discard(stream);
      throw e;
    }
    entries.push({ type: "error", error: toProtoError(e) });
  }
  const head = { baton: streams.release(stream), base_url: null };
  return [head, ...entries].map((entry) => `${JSON.stringify(entry)}\n`).join("");
}

const digest = (s: string) => createHash("sha256").update(s).digest();

function authorized(req: IncomingMessage, expected: Buffer | undefined): boolean {
  if (expected === undefined) return true;
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1].trim()), expected);
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: Served) {
  const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
  const method = req.method ?? "GET";
  const route = POST_ROUTES[path];
  if (route === undefined || method !== "POST") {
    req.resume();
    if (path === "/__stats" && method === "GET") {
      if (!authorized(req, ctx.token)) return send(res, 401, { error: "Unauthorized" });
      return send(res, 200, ctx.stats.snapshot());
    }
    const text = GET_ROUTES[path];
    if ((method === "GET" || method === "HEAD") && text !== undefined) {
      return send(res, 200, text, "text/plain");
    }
    const known = route !== undefined || text !== undefined;
    const code = known ? "METHOD_NOT_ALLOWED" : "NOT_FOUND";
    return send(res, known ? 405 : 404, { message: `Cannot ${method} ${path}`, code });
  }
  if (!authorized(req, ctx.token)) {
    req.resume();
    return send(res, 401, { error: "Unauthorized: expected `Authorization: Bearer <token>`" });
  }
  try {
    const body = await readJson(req);
    if (route === "cursor") return send(res, 200, await cursor(ctx, body), "text/plain");
    return send(res, 200, await pipeline(ctx, body, route));
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    // The rest of an oversized body is unread, so this connection cannot carry another request.
    if (e.status === 413) res.setHeader("connection", "close");
    return send(res, e.status, { message: e.message, code: e.code });
  }
}

/**
 * Starts the server; default host 127.0.0.1, port 8080 (like `turso dev`); port 0 picks a free
 * port.
 */
export async function startLibsqlServer(options: LibsqlServerOptions): Promise<LibsqlServer> {
  const host = options.host ?? "127.0.0.1";
  let path = options.path.replace(/^file:/, "");
  let tempDir: string | undefined;
  if (path === ":memory:" || path === "") {
    // Streams need separate connections to one database, which a private :memory: is not.
    tempDir = await mkdtemp(join(tmpdir(), "dataspine-libsql-"));
    path = join(tempDir, "memory.db");
  } else {
    await mkdir(dirname(resolve(path)), { recursive: true });
  }
  const removeTemp = async () => {
    if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
  };

  const streams = new Streams(path, options.streamIdleMs ?? 10_000, options.busyTimeoutMs ?? 5_000);
  const token = options.authToken === undefined ? undefined : digest(options.authToken);
  const served: Served = { streams, stats: new RequestStats(), token };
  const server = createServer((req, res) => {
    handle(req, res, served).catch((e: unknown) => {
      if (res.headersSent) res.destroy();
      else send(res, 500, { message: toProtoError(e).message, code: "INTERNAL_ERROR" });
    });
  });
  // workerd reuses pooled connections that Node closed after its default 5 s of idleness and
  // the request fails ("Network connection lost"): idle connections are kept for 2 minutes.
  server.keepAliveTimeout = 120_000;
  try {
    streams.init();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 8080, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    streams.close();
    await removeTemp();
    throw e;
  }

  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    stats: () => served.stats.snapshot(),
    close() {
      closing ??= (async () => {
        // Streams first: a request waiting on a lock gives up instead of holding the close.
        streams.close();
        await new Promise<void>((resolve, reject) => {
          server.close((error) => (error === undefined ? resolve() : reject(error)));
          server.closeAllConnections();
        });
        await removeTemp();
      })();
      return closing;
    },
  };
}
