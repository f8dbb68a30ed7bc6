/**
 * The registry of a server's Hrana streams: batons hand a stream from one HTTP request to the
 * next, and streams left idle expire (rolling back their transaction).
 */
import { randomBytes } from "node:crypto";
import { Pool, rawCode, SQLITE_BUSY } from "./connection";
import { ProtocolError } from "./errors";
import { Stream } from "./hrana-stream";

export type { Stream } from "./hrana-stream";

/** How long an expired baton still answers "expired" rather than "invalid". */
const EXPIRED_MEMORY_MS = 5 * 60_000;

/** All streams of a server, keyed by their current baton, with idle expiry. */
export class Streams {
  readonly pool: Pool;
  readonly #byBaton = new Map<string, Stream>();
  readonly #expired = new Map<string, number>();
  readonly #live = new Set<Stream>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    path: string,
    readonly idleMs: number,
    readonly busyTimeoutMs: number,
  ) {
    this.pool = new Pool(path);
    const sweepEvery = Math.min(1000, Math.max(10, Math.floor(idleMs / 4)));
    this.#timer = setInterval(() => this.#sweep(), sweepEvery);
    this.#timer.unref();
  }

  /** Opens the database and sets WAL mode, which persists in the file. */
  init(): void {
    const conn = this.pool.acquire();
    try {
      conn.db.prepare("PRAGMA journal_mode = WAL").all();
    } catch (e) {
      // Another process mid-transaction only delays WAL; anything else (not a database...) fails.
      if (((rawCode(e) ?? 0) & 0xff) !== SQLITE_BUSY) throw e;
    } finally {
      this.pool.release(conn);
    }
  }

  /** A new stream for a `null` baton, else the stream the baton belongs to. */
  acquire(baton: string | null): Stream {
    if (baton === null) {
      const stream = new Stream(this);
      this.#live.add(stream);
      return stream;
    }
    const stream = this.#byBaton.get(baton);
    if (stream !== undefined) {
      this.#byBaton.delete(baton);
      return stream;
    }
    if (this.#expired.has(baton)) {
      throw new ProtocolError("The stream has expired due to inactivity", "STREAM_EXPIRED", 500);
    }
    throw new ProtocolError("Received an invalid baton", "BATON_INVALID");
  }

  /** Parks the stream after a request; returns its next baton, or null once it is closed. */
  release(stream: Stream): string | null {
    stream.lastUsed = Date.now();
    if (stream.conn === undefined || this.pool.closed) {
      this.discard(stream);
      return null;
    }
    // Fresh per request, so a replayed or concurrent baton cannot reach the stream.
    const baton = randomBytes(24).toString("base64url");
    this.#byBaton.set(baton, stream);
    return baton;
  }

  /** Closes a stream (its open transaction rolls back). */
  discard(stream: Stream): void {
    stream.close();
    this.#live.delete(stream);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [baton, stream] of this.#byBaton) {
      if (now - stream.lastUsed < this.idleMs) continue;
      this.#byBaton.delete(baton);
      this.discard(stream);
      this.#expired.set(baton, now);
    }
    for (const [baton, at] of this.#expired) {
      if (now - at > EXPIRED_MEMORY_MS) this.#expired.delete(baton);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    for (const stream of this.#live) stream.close();
    this.#live.clear();
    this.#byBaton.clear();
    this.pool.close();
  }
}
