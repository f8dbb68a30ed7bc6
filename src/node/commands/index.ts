/**
 * Every CLI command, in the order `dataspine --help` lists them. Add a command here.
 */
import { alertsCommand } from "./alerts";
import { anomaliesCommand } from "./anomalies";
import { auditCommand } from "./audit";
import { backfillCommand } from "./backfill";
import { partitionsCommand, pipelinesCommand } from "./catalogue";
import { deadLettersCommand } from "./dead-letters";
import { diffCommand } from "./diff";
import { ingestCommand } from "./ingest";
import { replayCommand } from "./replay";
import { runCommand } from "./run";
import { demoFeedCommand, libsqlServerCommand, migrateCommand } from "./servers";
import type { Command } from "./shared";
import { workflowCommand } from "./workflow";

export const COMMANDS: ReadonlyArray<Command> = [
  runCommand,
  ingestCommand,
  backfillCommand,
  partitionsCommand,
  pipelinesCommand,
  migrateCommand,
  libsqlServerCommand,
  demoFeedCommand,
  deadLettersCommand,
  auditCommand,
  anomaliesCommand,
  alertsCommand,
  replayCommand,
  diffCommand,
  workflowCommand,
];
