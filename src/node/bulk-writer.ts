/**
 * The Node `BulkWriter` for an embedded (`file:`) database: a worker thread with its own
 * `@libsql/client` connection to the same file runs bulk upserts one at a time, while the
 * main thread goes on parsing and decoding. WAL mode lets the main connection read what the
 * writer committed as soon as a write resolves.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { InValue } from "@libsql/client";
import { Effect, Layer } from "effect";
import { BulkWriter } from "../db/bulk-upsert";

// Plain CommonJS run with `eval`, so it works the same under tsx, vitest and a bundle.
const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { createClient } = require(workerData.client);
const client = createClient({ url: workerData.url });
const ready = client
  .execute("PRAGMA journal_mode = WAL")
  .then(() => client.execute("PRAGMA busy_timeout = 5000"));
let queue = Promise.resolve();
parentPort.on("message", ({ id, sql, args }) => {
  queue = queue.then(async () => {
    try {
      await ready;
      const result = await client.execute({ sql, args });
      parentPort.postMessage({ id, rowsAffected: result.rowsAffected });
    } catch (error) {
      parentPort.postMessage({ id, error: String((error && error.message) || error) });
    }
  });
});
`;

interface Reply {
  readonly id: number;
  readonly rowsAffected?: number;
  readonly error?: string;
}

const open = (url: string) => {
  const worker = new Worker(THREAD, {
    eval: true,
    workerData: { url, client: createRequire(import.meta.url).resolve("@libsql/client") },
  });
  const waiting = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>();
  let next = 0;
  const failAll = (error: Error) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on("message", (reply: Reply) => {
    const w = waiting.get(reply.id);
    if (w === undefined) return;
    waiting.delete(reply.id);
    if (reply.error !== undefined) w.reject(new Error(reply.error));
    else w.resolve(reply.rowsAffected ?? 0);
    if (waiting.size === 0) worker.unref();
  });
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`bulk writer thread exited (${code})`)));
  worker.unref();
  const execute = (sql: string, args: ReadonlyArray<InValue>) =>
    new Promise<number>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, sql, args });
    });
  return { worker, execute };
};

/** A `BulkWriter` thread for an embedded database URL; none for other URLs. */
export const BulkWriterNodeLive = (url: string): Layer.Layer<never> | Layer.Layer<BulkWriter> =>
  url.startsWith("file:") && !url.includes(":memory:")
    ? Layer.scoped(
        BulkWriter,
        Effect.map(
          Effect.acquireRelease(
            Effect.sync(() => open(url)),
            ({ worker }) => Effect.promise(() => worker.terminate()),
          ),
          ({ execute }) => ({ execute }),
        ),
      )
    : Layer.empty;
