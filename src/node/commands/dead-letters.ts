/**
 * `dataspine dead-letters [list] [--status open|retried] [--json]`,
 * `dataspine dead-letters show <id> [--json]`, `dataspine dead-letters retry <id> [--json]`.
 */
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import { getDeadLetter, listDeadLetters, retryDeadLetter } from "../../core/store/dead-letters";
import { cliAlerts } from "../alert-delivery";
import { runLocally } from "./run";
import { type Command, cliLayer, commandArgs, print, UsageError } from "./shared";

export const deadLettersCommand: Command = {
  name: "dead-letters",
  usage: [
    "dataspine dead-letters [list] [--status open|retried] [--json]",
    "dataspine dead-letters show <id> [--json]",
    "dataspine dead-letters retry <id> [--json]",
  ].join("\n"),
  run: async (argv) => {
    const { values, positionals } = commandArgs(argv, { status: { type: "string" } });
    const [action = "list", id] = positionals;
    if (action === "list") {
      const rows = await Effect.runPromise(
        listDeadLetters(values.status ? { status: values.status } : {}).pipe(
          Effect.provide(cliLayer()),
        ),
      );
      print(
        values.json,
        rows,
        rows.length === 0
          ? "no dead letters"
          : rows
              .map(
                (d) =>
                  `${d.dead_letter_id}\t${d.status}\t${d.pipeline}\t${d.partition_key}\t${d.error_message}`,
              )
              .join("\n"),
      );
      return 0;
    }
    if (!id || (action !== "show" && action !== "retry")) {
      throw new UsageError("dead-letters needs list, show <id> or retry <id>");
    }
    const found = await Effect.runPromise(getDeadLetter(id).pipe(Effect.provide(cliLayer())));
    if (!found) {
      print(
        values.json,
        { error: "DeadLetterNotFound", message: `no dead letter ${id}` },
        `no dead letter ${id}`,
      );
      return 2;
    }
    if (action === "show") {
      print(values.json, found, JSON.stringify(found, null, 2));
      return 0;
    }
    const alerts = cliAlerts(undefined);
    const retried = await Effect.runPromise(
      retryDeadLetter(id, (run) =>
        Effect.promise(() => runLocally(run, alerts)).pipe(
          Effect.flatMap((exit) =>
            Exit.isSuccess(exit) ? Effect.succeed(exit.value) : Effect.die(exit.cause),
          ),
        ),
      ).pipe(Effect.provide(cliLayer())),
    );
    if (!retried) throw new Error(`dead letter ${id} vanished during the retry`);
    const { run, dead_letter: after } = retried;
    print(
      values.json,
      retried,
      `${run.status}: dead letter ${id} is ${after?.status ?? "gone"} (capture ${run.capture_id})`,
    );
    return run.status === "complete" || run.status === "no_data_expected" ? 0 : 1;
  },
};
