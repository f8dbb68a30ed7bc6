/**
 * The Node `BulkWriter` for an embedded (`file:`) database: a worker thread with its own
 * libSQL connection to the same file runs bulk upserts one at a time, while the
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
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { BulkWriter } from "../db/bulk-upsert";

/** Distinct statements the thread keeps prepared (bulk upserts use one per table). */
const STATEMENT_CACHE = 16;

// Plain CommonJS run with `eval`, so it works the same under tsx, vitest and a bundle. The
// thread drives the native `libsql` binding that `@libsql/client` wraps for `file:` URLs,
// resolved from the client so the versions match, and reads the URL with the client's own
// `expandConfig`; the whole client (its HTTP and WebSocket transports too) would cost the
// thread memory for nothing a local file needs (docs/performance.md).
const THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { expandConfig } = require(workerData.config);
const Database = require(workerData.libsql);
let db;
const open = () => {
  if (db === undefined) {
    db = new Database(expandConfig({ url: workerData.url }, true).path);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA busy_timeout = 5000");
  }
  return db;
};
// One prepared statement per SQL text, reused: a statement prepared per message lives until
// this thread's garbage collector finalizes its wrapper, holding SQLite's copy of the JSON
// argument it was bound to.
const statements = new Map();
const statement = (sql) => {
  let prepared = statements.get(sql);
  if (prepared === undefined) {
    if (statements.size >= ${STATEMENT_CACHE}) statements.clear();
    prepared = open().prepare(sql);
    statements.set(sql, prepared);
  }
  return prepared;
};
// Arguments converted as \`@libsql/client\` converts them.
const toSql = (value) => {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.valueOf();
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  return value;
};
// A blob argument (a bulk statement's JSON bytes) is freed as soon as the statement has run:
// left to this nearly idle heap's garbage collector, megabytes of them would pile up.
const release = (args) => {
  for (const arg of args) {
    if (ArrayBuffer.isView(arg) && typeof arg.buffer.transfer === "function") arg.buffer.transfer(0);
  }
};
parentPort.on("message", (message) => {
  if (message.close) {
    try {
      statements.clear();
      if (db !== undefined) db.close();
    } finally {
      parentPort.close();
    }
    return;
  }
  const { id, sql, args } = message;
  try {
    const info = statement(sql).run(args.map(toSql));
    parentPort.postMessage({ id, rowsAffected: info.changes });
  } catch (error) {
    const text = String((error && error.message) || error);
    parentPort.postMessage({ id, error: error && error.code ? error.code + ": " + text : text });
  } finally {
    release(args);
  }
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

/** The modules the thread loads, resolved where `@libsql/client` resolves them. */
const threadModules = () => {
  const client = createRequire(createRequire(import.meta.url).resolve("@libsql/client"));
  return { libsql: client.resolve("libsql"), config: client.resolve("@libsql/core/config") };
};

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
      workerData: { url, ...threadModules() },
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
