/**
 * `GET /`: the public summary. Per pipeline, partitions by the status of their latest
 * capture, from `core_partition_counts`: counts only, no keys, errors or names of clients.
 */
import { HOME } from "../api/pages";
import { runEffect } from "../hono-effect";
import * as Q from "../ui/queries";
import { page } from "../ui/render";
import { uiError, uiRoutes } from "../ui/session";
import { PublicHead, PublicSummary } from "../ui/views/summary";

export const homeRoutes = uiRoutes()
  .onError(uiError)
  .on(HOME.method, HOME.path, async (c) => {
    const pipelines = await runEffect(c.env, Q.pipelineSummaries);
    return page(c, {
      title: "Status",
      signedIn: false,
      refreshMs: 10_000,
      head: <PublicHead />,
      live: (
        <>
          <PublicSummary pipelines={pipelines} />
        </>
      ),
    });
  });
