/**
 * A tiny webhook receiver for alerts, served by the demo feed so `npm run dev` shows an
 * alert arriving: `POST /alerts` takes one alert (the webhook sink's JSON) and reports its
 * `text` line; `GET /alerts-received` lists the last 100 with counts. `POST /__alerts`
 * (`{"fail_next":2,"match":"anom_…","clear":true}`) makes the next N alerts whose body
 * contains `match` fail with 503, to show retries.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { json, readBody } from "./http-json";

const KEEP = 100;

export interface ReceivedAlert {
  readonly received_at: string;
  readonly text: string | null;
  readonly anomaly_id: string | null;
  readonly idempotency_key: string | null;
  readonly body: unknown;
}

export interface AlertReceiver {
  /** Answers the receiver's paths; false when `path` is not one of them. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

const field = (body: unknown, name: string): string | null => {
  const value =
    typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : null;
  return typeof value === "string" ? value : null;
};

/** A receiver; `onAlert` sees each accepted alert's text line (the dev stack prints it). */
export const alertReceiver = (onAlert?: (text: string) => void): AlertReceiver => {
  const received: Array<ReceivedAlert> = [];
  const stats = { received: 0, failed: 0 };
  let failNext = 0;
  let failMatch = "";

  const receive = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return json(res, 400, { error: "body must be JSON" });
    }
    if (failNext > 0 && text.includes(failMatch)) {
      failNext -= 1;
      stats.failed += 1;
      return json(res, 503, { error: "injected failure" });
    }
    const alert: ReceivedAlert = {
      received_at: new Date().toISOString(),
      text: field(body, "text"),
      anomaly_id: field(body, "anomaly_id"),
      idempotency_key: (req.headers["idempotency-key"] as string | undefined) ?? null,
      body,
    };
    received.push(alert);
    if (received.length > KEEP) received.shift();
    stats.received += 1;
    onAlert?.(alert.text ?? text);
    return json(res, 200, { ok: true });
  };

  const configure = async (req: IncomingMessage, res: ServerResponse) => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>;
    } catch {
      return json(res, 400, { error: "body must be JSON" });
    }
    const n = body.fail_next;
    if (n !== undefined && !(Number.isInteger(n) && (n as number) >= 0)) {
      return json(res, 400, { error: "fail_next must be a non-negative integer" });
    }
    if (body.match !== undefined && typeof body.match !== "string") {
      return json(res, 400, { error: "match must be text" });
    }
    failNext = (n as number | undefined) ?? failNext;
    failMatch = (body.match as string | undefined) ?? failMatch;
    if (body.clear === true) {
      received.length = 0;
      stats.received = 0;
      stats.failed = 0;
    }
    return json(res, 200, { fail_next: failNext, match: failMatch });
  };

  return {
    handle: async (req, res, path) => {
      if (path === "/alerts" && req.method === "POST") await receive(req, res);
      else if (path === "/alerts-received" && req.method === "GET") {
        req.resume();
        json(res, 200, { ...stats, alerts: received });
      } else if (path === "/__alerts" && req.method === "POST") await configure(req, res);
      else return false;
      return true;
    },
  };
};
