import assert from "node:assert/strict";
import { Dashboard, readSnapshot } from "./dashboard.ts";
import { ChainMetrics } from "./chain_metrics.ts";
import { handle } from "./http_server.ts";
import { Readiness } from "./readiness.ts";
import { dashboardHtml, REFRESH_MS } from "./dashboard_page.ts";
import type { DashboardData } from "./dashboard_model.ts";
import type { Route } from "../routing/route_registry.ts";
import { NoRoutingLog } from "../routing/routing_log.ts";

const route: Route = { workerName: "initial-publisher", targetTopic: "s1", enabled: true, routeId: "to-s1" };

Deno.test("readSnapshot() reads the counters and the histogram's cumulative buckets from prom-client", async () => {
  const metrics = new ChainMetrics();
  metrics.received.inc({ topic: "inbox" }, 7);
  metrics.forwarded.inc({ route_id: "to-s1" }, 5);
  metrics.deadLettered.inc({ reason: "malformed" }, 2);
  for (const s of [0.0004, 0.0004, 0.003, 0.003, 9]) metrics.processing.observe({ route_id: "to-s1" }, s);
  const snapshot = await readSnapshot(metrics, 42);
  assert.equal(snapshot.at, 42);
  assert.equal(snapshot.received, 7);
  assert.deepEqual(snapshot.forwarded, { "to-s1": 5 });
  assert.deepEqual(snapshot.deadLettered, { malformed: 2 });
  const buckets = snapshot.processing["to-s1"];
  assert.deepEqual(buckets[0], { le: 0.0005, count: 2 });
  assert.deepEqual(buckets.find((b) => b.le === 0.005), { le: 0.005, count: 4 });
  assert.deepEqual(buckets.at(-1), { le: Infinity, count: 5 });
});

Deno.test("the dashboard's pages: the HTML on / and /dashboard, the figures on /api/dashboard", async () => {
  const metrics = new ChainMetrics();
  let now = 1_700_000_000_000;
  const registry = new Map([[route.workerName, route]]);
  const dashboard = new Dashboard({
    metrics,
    registry,
    lagSampler: () => Promise.resolve({ rows: [] }),
    now: () => now,
  });
  const log = dashboard.tap(new NoRoutingLog());
  const options = { metrics, readiness: new Readiness(), pages: dashboard.pages() };
  try {
    for (const path of ["/", "/dashboard"]) {
      const page = await handle(new Request(`http://x${path}`), options);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type")!, /^text\/html/);
      assert.match(await page.text(), /<svg id="graph"/);
    }
    const first = await (await handle(new Request("http://x/api/dashboard"), options))
      .json() as DashboardData;
    assert.equal(first.routes[0].forwarded, 0);
    assert.equal(first.totals.forwardedPerSecond, null);

    metrics.forwarded.inc({ route_id: "to-s1" }, 10);
    log.log({
      requestId: "550e8400-e29b-41d4-a716-446655440000",
      workerName: "nobody",
      sourceTopic: "inbox",
      targetTopic: "dlq",
      routeId: "",
      success: false,
      processingTimeMs: 1,
      routedAt: new Date(now),
      reason: 'unknown_worker: no route for worker_name "nobody"',
      sourcePartition: 0,
      sourceOffset: "3",
    });
    now += 2_000;
    const response = await handle(new Request("http://x/api/dashboard"), options);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const second = await response.json() as DashboardData;
    assert.equal(second.routes[0].forwarded, 10);
    assert.equal(second.routes[0].perSecond, 5);
    assert.equal(second.failures[0].requestId, "550e8400-e29b-41d4-a716-446655440000");
    assert.equal(second.failures[0].reason, "unknown_worker");
    assert.ok(dashboard.lag.running, "a look starts the lag sampling");

    // A route added live shows on the next look.
    registry.set("b", { workerName: "b", targetTopic: "s2", enabled: true, routeId: "to-s2" });
    const third = await (await handle(new Request("http://x/api/dashboard"), options))
      .json() as DashboardData;
    assert.deepEqual(third.routes.map((r) => r.routeId), ["to-s1", "to-s2"]);
  } finally {
    await dashboard.stop();
  }
});

Deno.test("the page is self-contained: inline style and script, no external resource, refreshes from the API", () => {
  const html = dashboardHtml();
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<style>/);
  assert.match(html, /fetch\("\/api\/dashboard"/);
  assert.match(html, new RegExp(`var REFRESH_MS = ${REFRESH_MS};`));
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, "nothing loaded from elsewhere");
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, "no URL but the SVG namespace");
  assert.doesNotMatch(html, /innerHTML/, "values go in as text");
});

Deno.test("the dashboard samples the dead-letter topics while viewed and serves their counts, none without a sampler", async () => {
  const metrics = new ChainMetrics();
  const registry = new Map([[route.workerName, route]]);
  const row = { topic: "cc-dlq", reason: "route_disabled", count: 3, replayable: 2, replayed: 1 };
  let samples = 0;
  const dashboard = new Dashboard({
    metrics,
    registry,
    lagSampler: () => Promise.resolve({ rows: [] }),
    deadLetterSampler: () => {
      samples++;
      return Promise.resolve({ rows: [row] });
    },
  });
  const plain = new Dashboard({ metrics, registry, lagSampler: () => Promise.resolve({ rows: [] }) });
  try {
    assert.equal(samples, 0, "nothing read before anyone looks");
    await dashboard.data(); // the first look starts the sampling
    const second = await dashboard.data();
    assert.deepEqual(second.deadLetterTopics?.rows, [row]);
    assert.equal(samples, 1, "one read per 30 s, not per look");
    assert.equal((await plain.data()).deadLetterTopics, null);
    assert.match(dashboardHtml(), /<table id="dead-letter-topics"/);
  } finally {
    await dashboard.stop();
    await plain.stop();
  }
});
