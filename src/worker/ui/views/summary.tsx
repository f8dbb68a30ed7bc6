/**
 * The public summary (`GET /`: per pipeline, partitions by status, nothing else) and the
 * signed-in overview (`/ui`: the same with links, plus what needs attention).
 */
import { StatusChips } from "./layout";

/** One pipeline's line of the summary. */
export interface PipelineSummary {
  readonly name: string;
  readonly description: string;
  readonly counts: Readonly<Record<string, number>>;
}

const total = (counts: Readonly<Record<string, number>>) =>
  Object.values(counts).reduce((a, b) => a + b, 0);

const plural = (n: number, one: string, many: string) =>
  `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

const PipelineCards = (props: { pipelines: ReadonlyArray<PipelineSummary>; linked: boolean }) => (
  <div class="cards">
    {props.pipelines.map((p) => (
      <section class="card" aria-labelledby={`p-${p.name}`} data-pipeline={p.name}>
        <h2 id={`p-${p.name}`}>
          {props.linked ? (
            <a href={`/ui/pipelines/${encodeURIComponent(p.name)}`}>{p.name}</a>
          ) : (
            p.name
          )}
        </h2>
        <p class="muted">
          {plural(total(p.counts), "partition", "partitions")} · {p.description}
        </p>
        <StatusChips counts={p.counts} />
      </section>
    ))}
  </div>
);

/** `GET /`: counts only. */
export const PublicSummary = (props: { pipelines: ReadonlyArray<PipelineSummary> }) => (
  <PipelineCards pipelines={props.pipelines} linked={false} />
);

/** The heading of `GET /`, outside the live region. */
export const PublicHead = () => (
  <>
    <h1>Pipelines</h1>
    <p class="muted">
      Partitions of each pipeline by the status of their latest capture. <a href="/ui">Sign in</a>{" "}
      for the partitions themselves.
    </p>
  </>
);

/** What needs an operator's eye, counted. */
export interface Attention {
  readonly unresolvedAnomalies: number;
  readonly openDeadLetters: number;
  readonly operationsRunning: number;
}

/** `/ui`: the pipelines with links to their grids, and counts that need attention. */
export const Overview = (props: {
  pipelines: ReadonlyArray<PipelineSummary>;
  attention: Attention;
}) => (
  <>
    <ul class="chips" aria-label="Needs attention">
      <li>
        <a href="/ui/anomalies?unresolved=true">
          {plural(
            props.attention.unresolvedAnomalies,
            "unresolved anomaly",
            "unresolved anomalies",
          )}
        </a>
        {props.attention.unresolvedAnomalies >= 1000 ? " (at least)" : ""}
      </li>
      <li>
        <a href="/ui/dead-letters?status=open">
          {plural(props.attention.openDeadLetters, "open dead letter", "open dead letters")}
        </a>
        {props.attention.openDeadLetters >= 1000 ? " (at least)" : ""}
      </li>
      <li>
        <a href="/ui/operations">
          {plural(props.attention.operationsRunning, "backfill or replay", "backfills and replays")}{" "}
          running
        </a>
      </li>
    </ul>
    <PipelineCards pipelines={props.pipelines} linked={true} />
  </>
);
