/**
 * The services a pipeline needs, for Node entry points (CLI, tests, scripts).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient";
import { Layer, LogLevel } from "effect";
import { AuditLogLive } from "../audit/log";
import { jsonLogsToStderr } from "../core/model/logging";
import { SourceConfig } from "../core/pipeline/source-config";
import { OutputDigestLive } from "../reconciliation/canonical";
import { BulkWriterNodeLive } from "./bulk-writer";
import { type DbConfig, DbNodeLive } from "./database";

export interface NodeRuntimeOptions {
  readonly db: DbConfig;
  readonly vars: Readonly<Record<string, string | undefined>>;
  readonly logLevel?: LogLevel.LogLevel;
}

/**
 * Db (migrated) + the audit log and output digest over it + a bulk writer thread for an embedded file + HttpClient (fetch) + SourceConfig
 * + JSON logs on stderr.
 */
export const nodePipelineLayer = (options: NodeRuntimeOptions) =>
  Layer.mergeAll(
    Layer.provideMerge(Layer.mergeAll(AuditLogLive, OutputDigestLive), DbNodeLive(options.db)),
    BulkWriterNodeLive(options.db.url),
    FetchHttpClient.layer,
    SourceConfig.fromVars(options.vars),
    jsonLogsToStderr(options.logLevel ?? LogLevel.Info),
  );
