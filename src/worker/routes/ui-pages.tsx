/**
 * The status page's pages (read token): `/ui` overview, `/ui/pipelines/:pipeline` (the
 * partition grid), `/ui/partitions/:pipeline/:partition`, `/ui/anomalies`,
 * `/ui/dead-letters`, `/ui/operations`, `/ui/readiness`. Each decodes its query, runs one
 * query effect (`ui/queries.ts`) and renders; the refresh script gets the live part only.
 */

import { parseIsoDate } from "../../calendar/dates";
import { CATEGORIES } from "../../core/model/anomaly-vocabulary";
import { UnknownPipeline } from "../../core/model/errors";
import { RUN_RULES } from "../../core/pipeline/run-anomalies";
import { resolveRun } from "../../core/pipeline/runner";
import { SEVERITIES } from "../../core/store/anomalies";
import { listDeadLetters } from "../../core/store/dead-letters";
import { listOperations } from "../../core/store/operations";
import type { GridCursor } from "../../core/store/partition-grid";
import { listReadiness } from "../../core/store/readiness";
import { DETECTOR_ERROR } from "../../detectors/record";
import { DETECTORS } from "../../detectors/registry";
import { PIPELINES } from "../../domains/registry";
import {
  UI_ANOMALIES,
  UI_DEAD_LETTERS,
  UI_OPERATIONS,
  UI_OVERVIEW,
  UI_PARTITION,
  UI_PIPELINE,
  UI_READINESS,
} from "../api/pages";
import { runEffect } from "../hono-effect";
import { InvalidRequest } from "../http-errors";
import { anomalyFilters } from "../ui/anomaly-filters";
import * as Q from "../ui/queries";
import { page } from "../ui/render";
import { requirePageScope, uiError, uiRoutes } from "../ui/session";
import { AnomalyFilterForm, AnomalyTable } from "../ui/views/anomalies";
import { Grid, Legend } from "../ui/views/grid";
import { DeadLetters, Operations, ReadinessTable } from "../ui/views/lists";
import { Partition } from "../ui/views/partition";
import { Overview } from "../ui/views/summary";

const here = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

const dateParam = (name: string, value: string | undefined) => {
  if (value === undefined || value === "") return undefined;
  if (parseIsoDate(value) === undefined) {
    throw new InvalidRequest({ message: `${name} must be a date YYYY-MM-DD, got "${value}"` });
  }
  return value;
};

/** Rule names for the filter's suggestions: the detectors, and the other recorders' rules. */
const RULES = [
  ...new Set([
    ...DETECTORS.names(),
    "RECONCILIATION",
    "REFERENTIAL_INTEGRITY",
    "MONOTONIC_TIMESTAMPS",
    ...Object.values(RUN_RULES),
    DETECTOR_ERROR,
    "WORKFLOW_ERROR",
  ]),
];

/** What an action's redirect may announce (`?notice=`): fixed texts, never echoed input. */
const NOTICES: Readonly<Record<string, string>> = {
  retried: "Retried: the partition ran again and the dead letter is marked retried.",
  retry_failed: "Retried, but the run failed again: the dead letter stays open.",
  resolved: "Anomaly resolved.",
};

const Notice = (props: { code: string | undefined }) => {
  const text = props.code ? NOTICES[props.code] : undefined;
  return text ? (
    <p role="status" id="notice">
      {text}
    </p>
  ) : null;
};

export const uiPageRoutes = uiRoutes()
  .onError(uiError)
  .use("/ui/*", async (c, next) =>
    c.req.path === "/ui/login" || c.req.path === "/ui/logout"
      ? next()
      : requirePageScope("read")(c, next),
  )
  .on(UI_OVERVIEW.method, UI_OVERVIEW.path, async (c) => {
    const data = await runEffect(c.env, Q.overview);
    return page(c, {
      title: "Pipelines",
      section: "/ui",
      signedIn: true,
      head: <h1>Pipelines</h1>,
      live: (
        <>
          <Overview pipelines={data.pipelines} attention={data.attention} />
        </>
      ),
    });
  })
  .on(UI_PIPELINE.method, UI_PIPELINE.path, async (c) => {
    const name = c.req.param("pipeline");
    const pipeline = PIPELINES.get(name);
    if (!pipeline)
      throw new UnknownPipeline({ pipeline: name, message: `unknown pipeline "${name}"` });
    const daysText = c.req.query("days") ?? "14";
    const days = Number(daysText);
    if (!Number.isInteger(days) || days < 1 || days > 62) {
      throw new InvalidRequest({ message: `days must be an integer 1..62, got "${daysText}"` });
    }
    const before = dateParam("before", c.req.query("before"));
    const after = dateParam("after", c.req.query("after"));
    const cursor: GridCursor = before
      ? { kind: "before", date: before }
      : after
        ? { kind: "after", date: after }
        : { kind: "newest" };
    const grid = await runEffect(c.env, Q.pipelineGrid(pipeline, cursor, days));
    return page(c, {
      title: pipeline.name,
      section: "/ui",
      signedIn: true,
      head: (
        <>
          <h1>{pipeline.name}</h1>
          <p class="muted">{pipeline.description}</p>
          <Legend />
        </>
      ),
      live: (
        <>
          <Grid pipeline={pipeline.name} days={days} {...grid} />
        </>
      ),
    });
  })
  .on(UI_PARTITION.method, UI_PARTITION.path, async (c) => {
    const { pipeline, partitionKey } = await runEffect(
      c.env,
      resolveRun(PIPELINES, c.req.param("pipeline"), c.req.param("partition")),
    );
    const [state, records] = await Promise.all([
      c.env.ACTORS.partition(pipeline.name, partitionKey).status(),
      runEffect(c.env, Q.partitionRecords(pipeline, partitionKey)),
    ]);
    return page(c, {
      title: `${partitionKey} · ${pipeline.name}`,
      section: "/ui",
      signedIn: true,
      head: (
        <>
          <p>
            <a href={`/ui/pipelines/${encodeURIComponent(pipeline.name)}`}>{pipeline.name}</a>
          </p>
          <h1>{partitionKey}</h1>
          <Notice code={c.req.query("notice")} />
        </>
      ),
      live: (
        <>
          <Partition
            pipeline={pipeline.name}
            partition={partitionKey}
            state={state}
            {...records}
            canWrite={c.var.scope === "write"}
            back={here(c.req.url)}
          />
        </>
      ),
    });
  })
  .on(UI_ANOMALIES.method, UI_ANOMALIES.path, async (c) => {
    const { filter, form } = anomalyFilters((name) => c.req.query(name));
    const found = await runEffect(c.env, Q.anomalies(filter));
    return page(c, {
      title: "Anomalies",
      section: "/ui/anomalies",
      signedIn: true,
      head: (
        <>
          <h1>Anomalies</h1>
          <Notice code={c.req.query("notice")} />
          <AnomalyFilterForm
            filters={form}
            severities={SEVERITIES}
            categories={CATEGORIES}
            rules={RULES}
            pipelines={PIPELINES.names()}
          />
        </>
      ),
      live: (
        <>
          {found.length > 0 ? (
            <AnomalyTable
              anomalies={found}
              canWrite={c.var.scope === "write"}
              back={here(c.req.url)}
            />
          ) : (
            <p class="muted">No anomalies match.</p>
          )}
        </>
      ),
    });
  })
  .on(UI_DEAD_LETTERS.method, UI_DEAD_LETTERS.path, async (c) => {
    const status = c.req.query("status");
    if (status !== undefined && status !== "" && !["open", "retried"].includes(status)) {
      throw new InvalidRequest({ message: "status must be open or retried" });
    }
    const found = await runEffect(
      c.env,
      listDeadLetters({ ...(status ? { status } : {}), limit: 200 }),
    );
    return page(c, {
      title: "Dead letters",
      section: "/ui/dead-letters",
      signedIn: true,
      head: (
        <>
          <h1>Dead letters</h1>
          <Notice code={c.req.query("notice")} />
          <p>
            <a href="/ui/dead-letters?status=open">Open</a> ·{" "}
            <a href="/ui/dead-letters?status=retried">Retried</a> ·{" "}
            <a href="/ui/dead-letters">All</a>
          </p>
        </>
      ),
      live: (
        <>
          <DeadLetters
            deadLetters={found}
            canWrite={c.var.scope === "write"}
            back={here(c.req.url)}
          />
        </>
      ),
    });
  })
  .on(UI_OPERATIONS.method, UI_OPERATIONS.path, async (c) => {
    const ops = await runEffect(c.env, listOperations(20));
    return page(c, {
      title: "Backfills and replays",
      section: "/ui/operations",
      signedIn: true,
      head: <h1>Backfills and replays</h1>,
      live: (
        <>
          <Operations {...ops} />
        </>
      ),
    });
  })
  .on(UI_READINESS.method, UI_READINESS.path, async (c) => {
    const rows = await runEffect(c.env, listReadiness({ limit: 500 }));
    return page(c, {
      title: "Readiness",
      section: "/ui/readiness",
      signedIn: true,
      head: <h1>Readiness</h1>,
      refreshMs: 10_000,
      live: (
        <>
          <ReadinessTable rows={rows} />
        </>
      ),
    });
  });
