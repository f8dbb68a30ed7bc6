/**
 * `npm run bench:bundle [-- --top N] [-- --why <path part>] [-- --startup R]
 * [-- --baseline DIR] [-- --json]`: the Worker bundle.
 *
 * Builds the Worker as a deploy would (`wrangler deploy --dry-run --minify`) with esbuild's
 * metafile into a temporary folder, then prints wrangler's own upload size (raw / gzip), the
 * entry module's bytes and gzip bytes, the ratio of the gzip upload to the 200 KiB target,
 * and the N (default 25) largest contributors by package or `src/` folder (the bytes each
 * puts in the output). `--why` prints the import chain from `src/worker/index.ts` to the
 * first module whose path contains the argument: what makes it reachable. `--baseline DIR`
 * also builds another checkout (with its own node_modules, e.g. a worktree of an older
 * commit) and shows its figures beside these, from the same run. `--startup R` times R cold
 * starts in workerd of each build and of a one-line Worker, in turns (`bundle-startup.ts`).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { measureStartup, median, TRIVIAL } from "./bundle-startup";

const TARGET_GZIP_KIB = 200;
const ENTRY = "src/worker/index.ts";

const { values } = parseArgs({
  options: {
    top: { type: "string", default: "25" },
    why: { type: "string", multiple: true, default: [] },
    startup: { type: "string", default: "0" },
    baseline: { type: "string" },
    json: { type: "boolean", default: false },
  },
});

interface Metafile {
  readonly inputs: Record<string, { readonly imports: ReadonlyArray<{ readonly path: string }> }>;
  readonly outputs: Record<
    string,
    { readonly entryPoint?: string; readonly inputs: Record<string, { bytesInOutput: number }> }
  >;
}

/** The package (`hono`, `@libsql/client`), effect module or `src/` folder of an input path. */
export const groupOf = (path: string): string => {
  const at = path.lastIndexOf("node_modules/");
  if (at < 0) {
    const parts = path.split("/");
    return parts[0] === "src" ? parts.slice(0, 2).join("/") : (parts[0] ?? path);
  }
  const parts = path.slice(at + "node_modules/".length).split("/");
  const pkg = parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
  if (pkg !== "effect" || parts[1] !== "dist") return pkg;
  const module = parts[3] ?? "";
  return module.endsWith(".js") ? `effect/${module.slice(0, -3)}` : `effect/${module}`;
};

/** The import chain from the entry to the first reachable input containing `part`. */
const importChain = (meta: Metafile, part: string): ReadonlyArray<string> => {
  const previous = new Map<string, string | null>([[ENTRY, null]]);
  const queue = [ENTRY];
  for (let i = 0; i < queue.length; i++) {
    const current = queue[i] as string;
    if (current.includes(part)) {
      const chain: Array<string> = [];
      for (let at: string | null = current; at !== null; at = previous.get(at) ?? null) {
        chain.unshift(at);
      }
      return chain;
    }
    for (const { path } of meta.inputs[current]?.imports ?? []) {
      if (previous.has(path) || !(path in meta.inputs)) continue;
      previous.set(path, current);
      queue.push(path);
    }
  }
  return [];
};

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

/** One checkout's dry-run build: wrangler's upload size, the entry module, its metafile. */
const build = (cwd: string, dir: string) => {
  mkdirSync(dir);
  const metafile = join(dir, "meta.json");
  const outdir = join(dir, "out");
  const run = spawnSync(
    join(cwd, "node_modules", ".bin", "wrangler"),
    ["deploy", "--dry-run", "--minify", "--outdir", outdir, "--metafile", metafile],
    { cwd, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  if (run.status !== 0) {
    throw new Error(`wrangler deploy --dry-run failed in ${cwd}:\n${run.stdout}\n${run.stderr}`);
  }
  const upload = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(run.stdout);
  if (!upload) throw new Error(`no "Total Upload" line in wrangler's output:\n${run.stdout}`);
  const entry = readFileSync(join(outdir, "index.js"));
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as Metafile;
  const output = Object.values(meta.outputs).find((o) => o.entryPoint === ENTRY);
  if (!output) throw new Error(`no output for ${ENTRY} in the metafile`);
  const groups: Record<string, number> = {};
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const group = groupOf(path);
    groups[group] = (groups[group] ?? 0) + bytesInOutput;
  }
  return {
    uploadKib: Number(upload[1]),
    uploadGzipKib: Number(upload[2]),
    ratioToTarget: Number(upload[2]) / TARGET_GZIP_KIB,
    modules: readdirSync(outdir).filter((f) => !f.endsWith(".map") && f !== "README.md"),
    entryBytes: entry.length,
    entryGzipBytes: gzipSync(entry).length,
    groups,
    outdir,
    meta,
  };
};

type Build = ReturnType<typeof build>;

const sizeLine = (label: string, b: Build) =>
  `${label}: ${b.uploadKib} KiB / gzip ${b.uploadGzipKib} KiB` +
  ` (${b.ratioToTarget.toFixed(2)}× the ${TARGET_GZIP_KIB} KiB gzip target);` +
  ` index.js ${b.entryBytes} bytes, gzip ${b.entryGzipBytes}; ${b.modules.length} modules`;

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), "dataspine-bundle-"));
  try {
    const current = build(".", join(dir, "current"));
    const baseline = values.baseline ? build(values.baseline, join(dir, "baseline")) : undefined;
    // The largest groups of either build, so that what a change removed is listed too.
    const top = [
      ...new Set([...Object.keys(current.groups), ...Object.keys(baseline?.groups ?? {})]),
    ]
      .map((group) => ({
        group,
        bytes: current.groups[group] ?? 0,
        baselineBytes: baseline?.groups[group] ?? 0,
      }))
      .sort((a, b) => Math.max(b.bytes, b.baselineBytes) - Math.max(a.bytes, a.baselineBytes))
      .slice(0, Number(values.top));
    const why = values.why.map((part) => ({ part, chain: importChain(current.meta, part) }));
    const rounds = Number(values.startup);
    const compatibilityDate = /^compatibility_date = "([\d-]+)"/m.exec(
      readFileSync("wrangler.toml", "utf8"),
    )?.[1];
    const workers = [
      { label: "this checkout", outdir: current.outdir },
      ...(baseline ? [{ label: "baseline", outdir: baseline.outdir }] : []),
    ];
    const times =
      rounds > 0 && compatibilityDate
        ? await measureStartup(workers, dir, compatibilityDate, rounds)
        : undefined;
    const startup =
      times &&
      Object.fromEntries(
        Object.entries(times).map(([label, ms]) => [label, { medianMs: median(ms), ms }]),
      );
    const summary = ({ meta: _meta, outdir: _outdir, groups: _groups, ...rest }: Build) => rest;
    if (values.json) {
      const result = {
        targetGzipKib: TARGET_GZIP_KIB,
        current: summary(current),
        baseline: baseline && summary(baseline),
        top,
        why,
        startup,
      };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const trivialMs = startup?.[TRIVIAL]?.medianMs ?? 0;
    const lines = [
      sizeLine("wrangler deploy --dry-run --minify", current),
      ...(baseline ? [sizeLine(`baseline (${values.baseline})`, baseline)] : []),
      "",
      `     KiB${baseline ? "  baseline" : ""}  package / folder (bytes in the minified output)`,
      ...top.map(
        (t) =>
          `${kib(t.bytes).padStart(8)}${baseline ? kib(t.baselineBytes).padStart(10) : ""}  ${t.group}`,
      ),
      ...(startup
        ? [
            "",
            `cold start in workerd, median of ${rounds} (ms to the first answer; minus the one-line Worker):`,
            ...Object.entries(startup).map(
              ([label, { medianMs }]) =>
                `${medianMs.toFixed(0).padStart(8)} ${(medianMs - trivialMs).toFixed(0).padStart(6)}  ${label}`,
            ),
          ]
        : []),
      ...why.flatMap(({ part, chain }) => [
        "",
        chain.length === 0 ? `${part}: not reachable from ${ENTRY}` : `why ${part}:`,
        ...chain.map((path, i) => `${"  ".repeat(i)}${path.replace(/^.*node_modules\//, "")}`),
      ]),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
