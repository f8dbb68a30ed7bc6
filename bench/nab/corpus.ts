/**
 * Reads the NAB corpus (`shared/nab` beside the repo root or an ancestor, or `NAB_DIR`): data files, label
 * windows, and a detector's raw per-row scores in NAB's results layout.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repo root (two levels above this file). */
const REPO_ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

/**
 * The NAB folder: `NAB_DIR` if set, else the first `shared/nab` beside the repo root or beside
 * one of its ancestors (a CI clone may sit deeper than the working copy), else
 * `../shared/nab` (reported missing by `nabAvailable`).
 */
export const nabDir = (): string => {
  if (process.env.NAB_DIR) return resolve(process.env.NAB_DIR);
  for (let dir = resolve(REPO_ROOT, ".."); ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "nab");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  return resolve(REPO_ROOT, "..", "shared", "nab");
};

/** True when the corpus is present (data, labels). */
export const nabAvailable = (dir = nabDir()): boolean =>
  existsSync(join(dir, "data")) && existsSync(join(dir, "labels", "combined_windows.json"));

/** NAB timestamps (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC) as epoch ms. */
export const parseNabTime = (text: string): number => {
  const ms = Date.parse(`${text.trim().replace(" ", "T").slice(0, 23)}Z`);
  if (Number.isNaN(ms)) throw new Error(`not a NAB timestamp: ${text}`);
  return ms;
};

/** One data file: `category/file.csv`, its rows and label windows. */
export interface NabFile {
  /** `category/name.csv`, as in `combined_windows.json`. */
  readonly name: string;
  readonly category: string;
  readonly file: string;
  readonly rawTimestamps: ReadonlyArray<string>;
  readonly timestamps: ReadonlyArray<number>;
  readonly values: ReadonlyArray<number>;
  readonly windows: ReadonlyArray<readonly [number, number]>;
}

/** Splits a CSV with a header into rows of cells (NAB files have no quoting). */
const readCsv = (path: string) => {
  const lines = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const header = (lines[0] ?? "").split(",");
  return { header, rows: lines.slice(1).map((l) => l.split(",")) };
};

/** Every data file of the corpus, in name order. */
export const loadCorpus = (dir = nabDir()): ReadonlyArray<NabFile> => {
  const labels = JSON.parse(
    readFileSync(join(dir, "labels", "combined_windows.json"), "utf8"),
  ) as Record<string, ReadonlyArray<readonly [string, string]>>;
  return Object.keys(labels)
    .sort()
    .map((name) => {
      const [category = "", file = ""] = name.split("/");
      const { header, rows } = readCsv(join(dir, "data", category, file));
      const ti = header.indexOf("timestamp");
      const vi = header.indexOf("value");
      const rawTimestamps = rows.map((r) => r[ti] ?? "");
      return {
        name,
        category,
        file,
        rawTimestamps,
        timestamps: rawTimestamps.map(parseNabTime),
        values: rows.map((r) => Number(r[vi])),
        windows: (labels[name] ?? []).map(
          ([start, end]) => [parseNabTime(start), parseNabTime(end)] as const,
        ),
      };
    });
};

/** A detector's raw scores of one file: `<results>/<category>/<detector>_<file>`. */
export const loadResultScores = (
  resultsDir: string,
  detector: string,
  file: NabFile,
): ReadonlyArray<number> => {
  const { header, rows } = readCsv(join(resultsDir, file.category, `${detector}_${file.file}`));
  const si = header.indexOf("anomaly_score");
  if (si < 0) throw new Error(`${detector}_${file.file} has no anomaly_score column`);
  return rows.map((r) => Number(r[si]));
};

/** Category folders present under a results directory. */
export const resultCategories = (resultsDir: string): ReadonlyArray<string> =>
  readdirSync(resultsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
