/**
 * Anomalies and their alerts: `GET /detectors`, `GET /anomalies`, `GET /anomalies/:id`,
 * `POST /anomalies/:id/resolve` and `GET /alerts` (the alert outbox).
 */
import * as Schema from "effect/Schema";
import { DELIVERY_STATUSES } from "../../alerts/outbox";
import { DatabaseError } from "../../db/errors";
import { AnomalyNotFound } from "../http-errors";
import {
  Category,
  Flag,
  Instant,
  Limit,
  OneOf,
  optional,
  Severity,
  Text,
  UpperText,
} from "../request-schemas";
import { route } from "./route";

const Anomaly = Schema.Struct({
  anomaly_id: Schema.String,
  rule: Schema.String,
  category: Schema.String.annotations({
    description: "The seed's category: QUALITY_GATE, NETWORK, DATA_QUALITY or VALIDATION.",
  }),
  severity: Schema.String,
  domain: Schema.String,
  stage: Schema.String,
  pipeline: Schema.NullOr(Schema.String),
  partition_key: Schema.String,
  capture_id: Schema.NullOr(Schema.String),
  message: Schema.String,
  context: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  observed_at: Schema.NullOr(Schema.String),
  detected_at: Schema.String,
  resolved_at: Schema.NullOr(Schema.String),
}).annotations({ identifier: "Anomaly" });

export const LIST_DETECTORS = route({
  method: "GET",
  path: "/detectors",
  operationId: "listDetectors",
  summary: "The registered detectors: each rule's description and default thresholds",
  tag: "anomalies",
  scope: "read",
  responses: {
    200: {
      description: "The `DETECTORS` registry.",
      schema: Schema.Struct({
        detectors: Schema.Array(
          Schema.Struct({
            name: Schema.String,
            description: Schema.String,
            defaults: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
          }),
        ),
      }),
    },
  },
  errors: [],
});

export const LIST_ANOMALIES = route({
  method: "GET",
  path: "/anomalies",
  operationId: "listAnomalies",
  summary: "Detected anomalies, newest first, with a human summary",
  tag: "anomalies",
  scope: "read",
  query: Schema.Struct({
    pipeline: optional(Text),
    severity: optional(Severity),
    category: optional(Category),
    since: optional(Instant),
    unresolved: optional(Flag),
    rule: optional(UpperText),
    partition: optional(Text),
    limit: Limit(1000, 100),
  }),
  responses: {
    200: {
      description: "The anomalies.",
      schema: Schema.Struct({ anomalies: Schema.Array(Anomaly), summary: Schema.String }),
    },
  },
  errors: [DatabaseError],
});

const AnomalyId = Schema.Struct({ id: Text });

export const GET_ANOMALY = route({
  method: "GET",
  path: "/anomalies/:id",
  operationId: "getAnomaly",
  summary: "One anomaly",
  tag: "anomalies",
  scope: "read",
  params: AnomalyId,
  responses: { 200: { description: "The anomaly.", schema: Anomaly } },
  errors: [AnomalyNotFound, DatabaseError],
});

export const RESOLVE_ANOMALY = route({
  method: "POST",
  path: "/anomalies/:id/resolve",
  operationId: "resolveAnomaly",
  summary: "Mark an anomaly resolved (an already resolved one keeps its time)",
  tag: "anomalies",
  scope: "write",
  params: AnomalyId,
  responses: { 200: { description: "The anomaly afterwards.", schema: Anomaly } },
  errors: [AnomalyNotFound, DatabaseError],
});

const Delivery = Schema.Struct({
  anomaly_id: Schema.String,
  sink: Schema.String,
  status: Schema.String,
  episode: Schema.Number,
  attempts: Schema.Number,
  next_attempt_at: Schema.NullOr(Schema.String),
  last_error: Schema.NullOr(Schema.String),
  delivered_at: Schema.NullOr(Schema.String),
  created_at: Schema.String,
  updated_at: Schema.String,
  rule: Schema.NullOr(Schema.String),
  severity: Schema.NullOr(Schema.String),
  partition_key: Schema.NullOr(Schema.String),
  resolved_at: Schema.NullOr(Schema.String),
  text: Schema.NullOr(Schema.String).annotations({ description: "The alert line the sink got." }),
});

export const LIST_ALERTS = route({
  method: "GET",
  path: "/alerts",
  operationId: "listAlerts",
  summary: "Alert deliveries per anomaly and sink, most recently changed first",
  tag: "anomalies",
  scope: "read",
  query: Schema.Struct({
    status: optional(OneOf(DELIVERY_STATUSES)),
    sink: optional(Text),
    anomaly: optional(Text),
    limit: Limit(1000, 100),
  }),
  responses: {
    200: {
      description: "The deliveries, and how many there are in each status.",
      schema: Schema.Struct({
        alerts: Schema.Array(Delivery),
        counts: Schema.Record({ key: Schema.String, value: Schema.Number }),
      }),
    },
  },
  errors: [DatabaseError],
});
