#!/usr/bin/env node
// The `dataspine` command: TypeScript sources run through tsx, no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/node/cli.ts");
