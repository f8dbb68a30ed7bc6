/**
 * Node HTTP adapter serving the deterministic demo feed (`handleDemoFeedRequest`) locally,
 * with fault injection: `GET /__faults` shows and `POST /__faults` sets the fault config
 * (`{"error_rate":0.3,"statuses":[503,429],"truncate_rate":0.05,"latency_ms":20,"match":"/AAPL/"}`).
 * A truncated answer promises the whole body and cuts the connection halfway, as a dropped
 * upstream connection does. `GET`/`POST /__anomalies` shows / replaces the injected data
 * anomalies (`{"anomalies":[{"kind":"volume_spike","symbol":"AAPL","date":"2025-06-10","factor":8}]}`).
 * It also receives alerts (`POST /alerts`, `GET /alerts-received`: `alert-receiver.ts`), so
 * the dev stack's webhook has somewhere to go; faults never apply to them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as Either from "effect/Either";
import { type DemoAnomaly, parseDemoAnomalies } from "../../dev/demo-feed/anomalies";
import {
  decideFault,
  type FaultConfig,
  faultConfigJson,
  NO_FAULTS,
  parseFaultConfig,
} from "../../dev/demo-feed/faults";
import { handleDemoFeedRequest } from "../../dev/demo-feed/feed";
import { type AlertReceiver, alertReceiver } from "./alert-receiver";
import { finraSampleResponse } from "./finra-samples";
import { json, readBody } from "./http-json";

/** A running demo feed; `close()` also drops idle keep-alive connections. */
export interface DemoFeedServer {
  readonly url: string;
  readonly port: number;
  /** Replaces the fault config (also settable over HTTP at `POST /__faults`). */
  setFaults(config: FaultConfig): void;
  /** Replaces the injected data anomalies (also settable at `POST /__anomalies`). */
  setAnomalies(anomalies: ReadonlyArray<DemoAnomaly>): void;
  close(): Promise<void>;
}

interface FaultState {
  config: FaultConfig;
  readonly attempts: Map<string, number>;
  /** Since the config was last set: requests served and faults injected. */
  readonly stats: { requests: number; injected: number };
  anomalies: ReadonlyArray<DemoAnomaly>;
}

/** `GET`/`POST /__anomalies`: read or replace the injected data anomalies. */
async function anomaliesEndpoint(req: IncomingMessage, res: ServerResponse, faults: FaultState) {
  if (req.method === "POST") {
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || "{}");
    } catch {
      return json(res, 400, { status: "ERROR", error: "body must be JSON" });
    }
    const parsed = parseDemoAnomalies(body);
    if (Either.isLeft(parsed)) return json(res, 400, { status: "ERROR", error: parsed.left });
    faults.anomalies = parsed.right;
  } else {
    req.resume();
  }
  return json(res, 200, { anomalies: faults.anomalies });
}

const setConfig = (faults: FaultState, config: FaultConfig) => {
  faults.config = config;
  faults.attempts.clear();
  faults.stats.requests = 0;
  faults.stats.injected = 0;
};

/** `GET`/`POST /__faults`: read or change the fault config at run time. */
async function faultsEndpoint(req: IncomingMessage, res: ServerResponse, faults: FaultState) {
  if (req.method === "POST") {
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text || "{}");
    } catch {
      return json(res, 400, { status: "ERROR", error: "body must be JSON" });
    }
    const parsed = parseFaultConfig(body, NO_FAULTS);
    if (Either.isLeft(parsed)) return json(res, 400, { status: "ERROR", error: parsed.left });
    setConfig(faults, parsed.right);
  } else {
    req.resume();
  }
  return json(res, 200, { ...faultConfigJson(faults.config), stats: faults.stats });
}

/** Where the demo feed listens unless told otherwise. */
export const DEMO_FEED_DEFAULT_HOST = "127.0.0.1";
export const DEMO_FEED_DEFAULT_PORT = 8790;

function errorBody(status: string, error: string): string {
  return JSON.stringify({ status, error });
}

async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  baseUrl: string,
  faults: FaultState,
  receiver: AlertReceiver,
): Promise<void> {
  const path = new URL(req.url ?? "/", baseUrl).pathname;
  if (await receiver.handle(req, res, path)) return;
  if (path === "/__faults") return faultsEndpoint(req, res, faults);
  if (path === "/__anomalies") return anomaliesEndpoint(req, res, faults);
  // Only GET/HEAD are served and their bodies are ignored; drain so keep-alive keeps working.
  req.resume();
  const attempt = (faults.attempts.get(path) ?? 0) + 1;
  faults.attempts.set(path, attempt);
  const fault =
    path === "/health" ? { kind: "none" as const } : decideFault(faults.config, path, attempt);
  faults.stats.requests += 1;
  if (fault.kind !== "none") faults.stats.injected += 1;
  if (faults.config.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.config.latencyMs));
  if (fault.kind === "status") {
    const retryAfter = fault.status === 429 || fault.status === 503 ? { "retry-after": "0" } : {};
    res.writeHead(fault.status, { "content-type": "application/json", ...retryAfter });
    res.end(errorBody("ERROR", `injected fault: HTTP ${fault.status}`));
    return;
  }
  const method = req.method ?? "GET";
  let request: Request;
  try {
    // The configured origin, not the Host header, so a forged header cannot break parsing.
    request = new Request(new URL(req.url ?? "/", baseUrl), {
      method: method === "GET" || method === "HEAD" ? method : "POST",
    });
  } catch {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(errorBody("ERROR", "Bad request"));
    return;
  }
  // Methods other than GET/HEAD all get the handler's 405; the exact verb does not matter.
  const response =
    (await finraSampleResponse(path)) ?? (await handleDemoFeedRequest(request, faults.anomalies));
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = Object.fromEntries(response.headers);
  headers["content-length"] = String(body.length);
  res.writeHead(response.status, headers);
  if (fault.kind === "truncate" && method !== "HEAD") {
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    res.socket?.destroy();
    return;
  }
  res.end(method === "HEAD" ? undefined : body);
}

/** Starts the demo feed on `host:port` (default 127.0.0.1:8790; port 0 picks a free port). */
export async function startDemoFeed(
  options: {
    host?: string;
    port?: number;
    faults?: FaultConfig;
    anomalies?: ReadonlyArray<DemoAnomaly>;
    /** Called with the text line of each alert received at `POST /alerts`. */
    onAlert?: (text: string) => void;
  } = {},
): Promise<DemoFeedServer> {
  const receiver = alertReceiver(options.onAlert);
  const faults: FaultState = {
    config: options.faults ?? NO_FAULTS,
    attempts: new Map(),
    stats: { requests: 0, injected: 0 },
    anomalies: options.anomalies ?? [],
  };
  const host = options.host ?? DEMO_FEED_DEFAULT_HOST;
  const requestedPort = options.port ?? DEMO_FEED_DEFAULT_PORT;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let baseUrl = `http://${urlHost}:${requestedPort}`;

  const server = createServer((req, res) => {
    respond(req, res, baseUrl, faults, receiver).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(errorBody("ERROR", "Internal error"));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(requestedPort, host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${urlHost}:${port}`;
  return {
    url: baseUrl,
    port,
    setFaults: (config) => setConfig(faults, config),
    setAnomalies: (anomalies) => {
      faults.anomalies = anomalies;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
