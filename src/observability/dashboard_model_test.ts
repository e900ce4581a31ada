import assert from "node:assert/strict";
import {
  type Bucket,
  bucketDelta,
  buildDashboard,
  histogramQuantile,
  type MetricsSnapshot,
  ratePerSecond,
  SnapshotHistory,
} from "./dashboard_model.ts";
import type { Route } from "../routing/route_registry.ts";
import type { TopicLag } from "../lag/lag_status.ts";

const T0 = 1_700_000_000_000;

/** Cumulative buckets from per-bucket counts over the bounds 0.001, 0.002, 0.005, +Inf. */
function buckets(...counts: number[]): Bucket[] {
  const bounds = [0.001, 0.002, 0.005, Infinity];
  let total = 0;
  return bounds.map((le, i) => ({ le, count: total += counts[i] ?? 0 }));
}

function snapshot(at: number, parts: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return { at, received: 0, forwarded: {}, deadLettered: {}, processing: {}, ...parts };
}

Deno.test("ratePerSecond() is the counter's increase per second, a drop counting as none", () => {
  assert.equal(ratePerSecond(100, 150, 2000), 25);
  assert.equal(ratePerSecond(100, 100, 500), 0);
  assert.equal(ratePerSecond(150, 100, 1000), 0);
  assert.throws(() => ratePerSecond(0, 1, 0), RangeError);
});

Deno.test("histogramQuantile() interpolates inside the bucket the rank falls in, as histogram_quantile does", () => {
  // 100 observations: 50 at or below 1 ms, 40 in (1, 2] ms, 10 in (2, 5] ms.
  const h = buckets(50, 40, 10);
  assert.equal(histogramQuantile(0.5, h), 0.001, "rank 50 is the top of the first bucket");
  assert.ok(Math.abs(histogramQuantile(0.25, h)! - 0.0005) < 1e-12, "the first bucket starts at 0");
  // rank 95: 5 of the 10 in (2, 5] → 2 + 3 × 0.5 = 3.5 ms
  assert.ok(Math.abs(histogramQuantile(0.95, h)! - 0.0035) < 1e-12);
  assert.equal(histogramQuantile(1, h), 0.005);
  assert.equal(histogramQuantile(0.95, buckets()), null, "empty");
  assert.equal(histogramQuantile(0.95, []), null, "no buckets");
  // A rank in +Inf answers the largest finite bound.
  assert.equal(histogramQuantile(0.95, buckets(1, 0, 0, 99)), 0.005);
  // Empty buckets before the rank are skipped.
  assert.ok(Math.abs(histogramQuantile(0.5, buckets(0, 0, 10))! - 0.0035) < 1e-12);
  assert.throws(() => histogramQuantile(1.5, buckets(1)), RangeError);
});

Deno.test("bucketDelta() subtracts bucket by bucket, so a window's quantile is its own", () => {
  const before = buckets(100, 0, 0);
  const after = buckets(100, 0, 3);
  assert.deepEqual(bucketDelta(after, before).map((b) => b.count), [0, 0, 3, 3]);
  assert.deepEqual(bucketDelta(after, undefined), after);
  // All-time p95 sits in the first bucket; the window's in (2, 5] ms.
  assert.ok(histogramQuantile(0.95, after)! <= 0.002);
  assert.ok(histogramQuantile(0.95, bucketDelta(after, before))! > 0.002);
});

Deno.test("SnapshotHistory answers the oldest snapshot of the window at least minSpan old, else the newest older", () => {
  const history = new SnapshotHistory(10_000, 1_000);
  assert.equal(history.record(snapshot(T0)), undefined, "first look: no baseline");
  assert.equal(history.record(snapshot(T0 + 500)), undefined, "too recent to measure against");
  assert.equal(history.record(snapshot(T0 + 2_000))?.at, T0);
  assert.equal(history.record(snapshot(T0 + 4_000))?.at, T0);
  assert.equal(history.record(snapshot(T0 + 12_000))?.at, T0 + 2_000, "T0 fell out of the window");
  // A page that looks rarely: nothing in the window, the newest older snapshot is used.
  assert.equal(history.record(snapshot(T0 + 60_000))?.at, T0 + 12_000);
  assert.ok(history.size <= 3, `kept ${history.size}`);
  // Looks closer than a quarter of minSpan apart keep one snapshot.
  const busy = new SnapshotHistory(10_000, 1_000);
  for (let i = 0; i < 100; i++) busy.record(snapshot(T0 + i * 10));
  assert.equal(busy.size, 4);
});

const routes: Route[] = [
  { workerName: "initial-publisher", targetTopic: "s1", enabled: true, routeId: "to-s1" },
  { workerName: "service-1-publisher", targetTopic: "s2", enabled: false, routeId: "to-s2" },
];

const lagRow: TopicLag = {
  group: "command-center",
  topic: "inbox",
  partitions: 3,
  totalLag: 7,
  worst: { partition: 1, lag: 5 },
  lagSeconds: 1.5,
  lagSecondsFrom: "rate",
  status: "FALLING_BEHIND",
  byPartition: [],
};

Deno.test("buildDashboard() gives per-route rates, success ratio and p95, dead letters by reason, lag and failures", () => {
  const baseline = snapshot(T0, {
    received: 100,
    forwarded: { "to-s1": 90 },
    deadLettered: { unknown_worker: 10 },
    processing: { "to-s1": buckets(90) },
  });
  const current = snapshot(T0 + 2_000, {
    received: 160,
    forwarded: { "to-s1": 140, "retired": 5 },
    deadLettered: { unknown_worker: 14, route_disabled: 6 },
    processing: { "to-s1": buckets(90, 40, 10) },
  });
  const failure = {
    at: new Date(T0).toISOString(),
    requestId: "550e8400-e29b-41d4-a716-446655440000",
    workerName: "nobody",
    routeId: "",
    reason: "unknown_worker",
    detail: 'no route for worker_name "nobody"',
  };
  const data = buildDashboard({
    current,
    baseline,
    routes,
    failedByRoute: new Map([["to-s2", 6]]),
    lag: { sampledAt: new Date(T0).toISOString(), error: null, rows: [lagRow] },
    failures: [failure],
  });
  assert.equal(data.windowSeconds, 2);
  assert.deepEqual(data.totals, {
    received: 160,
    forwarded: 145,
    deadLettered: 20,
    successRatio: 145 / 165,
    forwardedPerSecond: (145 - 90) / 2,
    deadLetteredPerSecond: 5,
  });
  const [s1, s2] = data.routes;
  assert.equal(s1.routeId, "to-s1");
  assert.equal(s1.forwarded, 140);
  assert.equal(s1.perSecond, 25);
  assert.equal(s1.successRatio, 1);
  // The window saw 40 in (1, 2] ms and 10 in (2, 5] ms: rank 47.5 → 2 + 3 × 7.5/10 = 4.25 ms
  assert.ok(Math.abs(s1.p95RecentMs! - 4.25) < 1e-9, String(s1.p95RecentMs));
  // Since start, 140: rank 133 → 2 + 3 × 3/10 = 2.9 ms
  assert.ok(Math.abs(s1.p95Ms! - 2.9) < 1e-9, String(s1.p95Ms));
  assert.deepEqual(
    { ...s2 },
    {
      workerName: "service-1-publisher",
      routeId: "to-s2",
      targetTopic: "s2",
      enabled: false,
      forwarded: 0,
      perSecond: 0,
      failed: 6,
      successRatio: 0,
      p95RecentMs: null,
      p95Ms: null,
    },
  );
  assert.deepEqual(data.deadLetters, [
    { reason: "unknown_worker", count: 14, perSecond: 2 },
    { reason: "route_disabled", count: 6, perSecond: 3 },
  ]);
  assert.equal(data.lag.rows.length, 1);
  assert.equal(data.lag.rows[0].status, "FALLING_BEHIND");
  assert.ok(!("byPartition" in data.lag.rows[0]), "the page gets the topic's figures only");
  assert.deepEqual(data.failures, [failure]);
});

Deno.test("buildDashboard() without a baseline shows counts and no rates", () => {
  const data = buildDashboard({
    current: snapshot(T0, { forwarded: { "to-s1": 3 } }),
    routes,
    failedByRoute: new Map(),
    lag: { sampledAt: null, error: null, rows: [] },
    failures: [],
  });
  assert.equal(data.windowSeconds, null);
  assert.equal(data.totals.forwardedPerSecond, null);
  assert.equal(data.routes[0].perSecond, null);
  assert.equal(data.routes[0].p95Ms, null, "no histogram yet");
  assert.equal(data.routes[1].successRatio, null, "no hop yet");
  assert.equal(data.totals.successRatio, 1);
});
