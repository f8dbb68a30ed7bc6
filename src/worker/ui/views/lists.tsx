/**
 * The list pages: dead letters (with Retry), backfills and replays (with progress bars), and
 * readiness.
 */
import type { DeadLetter } from "../../../core/store/dead-letters";
import type { Operation } from "../../../core/store/operations";
import type { ReadinessView as Readiness } from "../../../core/store/readiness";
import { ActionButton } from "./anomalies";
import { partitionHref, StackTable, StatusChip, Time } from "./layout";

/** Dead letters; open ones carry a Retry button for holders of the write token. */
export const DeadLetters = (props: {
  deadLetters: ReadonlyArray<DeadLetter>;
  canWrite: boolean;
  back: string;
}) =>
  props.deadLetters.length === 0 ? (
    <p class="muted">No dead letters.</p>
  ) : (
    <StackTable
      id="dead-letters"
      columns={["Status", "Partition", "Error", "Request", "Attempts", "Updated"]}
    >
      {props.deadLetters.map((d) => (
        <tr data-dead-letter={d.dead_letter_id}>
          <td data-label="Status" data-field="status">
            {d.status}{" "}
            {d.status !== "retried" && props.canWrite ? (
              <ActionButton
                id={`retry-${d.dead_letter_id}`}
                action={`/ui/dead-letters/${encodeURIComponent(d.dead_letter_id)}/retry`}
                back={props.back}
                label="Retry"
                describedBy={`err-${d.dead_letter_id}`}
              />
            ) : null}
          </td>
          <td data-label="Partition">
            <a href={partitionHref(d.pipeline, d.partition_key)}>
              {d.pipeline} {d.partition_key}
            </a>
          </td>
          <td data-label="Error" id={`err-${d.dead_letter_id}`}>
            {d.error_tag}: {d.error_message}
          </td>
          <td data-label="Request">
            <code>
              {d.request.method} {d.request.url}
            </code>
          </td>
          <td data-label="Attempts">{d.attempts}</td>
          <td data-label="Updated">
            <Time at={d.updated_at} />
          </td>
        </tr>
      ))}
    </StackTable>
  );

const OperationRow = (props: { op: Operation }) => {
  const op = props.op;
  const pct = op.total === 0 ? 100 : Math.round((100 * op.done) / op.total);
  return (
    <tr data-operation={op.operation_id}>
      <td data-label="Kind">{op.kind}</td>
      <td data-label="Id">
        <code>{op.operation_id}</code>
      </td>
      <td data-label="Pipeline">{op.pipeline}</td>
      <td data-label="Range">
        {op.start} to {op.end}
      </td>
      <td data-label="Progress">
        <progress
          id={`progress-${op.operation_id}`}
          max={op.total}
          value={op.done}
          aria-label={`${op.kind} ${op.operation_id}: ${op.done} of ${op.total} partitions`}
        >
          {pct}%
        </progress>{" "}
        {op.done}/{op.total}
        {op.failed > 0 ? <span class="error"> ({op.failed} failed)</span> : null}
      </td>
      <td data-label="Status">
        <StatusChip status={op.status} />
      </td>
      <td data-label="Updated">
        <Time at={op.updated_at} />
      </td>
    </tr>
  );
};

const OperationTable = (props: { ops: ReadonlyArray<Operation>; id: string }) => (
  <StackTable
    id={props.id}
    columns={["Kind", "Id", "Pipeline", "Range", "Progress", "Status", "Updated"]}
  >
    {props.ops.map((op) => (
      <OperationRow op={op} />
    ))}
  </StackTable>
);

/** Backfills and replays: in progress, then recently finished. */
export const Operations = (props: {
  running: ReadonlyArray<Operation>;
  finished: ReadonlyArray<Operation>;
}) => (
  <>
    <h2>In progress</h2>
    {props.running.length > 0 ? (
      <OperationTable ops={props.running} id="running" />
    ) : (
      <p class="muted">Nothing running.</p>
    )}
    <h2>Recently finished</h2>
    {props.finished.length > 0 ? (
      <OperationTable ops={props.finished} id="finished" />
    ) : (
      <p class="muted">None yet.</p>
    )}
  </>
);

/** Readiness rows, not-ready first. */
export const ReadinessTable = (props: { rows: ReadonlyArray<Readiness> }) => {
  const rows = [...props.rows].sort((a, b) => Number(a.is_ready) - Number(b.is_ready));
  const ready = rows.filter((r) => r.is_ready).length;
  return (
    <>
      <p>
        {ready} ready, {rows.length - ready} not ready.
      </p>
      <StackTable
        id="readiness"
        columns={["Week ending", "Domain", "Stage", "Partition", "Ready", "Checked"]}
      >
        {rows.map((r) => (
          <tr>
            <td data-label="Week ending">{r.week_ending || "—"}</td>
            <td data-label="Domain">{r.domain}</td>
            <td data-label="Stage">{r.stage}</td>
            <td data-label="Partition">{r.partition_key}</td>
            <td data-label="Ready">{r.is_ready ? "✓ ready" : "✗ not ready"}</td>
            <td data-label="Checked">
              <Time at={r.checked_at} />
            </td>
          </tr>
        ))}
      </StackTable>
    </>
  );
};
