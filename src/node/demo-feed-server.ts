/**
 * Node HTTP adapter serving the deterministic demo feed (`handleDemoFeedRequest`) locally.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleDemoFeedRequest } from "../domains/market_data/demo-feed";

/** A running demo feed; `close()` also drops idle keep-alive connections. */
export interface DemoFeedServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Where the demo feed listens unless told otherwise. */
export const DEMO_FEED_DEFAULT_HOST = "127.0.0.1";
export const DEMO_FEED_DEFAULT_PORT = 8790;

function errorBody(status: string, error: string): string {
  return JSON.stringify({ status, error });
}

async function respond(req: IncomingMessage, res: ServerResponse, baseUrl: string): Promise<void> {
  // Only GET/HEAD are served and their bodies are ignored; drain so keep-alive keeps working.
  req.resume();
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
  const response = handleDemoFeedRequest(request);
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = Object.fromEntries(response.headers);
  headers["content-length"] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(method === "HEAD" ? undefined : body);
}

/** Starts the demo feed on `host:port` (default 127.0.0.1:8790; port 0 picks a free port). */
export async function startDemoFeed(
  options: { host?: string; port?: number } = {},
): Promise<DemoFeedServer> {
  const host = options.host ?? DEMO_FEED_DEFAULT_HOST;
  const requestedPort = options.port ?? DEMO_FEED_DEFAULT_PORT;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let baseUrl = `http://${urlHost}:${requestedPort}`;

  const server = createServer((req, res) => {
    respond(req, res, baseUrl).catch(() => {
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
