/**
 * The small SQL scanner the server needs instead of a parser: it splits SQL text into
 * statements and finds each one's parameters, main verb and connection side effects.
 * SQLite itself does the real parsing.
 */
import { StmtError } from "./errors";

/** What the server must know about one SQL statement; SQLite itself does the real parsing. */
export interface SqlInfo {
  readonly text: string;
  /** Parameter names by index (`:a`, `?3`...), `null` for a bare `?`, as SQLite numbers them. */
  readonly params: readonly (string | null)[];
  /** Main keyword, upper case; for `WITH ...` the statement the CTEs feed. */
  readonly verb: string;
  readonly isExplain: boolean;
  /** Changes connection state a later stream must not inherit (PRAGMA, ATTACH, TEMP). */
  readonly dirty: boolean;
}

interface Token {
  readonly kind: "word" | "quoted" | "param" | ";" | "(" | ")" | "other";
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const ID_START = /[A-Za-z_\u0080-\uffff]/;
const ID_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const MAIN_VERBS = new Set(["SELECT", "VALUES", "INSERT", "REPLACE", "UPDATE", "DELETE"]);

function* tokenize(sql: string): Generator<Token> {
  let i = 0;
  const at = (j: number): string => sql[j] ?? "";
  while (i < sql.length) {
    const c = at(i);
    const start = i++;
    let kind: Token["kind"] = "other";
    if (/\s/.test(c)) continue;
    if (c === "-" && at(i) === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? sql.length : eol + 1;
      continue;
    }
    if (c === "/" && at(i) === "*") {
      const close = sql.indexOf("*/", i + 1);
      i = close < 0 ? sql.length : close + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      // A doubled quote is an escaped quote, except inside [brackets].
      while (i < sql.length && !(at(i) === close && (close === "]" || at(++i) !== close))) i++;
      if (c === "[" && i < sql.length) i++;
      kind = c === "'" ? "other" : "quoted";
    } else if (c === "?") {
      while (/[0-9]/.test(at(i))) i++;
      kind = "param";
    } else if ((c === ":" || c === "@" || c === "$") && ID_CHAR.test(at(i))) {
      while (ID_CHAR.test(at(i)) || (c === "$" && at(i) === ":" && at(i + 1) === ":")) i++;
      kind = "param";
    } else if (ID_START.test(c)) {
      while (ID_CHAR.test(at(i))) i++;
      kind = "word";
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(at(i)))) {
      while (/[0-9A-Za-z_.]/.test(at(i))) i++;
    } else if (c === ";" || c === "(" || c === ")") {
      kind = c;
    }
    yield { kind, text: sql.slice(start, i), start, end: i };
  }
}

class StatementBuilder {
  first: Token | undefined;
  last: Token | undefined;
  readonly words: string[] = [];
  readonly params: (string | null)[] = [];
  readonly named = new Map<string, number>();
  depth = 0;
  verb = "";

  add(t: Token): void {
    this.first ??= t;
    this.last = t;
    if (t.kind === "(" || t.kind === ")") this.depth += t.kind === "(" ? 1 : -1;
    if (t.kind === "word") {
      const word = t.text.toUpperCase();
      if (this.words.length < 3) this.words.push(word);
      if (this.words.length === 1) this.verb = word;
      else if (this.verb === "WITH" && this.depth === 0 && MAIN_VERBS.has(word)) this.verb = word;
    } else if (t.kind === "param") this.addParam(t.text);
  }

  // Mirrors SQLite's numbering: `?` takes the next index, `?N` index N, a name keeps its first.
  addParam(p: string): void {
    if (p === "?") this.params.push(null);
    else if (p.startsWith("?")) {
      const index = Number(p.slice(1));
      if (index < 1 || index > 32766) return; // SQLite rejects it when preparing
      while (this.params.length < index) this.params.push(null);
      this.params[index - 1] ??= p;
    } else if (!this.named.has(p)) {
      this.params.push(p);
      this.named.set(p, this.params.length);
    }
  }

  // A trigger body holds `;`s; like sqlite3_complete(), only `END ;` closes it.
  endsAt(): boolean {
    const [a, b, c] = this.words;
    const temp = b === "TEMP" || b === "TEMPORARY";
    const trigger = a === "CREATE" && (b === "TRIGGER" || (temp && c === "TRIGGER"));
    return !trigger || this.last?.text.toUpperCase() === "END";
  }

  build(sql: string): SqlInfo {
    const [a, b] = this.words;
    return {
      text: sql.slice(this.first?.start ?? 0, this.last?.end ?? 0),
      params: this.params,
      verb: this.verb,
      isExplain: a === "EXPLAIN",
      dirty:
        ["PRAGMA", "ATTACH", "DETACH"].includes(this.verb) || b === "TEMP" || b === "TEMPORARY",
    };
  }
}

/** Splits SQL text into statements, skipping empty ones (only comments or `;`). */
export function scanSql(sql: string): SqlInfo[] {
  const out: SqlInfo[] = [];
  let current = new StatementBuilder();
  for (const t of tokenize(sql)) {
    if (t.kind === ";" && current.first !== undefined && current.endsAt()) {
      out.push(current.build(sql));
      current = new StatementBuilder();
    } else if (t.kind !== ";" || current.first !== undefined) {
      current.add(t);
    }
  }
  if (current.first !== undefined) out.push(current.build(sql));
  return out;
}

/** The one statement of an `execute`/`describe`/batch step, as sqld insists. */
export function scanSingle(sql: string): SqlInfo {
  const [info, ...rest] = scanSql(sql);
  if (info === undefined)
    throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
  if (rest.length > 0) {
    throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
  }
  return info;
}
