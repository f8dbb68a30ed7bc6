/**
 * Dead letters (failed requests kept for a retry): `GET /dead-letters`,
 * `GET /dead-letters/:id` and `POST /dead-letters/:id/retry`.
 */
import * as Schema from "effect/Schema";
import { DatabaseError } from "../../db/errors";
import { DeadLetterNotFound } from "../http-errors";
import { Limit, OneOf, optional, Text } from "../request-schemas";
import { route } from "./route";
import { RunResult } from "./runs";

const DeadLetter = Schema.Struct({
  dead_letter_id: Schema.String,
  pipeline: Schema.String,
  partition_key: Schema.String,
  source: Schema.String,
  request: Schema.Struct({ method: Schema.String, url: Schema.String }),
  error_tag: Schema.String,
  error_message: Schema.String,
  attempts: Schema.Number,
  payload: Schema.NullOr(Schema.String),
  status: Schema.String,
  capture_id: Schema.NullOr(Schema.String),
  execution_id: Schema.NullOr(Schema.String),
  created_at: Schema.String,
  updated_at: Schema.String,
  retry_execution_id: Schema.NullOr(Schema.String),
}).annotations({ identifier: "DeadLetter" });

export const LIST_DEAD_LETTERS = route({
  method: "GET",
  path: "/dead-letters",
  operationId: "listDeadLetters",
  summary: "Failed requests kept for a retry",
  tag: "dead-letters",
  scope: "read",
  query: Schema.Struct({
    status: optional(OneOf(["open", "retried"])),
    limit: Limit(1000, 100),
  }),
  responses: {
    200: {
      description: "The dead letters.",
      schema: Schema.Struct({ dead_letters: Schema.Array(DeadLetter) }),
    },
  },
  errors: [DatabaseError],
});

const DeadLetterId = Schema.Struct({ id: Text });

export const GET_DEAD_LETTER = route({
  method: "GET",
  path: "/dead-letters/:id",
  operationId: "getDeadLetter",
  summary: "One dead letter",
  tag: "dead-letters",
  scope: "read",
  params: DeadLetterId,
  responses: { 200: { description: "The dead letter.", schema: DeadLetter } },
  errors: [DeadLetterNotFound, DatabaseError],
});

// The dead letter is absent when it was deleted while its partition ran again.
const Retried = Schema.Struct({ dead_letter: Schema.optional(DeadLetter), run: RunResult });
const retried = (description: string) => ({ description, schema: Retried });

export const RETRY_DEAD_LETTER = route({
  method: "POST",
  path: "/dead-letters/:id/retry",
  operationId: "retryDeadLetter",
  summary: "Re-run a dead letter's partition; marked retried when the run succeeds",
  tag: "dead-letters",
  scope: "write",
  params: DeadLetterId,
  responses: {
    200: retried("The run is done; the dead letter is marked retried."),
    202: retried("The run is still going (the actor retries)."),
    422: retried("The run failed its quality gate."),
    502: retried("The run failed again: the dead letter stays open."),
  },
  errors: [DeadLetterNotFound, DatabaseError],
});
