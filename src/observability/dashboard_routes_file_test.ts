import assert from "node:assert/strict";
import { Dashboard } from "./dashboard.ts";
import { ChainMetrics } from "./chain_metrics.ts";
import { handle } from "./http_server.ts";
import { Readiness } from "./readiness.ts";
import { dashboardHtml } from "./dashboard_page.ts";
import type { DashboardData, RoutesFileView } from "./dashboard_model.ts";

async function look(routesFile?: () => RoutesFileView): Promise<DashboardData> {
  const metrics = new ChainMetrics();
  const dashboard = new Dashboard({
    metrics,
    registry: new Map(),
    lagSampler: () => Promise.resolve({ rows: [] }),
    routesFile,
  });
  try {
    const options = { metrics, readiness: new Readiness(), pages: dashboard.pages() };
    return await (await handle(new Request("http://x/api/dashboard"), options)).json() as DashboardData;
  } finally {
    await dashboard.stop();
  }
}

Deno.test("/api/dashboard carries how the live routes differ from the routes file, read on each look", async () => {
  let view: RoutesFileView = { path: "/etc/routes.json", differences: [], apply: null };
  const source = () => view;
  assert.deepEqual((await look(source)).routesFile, view);
  view = {
    path: "/etc/routes.json",
    differences: [{ workerName: "a", kind: "disabled", line: "disabled a: s1 (route-a)" }],
    apply: "chain routes apply /etc/routes.json",
  };
  assert.deepEqual((await look(source)).routesFile, view);
  assert.equal((await look()).routesFile, null, "no file to compare with");
});

Deno.test("the page has a hidden notice for routes that differ from the file, filled as text", () => {
  const html = dashboardHtml();
  assert.match(html, /<section id="routes-file" class="drift" hidden>/);
  assert.match(html, /<ul id="routes-file-lines">/);
  assert.match(html, /renderRoutesFile\(data\.routesFile\)/);
  assert.match(html, /\$\("routes-file-apply"\)\.textContent = file\.apply/);
});
