/**
 * Structured JSON logs. They go to stderr so that a command's stdout carries only its
 * result (`--json` prints exactly one JSON document).
 */
import { Layer, Logger, LogLevel } from "effect";

/** JSON lines on stderr at `level` and above. */
export const jsonLogsToStderr = (level: LogLevel.LogLevel) =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.jsonLogger)),
    Logger.minimumLogLevel(level),
  );

/** The level named `name` (`DEBUG`, `INFO`, `WARN`, …, case-insensitive), else `fallback`. */
export const parseLogLevel = (
  name: string | undefined,
  fallback: LogLevel.LogLevel,
): LogLevel.LogLevel =>
  name === undefined
    ? fallback
    : (LogLevel.allLevels.find((l) => l.label === name.trim().toUpperCase()) ?? fallback);
