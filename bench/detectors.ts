/**
 * `npm run bench:detectors [-- --points N] [-- --rounds R] [-- --json]`: throughput of the
 * numeric detectors, in points per second, beside a plain loop over the same `Float64Array`
 * in the same run (the ratio is what stays comparable on a shared machine).
 *
 * The series: N points (default 2,000,000) of a daily cycle (288 points) times log-normal
 * noise with a spike every 5,000 points, from a fixed seed. Each round times the plain loop
 * (a sum) and every scorer over the whole array; the best of R rounds (default 5) is kept,
 * so JIT warm-up and a busy neighbour count as little as possible. The `detect` rows add what
 * a pipeline pays: `{ atMs, value }` points in, the Effect and the detections out.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Effect } from "effect";
import { SERIES_ANOMALY_DEFAULTS, seriesAnomalyDetector } from "../src/detectors/series-anomaly";
import { SeriesAnomalyModel } from "../src/detectors/series-anomaly-model";
import {
  PERCENT_VOLUME_SHIFT,
  ROBUST_VOLUME_SHIFT,
  VolumeShiftModel,
  volumeShiftDetector,
} from "../src/detectors/volume-shift";
import { NAB_VOLUME_SHIFT } from "./nab/volume-shift-scores";

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    points: { type: "string", default: "2000000" },
    rounds: { type: "string", default: "5" },
    json: { type: "boolean", default: false },
  },
});
const N = Number(args.points);
const ROUNDS = Number(args.rounds);

/** The benchmark series (deterministic). */
const series = (() => {
  const xs = new Float64Array(N);
  let s = 12345;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4_294_967_296;
  };
  for (let i = 0; i < N; i++) {
    const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const cycle = 1 + 0.5 * Math.sin((2 * Math.PI * (i % 288)) / 288);
    xs[i] = Math.round(1e5 * cycle * Math.exp(0.2 * normal) * (i % 5000 === 4999 ? 8 : 1));
  }
  return xs;
})();
const points = Array.from(series, (value, i) => ({ atMs: 1_700_000_000_000 + i * 300_000, value }));

/** One timed pass; returns points per second and a checksum (so no work is optimised away). */
type Pass = () => number;

const plainLoop: Pass = () => {
  let sum = 0;
  for (let i = 0; i < series.length; i++) sum += series[i]!;
  return sum;
};

const volumeShift =
  (config = ROBUST_VOLUME_SHIFT): Pass =>
  () => {
    const model = new VolumeShiftModel(config);
    let sum = 0;
    for (let i = 0; i < series.length; i++) sum += model.update(series[i]!);
    return sum;
  };

const seriesAnomaly: Pass = () => {
  const model = new SeriesAnomalyModel(SERIES_ANOMALY_DEFAULTS);
  let sum = 0;
  for (let i = 0; i < series.length; i++) sum += model.update(series[i]!);
  return sum;
};

const passes: ReadonlyArray<readonly [string, Pass]> = [
  ["plain loop (sum of the Float64Array)", plainLoop],
  ["VolumeShift model, robust default (window 60, log)", volumeShift()],
  ["VolumeShift model, seed rule (±50% of 20)", volumeShift(PERCENT_VOLUME_SHIFT)],
  ["VolumeShift model, NAB config (window 1500)", volumeShift(NAB_VOLUME_SHIFT)],
  ["SeriesAnomaly model, defaults", seriesAnomaly],
  [
    "VolumeShift detect() (points in, detections out)",
    () => Effect.runSync(volumeShiftDetector.detect({ series: "bench", points })).length,
  ],
  [
    "SeriesAnomaly detect() (points in, detections out)",
    () => Effect.runSync(seriesAnomalyDetector.detect({ series: "bench", points })).length,
  ],
];

const best = new Map<string, number>();
let checksum = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, pass] of passes) {
    const started = performance.now();
    checksum += pass();
    const rate = N / ((performance.now() - started) / 1000);
    best.set(name, Math.max(best.get(name) ?? 0, rate));
  }
}

const loop = best.get(passes[0]![0])!;
const rows = passes.map(([name]) => {
  const rate = best.get(name)!;
  return { detector: name, points_per_s: Math.round(rate), vs_plain_loop: rate / loop };
});
if (args.json) {
  process.stdout.write(`${JSON.stringify({ points: N, rounds: ROUNDS, rows })}\n`);
} else {
  const load = loadavg().map((l) => l.toFixed(2));
  const lines = [
    `${N.toLocaleString("en-US")} points, best of ${ROUNDS} rounds (load average ${load.join(" ")}, checksum ${checksum.toExponential(3)})`,
    "",
    `${"detector".padEnd(54)}${"points/s".padStart(14)}${"× plain loop".padStart(14)}`,
    ...rows.map(
      (r) =>
        `${r.detector.padEnd(54)}${`${(r.points_per_s / 1e6).toFixed(2)}M`.padStart(14)}${r.vs_plain_loop.toFixed(4).padStart(14)}`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
