/**
 * Every CLI command, in the order `dataspine --help` lists them. Add a command here.
 */
import { partitionsCommand, pipelinesCommand } from "./catalogue";
import { deadLettersCommand } from "./dead-letters";
import { runCommand } from "./run";
import { demoFeedCommand, libsqlServerCommand, migrateCommand } from "./servers";
import type { Command } from "./shared";

export const COMMANDS: ReadonlyArray<Command> = [
  runCommand,
  partitionsCommand,
  pipelinesCommand,
  migrateCommand,
  libsqlServerCommand,
  demoFeedCommand,
  deadLettersCommand,
];
