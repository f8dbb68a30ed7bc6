/**
 * What the dev servers' `node:http` handlers share: reading a request body and answering JSON.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** The whole request body as UTF-8 text. */
export const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });

/** Answers `value` as JSON with `status`. */
export const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
};
