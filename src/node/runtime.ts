/**
 * The services a pipeline needs, for Node entry points (CLI, tests, scripts).
 */
import * as Layer from "effect/Layer";
import * as LogLevel from "effect/LogLevel";
import { AuditLogLive } from "../audit/log";
import { AppConfig, type ConfigVars } from "../core/config/app-config";
import { HttpFetch } from "../core/http/http-fetch";
import { jsonLogsToStderr } from "../core/model/logging";
import { CoreStoresLibsql } from "../core/store/layers";
import { OutputDigestLive } from "../reconciliation/canonical";
import { BulkWriterNodeLive } from "./bulk-writer";
import { type DbConfig, DbNodeLive } from "./database";

export interface NodeRuntimeOptions {
  readonly db: DbConfig;
  /** The variables `AppConfig` reads (the process environment, with a command's own). */
  readonly vars: ConfigVars;
  readonly logLevel?: LogLevel.LogLevel;
}

/**
 * Db (migrated) + the core stores, audit log and output digest over it + a bulk writer thread
 * for an embedded file + HttpFetch (fetch) + AppConfig (an invalid setting is a defect
 * carrying `InvalidConfig`: the CLI checks them at startup) + JSON logs on stderr.
 */
export const nodePipelineLayer = (options: NodeRuntimeOptions) =>
  Layer.mergeAll(
    Layer.provideMerge(
      Layer.mergeAll(AuditLogLive, OutputDigestLive, CoreStoresLibsql),
      DbNodeLive(options.db),
    ),
    BulkWriterNodeLive(options.db.url),
    HttpFetch.layer,
    Layer.orDie(AppConfig.fromVars(options.vars)),
    jsonLogsToStderr(options.logLevel ?? LogLevel.Info),
  );
