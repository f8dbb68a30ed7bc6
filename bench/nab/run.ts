/**
 * `npm run bench:nab [-- --json] [-- --out <dir>]`: the NAB benchmark.
 *
 * 1. Scorer check: the windowedGaussian raw scores shipped with NAB, through our scorer,
 *    next to the published normalized scores (39.6 / 20.9 / 47.4).
 * 2. Our VolumeShift detector (`NAB_VOLUME_SHIFT`, one config for all 58 files) through the
 *    same scorer, next to the published table. `--out <dir>` also writes its raw scores in
 *    NAB's results layout (`<dir>/<category>/volumeShift_<file>.csv`).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadCorpus, loadResultScores, nabDir } from "./corpus";
import { PROFILE_NAMES, type ProfileName, type ProfileResult, scoreCorpus } from "./scorer";
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
const seconds = (performance.now() - started) / 1000;

if (values.out) {
  for (const [i, f] of corpus.entries()) {
    const scores = volumeScores[i]!;
    mkdirSync(join(values.out, f.category), { recursive: true });
    const lines = f.rawTimestamps.map((t, r) => `${t},${f.values[r]},${scores[r]}`);
    writeFileSync(
      join(values.out, f.category, `volumeShift_${f.file}`),
      `timestamp,value,anomaly_score\n${lines.join("\n")}\n`,
    );
  }
}

const normalized = (r: Readonly<Record<ProfileName, ProfileResult>>) =>
  Object.fromEntries(PROFILE_NAMES.map((p) => [p, Math.round(r[p].normalized * 100) / 100]));

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ scorer_check: normalized(reference), volume_shift: normalized(ours) })}\n`,
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
    row("volumeShift (ours)", of(ours)),
    row("windowedGaussian (our scorer)", of(reference)),
    "published:",
  ];
  const rows = Object.entries(published).sort((a, b) => b[1].standard - a[1].standard);
  for (const [name, s] of rows) lines.push(row(`  ${name}`, s));
  lines.push(
    "",
    `volumeShift config: ${JSON.stringify(NAB_VOLUME_SHIFT)}`,
    ...PROFILE_NAMES.map(
      (p) =>
        `  ${p}: threshold ${ours[p].threshold.toFixed(4)}, windows detected ${ours[p].tp}/${ours[p].tp + ours[p].fn}, false positives ${ours[p].fp}`,
    ),
  );
  process.stdout.write(`${lines.join("\n")}\n`);
}
