/**
 * Serves the FINRA OTC transparency sample weekly files (`src/dev/finra-samples/`)
 * for the demo feed: `GET /otc-transparency/weekly/<week_ending>/<tier>.psv`. A week or tier
 * without a sample file is a 404, as FINRA answers for a week it has not published.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** Where the sample files live. */
export const FINRA_SAMPLES_DIR = fileURLToPath(
  new URL("../../dev/finra-samples/", import.meta.url),
);

const WEEKLY_PATH =
  /^\/otc-transparency\/weekly\/(\d{4}-\d{2}-\d{2})\/(NMS_TIER_1|NMS_TIER_2|OTCE)\.psv$/;

/** The response for a FINRA path, or undefined when `path` is not one. */
export const finraSampleResponse = async (path: string): Promise<Response | undefined> => {
  if (!path.startsWith("/otc-transparency/")) return undefined;
  const match = WEEKLY_PATH.exec(path);
  if (match === null) {
    return Response.json({ status: "NOT_FOUND", message: "Not found" }, { status: 404 });
  }
  try {
    const body = await readFile(`${FINRA_SAMPLES_DIR}${match[1]}_${match[2]}.psv`);
    return new Response(body, {
      status: 200,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  } catch {
    return Response.json(
      { status: "NOT_FOUND", message: `no FINRA weekly file for ${match[1]} ${match[2]}` },
      { status: 404 },
    );
  }
};
