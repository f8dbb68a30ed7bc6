/**
 * Structured JSON logs. They go to stderr so that a command's stdout carries only its
 * result (`--json` prints exactly one JSON document).
 */
import { Layer, Logger, type LogLevel } from "effect";

/** JSON lines on stderr at `level` and above. */
export const jsonLogsToStderr = (level: LogLevel.LogLevel) =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.jsonLogger)),
    Logger.minimumLogLevel(level),
  );
