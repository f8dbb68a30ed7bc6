/**
 * Anomalies: filters (severity, category, rule, pipeline, unresolved) and a table whose unresolved
 * rows carry a Resolve button for holders of the write token.
 */
import type { AnomalyView } from "../../../core/store/anomalies";
import { partitionHref, StackTable, Time } from "./layout";

export interface AnomalyFilters {
  readonly severity: string;
  readonly category: string;
  readonly rule: string;
  readonly pipeline: string;
  readonly unresolved: boolean;
}

/** The filter form; a plain GET form, so the filtered page has its own URL. */
export const AnomalyFilterForm = (props: {
  filters: AnomalyFilters;
  severities: ReadonlyArray<string>;
  categories: ReadonlyArray<string>;
  rules: ReadonlyArray<string>;
  pipelines: ReadonlyArray<string>;
}) => (
  <form class="filters" method="get" action="/ui/anomalies">
    <div>
      <label for="f-severity">Severity at least</label>
      <select id="f-severity" name="severity">
        <option value="">any</option>
        {props.severities.map((s) => (
          <option value={s} selected={props.filters.severity === s}>
            {s}
          </option>
        ))}
      </select>
    </div>
    <div>
      <label for="f-category">Category</label>
      <select id="f-category" name="category">
        <option value="">any</option>
        {props.categories.map((k) => (
          <option value={k} selected={props.filters.category === k}>
            {k}
          </option>
        ))}
      </select>
    </div>
    <div>
      <label for="f-rule">Rule</label>
      <input
        id="f-rule"
        name="rule"
        list="rules"
        value={props.filters.rule}
        autocomplete="off"
        size={18}
      />
      <datalist id="rules">
        {props.rules.map((r) => (
          <option value={r} />
        ))}
      </datalist>
    </div>
    <div>
      <label for="f-pipeline">Pipeline</label>
      <select id="f-pipeline" name="pipeline">
        <option value="">any</option>
        {props.pipelines.map((p) => (
          <option value={p} selected={props.filters.pipeline === p}>
            {p}
          </option>
        ))}
      </select>
    </div>
    <div>
      <label>
        <input type="checkbox" name="unresolved" value="true" checked={props.filters.unresolved} />{" "}
        Unresolved only
      </label>
    </div>
    <button type="submit">Filter</button>
  </form>
);

/** A form that POSTs to `action` and comes back to `back`. */
export const ActionButton = (props: {
  id: string;
  action: string;
  back: string;
  label: string;
  describedBy?: string;
}) => (
  <form class="inline" method="post" action={props.action}>
    <input type="hidden" name="back" value={props.back} />
    <button id={props.id} type="submit" aria-describedby={props.describedBy}>
      {props.label}
    </button>
  </form>
);

/** Anomalies as a table; `canWrite` shows Resolve on unresolved rows. */
export const AnomalyTable = (props: {
  anomalies: ReadonlyArray<AnomalyView>;
  canWrite: boolean;
  back: string;
}) => (
  <StackTable
    id="anomalies"
    columns={["Detected", "Severity", "Rule", "Partition", "Message", "Resolved"]}
  >
    {props.anomalies.map((a) => (
      <tr data-anomaly={a.anomaly_id}>
        <td data-label="Detected">
          <Time at={a.detected_at} />
        </td>
        <td data-label="Severity">{a.severity}</td>
        <td data-label="Rule">{a.rule}</td>
        <td data-label="Partition">
          {a.pipeline ? (
            <a href={partitionHref(a.pipeline, a.partition_key)}>{a.partition_key}</a>
          ) : (
            a.partition_key
          )}
        </td>
        <td data-label="Message" id={`msg-${a.anomaly_id}`}>
          {a.message}
        </td>
        <td data-label="Resolved" data-field="resolved">
          {a.resolved_at ? (
            <Time at={a.resolved_at} />
          ) : props.canWrite ? (
            <ActionButton
              id={`resolve-${a.anomaly_id}`}
              action={`/ui/anomalies/${encodeURIComponent(a.anomaly_id)}/resolve`}
              back={props.back}
              label="Resolve"
              describedBy={`msg-${a.anomaly_id}`}
            />
          ) : (
            "open"
          )}
        </td>
      </tr>
    ))}
  </StackTable>
);
