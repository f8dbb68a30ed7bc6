/**
 * `npm run bench:nab [-- --json] [-- --out <dir>]`: the NAB benchmark.
 *
 * 1. Scorer check: the windowedGaussian raw scores shipped with NAB, through our scorer,
 *    next to the published normalized scores (39.6 / 20.9 / 47.4).
 * 2. Our detectors, each with one config for all 58 files, through the same scorer, next to
 *    the published table: VolumeShift (`NAB_VOLUME_SHIFT`) and SeriesAnomaly (its registered
 *    defaults). Each profile's threshold is the one NAB's optimizer would pick: the corpus-wide
 *    score that maximises the raw score (`scorer.ts`), as for every published detector.
 *    `--out <dir>` also writes their raw scores in NAB's results layout
 *    (`<dir>/<category>/volumeShift_<file>.csv`, `seriesAnomaly_<file>.csv`).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCorpus, loadResultScores, nabDir } from "./corpus";
import { PROFILE_NAMES, type ProfileName, type ProfileResult, scoreCorpus } from "./scorer";
import { NAB_SERIES_ANOMALY, seriesAnomalyScores } from "./series-anomaly-scores";
import { NAB_VOLUME_SHIFT, volumeShiftScores } from "./volume-shift-scores";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { json: { type: "boolean", default: false }, out: { type: "string" } },
});

const dir = nabDir();
const corpus = loadCorpus(dir);
const started = performance.now();

const reference = scoreCorpus(
  corpus.map((f) => ({
    ...f,
    scores: loadResultScores(join(dir, "results", "windowedGaussian"), "windowedGaussian", f),
  })),
);
const volumeScores = corpus.map((f) => volumeShiftScores(f.values));
const ours = scoreCorpus(corpus.map((f, i) => ({ ...f, scores: volumeScores[i]! })));
const seriesScores = corpus.map((f) => seriesAnomalyScores(f.values));
const series = scoreCorpus(corpus.map((f, i) => ({ ...f, scores: seriesScores[i]! })));
const seconds = (performance.now() - started) / 1000;

if (values.out) {
  const out = values.out;
  const write = (detector: string, all: ReadonlyArray<ReadonlyArray<number>>) => {
    for (const [i, f] of corpus.entries()) {
      const scores = all[i]!;
      mkdirSync(join(out, f.category), { recursive: true });
      const lines = f.rawTimestamps.map((t, r) => `${t},${f.values[r]},${scores[r]}`);
      writeFileSync(
        join(out, f.category, `${detector}_${f.file}`),
        `timestamp,value,anomaly_score\n${lines.join("\n")}\n`,
      );
    }
  };
  write("volumeShift", volumeScores);
  write("seriesAnomaly", seriesScores);
}

const normalized = (r: Readonly<Record<ProfileName, ProfileResult>>) =>
  Object.fromEntries(PROFILE_NAMES.map((p) => [p, Math.round(r[p].normalized * 100) / 100]));

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({
      scorer_check: normalized(reference),
      volume_shift: normalized(ours),
      series_anomaly: normalized(series),
    })}\n`,
  );
} else {
  const published = JSON.parse(
    readFileSync(join(dir, "results", "final_results.json"), "utf8"),
  ) as Record<string, Record<ProfileName, number>>;
  const row = (name: string, s: Readonly<Record<string, number>>) =>
    `${name.padEnd(34)}${PROFILE_NAMES.map((p) => (s[p] ?? Number.NaN).toFixed(1).padStart(20)).join("")}`;
  const of = (r: Readonly<Record<ProfileName, ProfileResult>>) =>
    Object.fromEntries(PROFILE_NAMES.map((p) => [p, r[p].normalized]));
  const lines = [
    `NAB corpus ${dir}: ${corpus.length} files, ${corpus.reduce((n, f) => n + f.windows.length, 0)} windows, ${corpus.reduce((n, f) => n + f.values.length, 0)} rows (scored in ${seconds.toFixed(1)} s)`,
    "",
    `${"detector".padEnd(34)}${PROFILE_NAMES.map((p) => p.padStart(20)).join("")}`,
    row("seriesAnomaly (ours)", of(series)),
    row("volumeShift (ours)", of(ours)),
    row("windowedGaussian (our scorer)", of(reference)),
    "published:",
  ];
  const rows = Object.entries(published).sort((a, b) => b[1].standard - a[1].standard);
  for (const [name, s] of rows) lines.push(row(`  ${name}`, s));
  const detail = (
    name: string,
    config: unknown,
    r: Readonly<Record<ProfileName, ProfileResult>>,
  ) => [
    "",
    `${name} config: ${JSON.stringify(config)}`,
    ...PROFILE_NAMES.map(
      (p) =>
        `  ${p}: threshold ${r[p].threshold.toFixed(4)}, windows detected ${r[p].tp}/${r[p].tp + r[p].fn}, false positives ${r[p].fp}`,
    ),
  ];
  lines.push(
    ...detail("seriesAnomaly", NAB_SERIES_ANOMALY, series),
    ...detail("volumeShift", NAB_VOLUME_SHIFT, ours),
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}
