/**
 * The alert file sink (`--alert-file`): one JSON line per alert, appended. The sink is
 * named after the file's absolute path, so each file gets every alert once.
 */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import * as Effect from "effect/Effect";
import { type AlertSink, AlertSinkError } from "../alerts/sink";
import type { AnomalySeverity } from "../core/model/anomaly-vocabulary";

export const alertFileSink = (path: string, minSeverity: AnomalySeverity): AlertSink => {
  const file = resolve(path);
  const name = `file:${file}`;
  return {
    name,
    minSeverity,
    deliver: (alert) =>
      Effect.tryPromise({
        try: async () => {
          await mkdir(dirname(file), { recursive: true });
          await appendFile(file, `${JSON.stringify(alert)}\n`, "utf8");
        },
        catch: (cause) =>
          new AlertSinkError({
            sink: name,
            message: cause instanceof Error ? cause.message : String(cause),
          }),
      }),
  };
};
