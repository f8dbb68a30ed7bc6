/**
 * What a server was asked, counted: its HTTP requests (each one round trip of a client), the
 * stream requests and statements they carried, and the requests grouped by the statements
 * they ran. `GET /__stats` answers the snapshot, so a benchmark or a test can count the
 * round trips of a piece of work at the endpoint itself (docs/performance.md).
 */
import type { BatchStep, StreamRequest } from "./protocol";

/** Distinct request shapes kept; the rest are counted under `OTHER_SHAPES`. */
const MAX_SHAPES = 200;
const OTHER_SHAPES = "(other shapes)";

/** The counters at one moment. */
export interface RequestStatsSnapshot {
  /** POST requests to `/v2/pipeline`, `/v3/pipeline` and `/v3/cursor`: the round trips. */
  readonly http_requests: number;
  readonly by_route: Readonly<Record<string, number>>;
  /** Stream requests inside them by type (`execute`, `batch`, `close`, …). */
  readonly stream_requests: Readonly<Record<string, number>>;
  /** Statements sent: each `execute`, each batch step, each `sequence`. */
  readonly statements: number;
  /**
   * HTTP requests by their statements, each labelled verb + table (`INSERT core_manifest`,
   * `SELECT core_audit_log`), joined with ` + ` in order; `(no statement)` for a bare close.
   */
  readonly by_statements: Readonly<Record<string, number>>;
}

const WRITE_TARGET =
  /\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+["`[]?(\w+)/i;
const READ_TARGET = /\bFROM\s+["`[]?(\w+)/i;

/** `INSERT core_manifest`, `SELECT core_audit_log`, `BEGIN`…: a statement's verb and table. */
export const statementLabel = (sql: string): string => {
  const write = WRITE_TARGET.exec(sql);
  if (write) {
    const verb = (write[0].split(/\s+/)[0] ?? "").toUpperCase();
    return `${verb} ${write[1]}`;
  }
  const first = (/^\s*(\w+)/.exec(sql)?.[1] ?? "?").toUpperCase();
  const read = READ_TARGET.exec(sql);
  return read && (first === "SELECT" || first === "WITH") ? `SELECT ${read[1]}` : first;
};

/** SQL texts a request refers to by id: stored by the request itself, or earlier on its stream. */
export const sqlResolver =
  (requests: ReadonlyArray<StreamRequest>, earlier: ReadonlyMap<number, string> | undefined) =>
  (id: number | undefined): string | undefined => {
    if (id === undefined) return undefined;
    for (const req of requests) if (req.type === "store_sql" && req.sqlId === id) return req.sql;
    return earlier?.get(id);
  };

const bump = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

/** The counters of one server. */
export class RequestStats {
  #http = 0;
  #statements = 0;
  readonly #byRoute: Record<string, number> = {};
  readonly #streamRequests: Record<string, number> = {};
  readonly #byStatements: Record<string, number> = {};
  #shapes = 0;

  /**
   * Counts one HTTP request and what it carries; `sqlOf` resolves a stored SQL id (or gives
   * undefined) so a statement sent by id is labelled too.
   */
  record(
    route: string,
    requests: ReadonlyArray<StreamRequest>,
    sqlOf: (sqlId: number | undefined) => string | undefined,
  ): void {
    this.#http += 1;
    bump(this.#byRoute, route);
    const labels: Array<string> = [];
    const add = (sql: string | undefined, sqlId: number | undefined) => {
      this.#statements += 1;
      labels.push(statementLabel(sql ?? sqlOf(sqlId) ?? "?"));
    };
    const addSteps = (steps: ReadonlyArray<BatchStep>) => {
      for (const step of steps) add(step.stmt.sql, step.stmt.sqlId);
    };
    for (const req of requests) {
      bump(this.#streamRequests, req.type);
      if (req.type === "execute") add(req.stmt.sql, req.stmt.sqlId);
      else if (req.type === "batch") addSteps(req.steps);
      else if (req.type === "sequence") add(req.sql, req.sqlId);
    }
    const shape = labels.length === 0 ? "(no statement)" : labels.join(" + ");
    if (this.#byStatements[shape] !== undefined || this.#shapes < MAX_SHAPES) {
      if (this.#byStatements[shape] === undefined) this.#shapes += 1;
      bump(this.#byStatements, shape);
    } else bump(this.#byStatements, OTHER_SHAPES);
  }

  /** Counts a cursor request (`POST /v3/cursor`): one batch. */
  recordCursor(
    steps: ReadonlyArray<BatchStep>,
    sqlOf: (id: number | undefined) => string | undefined,
  ) {
    this.record("/v3/cursor", [{ type: "batch", steps }], sqlOf);
  }

  snapshot(): RequestStatsSnapshot {
    return {
      http_requests: this.#http,
      by_route: { ...this.#byRoute },
      stream_requests: { ...this.#streamRequests },
      statements: this.#statements,
      by_statements: { ...this.#byStatements },
    };
  }
}

/** What happened between two snapshots of the same server (`after` − `before`). */
export const statsDelta = (
  before: RequestStatsSnapshot,
  after: RequestStatsSnapshot,
): RequestStatsSnapshot => {
  const minus = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => {
    const out: Record<string, number> = {};
    for (const [key, n] of Object.entries(a)) {
      const d = n - (b[key] ?? 0);
      if (d !== 0) out[key] = d;
    }
    return out;
  };
  return {
    http_requests: after.http_requests - before.http_requests,
    by_route: minus(after.by_route, before.by_route),
    stream_requests: minus(after.stream_requests, before.stream_requests),
    statements: after.statements - before.statements,
    by_statements: minus(after.by_statements, before.by_statements),
  };
};
