/**
 * The Node `BulkWriter` for an embedded (`file:`) database: a worker thread with its own
 * `@libsql/client` connection to the same file runs bulk upserts one at a time, while the
 * main thread goes on parsing and decoding. WAL mode lets the main connection read what the
 * writer committed as soon as a write resolves.
 *
 * The thread is never terminated. `Worker.terminate()` lands at any point of the thread's
 * work, and when it lands inside a native libSQL call, that call's next Node-API call fails
 * and the driver's binding (neon 1.0) aborts the whole process (seen in CI). So the thread
 * starts on the first write, and closing the writer asks it to finish its queue, close its
 * connection and end by itself; the release waits for that.
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
parentPort.on("message", (message) => {
  if (message.close) {
    queue = queue
      .then(() => ready)
      .catch(() => undefined)
      .then(() => client.close())
      .finally(() => parentPort.close());
    return;
  }
  const { id, sql, args } = message;
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

interface Waiting {
  readonly resolve: (rowsAffected: number) => void;
  readonly reject: (error: Error) => void;
}

/** One writer thread, started on the first `execute`. */
const lazyThread = (url: string) => {
  let thread: { readonly worker: Worker; readonly exited: Promise<void> } | undefined;
  let closed = false;
  const waiting = new Map<number, Waiting>();
  let next = 0;
  const failAll = (error: Error) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };

  const start = () => {
    const worker = new Worker(THREAD, {
      eval: true,
      workerData: { url, client: createRequire(import.meta.url).resolve("@libsql/client") },
    });
    worker.on("message", (reply: Reply) => {
      const w = waiting.get(reply.id);
      if (w === undefined) return;
      waiting.delete(reply.id);
      if (reply.error !== undefined) w.reject(new Error(reply.error));
      else w.resolve(reply.rowsAffected ?? 0);
      // An idle thread does not keep the process alive.
      if (waiting.size === 0 && !closed) worker.unref();
    });
    worker.on("error", failAll);
    const exited = new Promise<void>((resolve) =>
      worker.once("exit", (code) => {
        failAll(new Error(`bulk writer thread exited (${code})`));
        resolve();
      }),
    );
    return { worker, exited };
  };

  const execute = (sql: string, args: ReadonlyArray<InValue>) =>
    new Promise<number>((resolve, reject) => {
      if (closed) {
        reject(new Error("bulk writer is closed"));
        return;
      }
      thread ??= start();
      const id = next++;
      waiting.set(id, { resolve, reject });
      thread.worker.ref();
      thread.worker.postMessage({ id, sql, args });
    });

  /** Lets queued writes finish, closes the thread's connection, and waits for it to end. */
  const close = async () => {
    closed = true;
    if (thread === undefined) return;
    thread.worker.ref();
    thread.worker.postMessage({ close: true });
    await thread.exited;
  };

  return { execute, close };
};

/** A `BulkWriter` thread for an embedded database URL; none for other URLs. */
export const BulkWriterNodeLive = (url: string): Layer.Layer<never> | Layer.Layer<BulkWriter> =>
  url.startsWith("file:") && !url.includes(":memory:")
    ? Layer.scoped(
        BulkWriter,
        Effect.map(
          Effect.acquireRelease(
            Effect.sync(() => lazyThread(url)),
            (writer) => Effect.promise(writer.close),
          ),
          ({ execute }) => ({ execute }),
        ),
      )
    : Layer.empty;
