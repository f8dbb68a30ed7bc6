/**
 * The route tables match the app: every route in `app.routes` is in the README's table and in
 * docs/api.md (the status page's `/ui` routes in docs/status-page.md), and the README names no
 * route the app does not have.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { app } from "../../src/worker/app";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

const ROUTES = [
  ...new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`)),
];
const isPage = (route: string) => / \/ui(\/|$)/.test(route);

/** Whether the Markdown names the route in code: `GET /path`, then a quote, query or space. */
const names = (markdown: string, route: string) =>
  new RegExp(`\`${route.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[\`?\\s]`).test(markdown);

describe("route tables", () => {
  it("the app has the routes this test expects to see", () => {
    expect(ROUTES).toEqual(expect.arrayContaining(["GET /health", "POST /runs", "GET /ui"]));
  });

  it("README and docs/api.md list every API route", () => {
    const readme = read("README.md");
    const api = read("docs/api.md");
    const apiRoutes = ROUTES.filter((route) => !isPage(route));
    expect(apiRoutes.filter((route) => !names(readme, route))).toEqual([]);
    expect(apiRoutes.filter((route) => !names(api, route))).toEqual([]);
  });

  it("docs/status-page.md lists every page route", () => {
    const page = read("docs/status-page.md");
    expect(ROUTES.filter(isPage).filter((route) => !names(page, route))).toEqual([]);
  });

  it("the README's table names no route the app lacks", () => {
    const listed = [...read("README.md").matchAll(/^\| `(GET|POST) (\/[^`?]*)/gm)].map(
      ([, method, path]) => `${method} ${path}`,
    );
    expect(listed.length).toBeGreaterThan(20);
    expect(listed.filter((route) => !route.includes("…") && !ROUTES.includes(route))).toEqual([]);
  });
});
