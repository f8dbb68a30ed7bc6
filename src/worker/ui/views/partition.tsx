/**
 * One partition: the actor's state (status, attempts, last error, next retry) and run
 * history, its anomalies, a sample of its quarantined records with their reasons, and its
 * captures with their output hashes.
 */

import type { PartitionStatus } from "../../../actors/contract";
import type { AnomalyView } from "../../../core/store/anomalies";
import type { PartitionCapture } from "../../../core/store/partition-grid";
import type { QuarantineView } from "../../../core/store/quarantine";
import { AnomalyTable } from "./anomalies";
import { StackTable, StatusChip, Time } from "./layout";

export interface PartitionProps {
  readonly pipeline: string;
  readonly partition: string;
  /** The actor's answer; null when the partition never ran through an actor. */
  readonly state: PartitionStatus | null;
  readonly captures: ReadonlyArray<PartitionCapture>;
  readonly anomalies: ReadonlyArray<AnomalyView>;
  readonly quarantine: { readonly total: number; readonly records: ReadonlyArray<QuarantineView> };
  readonly canWrite: boolean;
  readonly back: string;
}

const outputHash = (metadata: Readonly<Record<string, unknown>>) => {
  const output = metadata.output as { sha256?: unknown; records?: unknown } | undefined;
  return typeof output?.sha256 === "string" ? output.sha256 : null;
};

const State = (props: { state: PartitionStatus }) => {
  const s = props.state;
  return (
    <dl class="facts" id="state">
      <dt>Status</dt>
      <dd>
        <StatusChip status={s.status} />
      </dd>
      <dt>Attempts</dt>
      <dd data-field="attempts">
        {s.attempts} (retries scheduled: {s.retry_count})
      </dd>
      <dt>Last error</dt>
      <dd data-field="last-error">
        {s.last_error ? (
          <span class="error">
            {s.last_error.tag}: {s.last_error.message}
            {s.last_error.retryable ? " (retryable)" : ""}
          </span>
        ) : (
          "none"
        )}
      </dd>
      <dt>Next retry</dt>
      <dd data-field="next-retry">
        <Time at={s.next_retry_at} />
      </dd>
      <dt>Started</dt>
      <dd>
        <Time at={s.started_at} />
      </dd>
      <dt>Finished</dt>
      <dd>
        <Time at={s.finished_at} />
      </dd>
      <dt>Counts</dt>
      <dd>
        {s.counts
          ? Object.entries(s.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(", ")
          : "—"}
      </dd>
    </dl>
  );
};

const History = (props: { state: PartitionStatus }) => (
  <StackTable columns={["Started", "Trigger", "Attempt", "Status", "Written", "Error"]}>
    {props.state.history.map((h) => (
      <tr>
        <td data-label="Started">
          <Time at={h.started_at} />
        </td>
        <td data-label="Trigger">{h.trigger}</td>
        <td data-label="Attempt">{h.attempt}</td>
        <td data-label="Status">
          <StatusChip status={h.status} />
        </td>
        <td data-label="Written">{h.counts?.written ?? "—"}</td>
        <td data-label="Error">{h.error ? `${h.error.tag}: ${h.error.message}` : ""}</td>
      </tr>
    ))}
  </StackTable>
);

const Captures = (props: { captures: ReadonlyArray<PartitionCapture> }) => (
  <StackTable
    id="captures"
    columns={["Capture id", "Captured", "Status", "Rows", "Output SHA-256"]}
  >
    {props.captures.map((c) => (
      <tr>
        <td data-label="Capture id">
          <code>{c.capture_id}</code>
        </td>
        <td data-label="Captured">
          <Time at={c.captured_at} />
        </td>
        <td data-label="Status">
          <StatusChip status={c.status} />
        </td>
        <td data-label="Rows">{c.row_count ?? "—"}</td>
        <td data-label="Output SHA-256">
          <code data-field="output-sha256">{outputHash(c.metadata) ?? "—"}</code>
        </td>
      </tr>
    ))}
  </StackTable>
);

const Quarantine = (props: PartitionProps["quarantine"]) =>
  props.total === 0 ? (
    <p class="muted">No quarantined records.</p>
  ) : (
    <>
      <p>
        {props.records.length} of {props.total.toLocaleString("en-US")} quarantined records:
      </p>
      <StackTable id="quarantine" columns={["Source", "Record", "Raw", "Reasons"]}>
        {props.records.map((q) => (
          <tr>
            <td data-label="Source">{q.source}</td>
            <td data-label="Record">{q.record_index}</td>
            <td data-label="Raw">
              <pre>
                {q.raw_record.length > 500 ? `${q.raw_record.slice(0, 500)}…` : q.raw_record}
              </pre>
            </td>
            <td data-label="Reasons">
              <ul>
                {q.reasons.map((r) => (
                  <li>{r}</li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </StackTable>
    </>
  );

/** The live part of the partition page. */
export const Partition = (props: PartitionProps) => (
  <>
    <h2>State</h2>
    {props.state ? (
      <State state={props.state} />
    ) : (
      <p class="muted">No actor has run this partition (the manifest below may still know it).</p>
    )}
    <h2>Anomalies</h2>
    {props.anomalies.length > 0 ? (
      <AnomalyTable anomalies={props.anomalies} canWrite={props.canWrite} back={props.back} />
    ) : (
      <p class="muted">No anomalies.</p>
    )}
    <h2>Quarantine</h2>
    <Quarantine {...props.quarantine} />
    <h2>Captures</h2>
    {props.captures.length > 0 ? (
      <Captures captures={props.captures} />
    ) : (
      <p class="muted">Never captured.</p>
    )}
    <h2>Run history</h2>
    {props.state && props.state.history.length > 0 ? (
      <History state={props.state} />
    ) : (
      <p class="muted">No runs recorded by the actor.</p>
    )}
  </>
);
