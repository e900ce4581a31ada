import assert from "node:assert/strict";
import { formatDuration, formatStatsJson, formatStatsTable } from "./stats_report.ts";
import type { RouteStats } from "./route_stats.ts";

const context = { sinceMs: 900_000, now: new Date("2026-11-25T10:15:00.000Z"), ttlSeconds: 604_800 };
const stats: RouteStats[] = [
  {
    routeId: "route-publisher-to-service1",
    window: { count: 30, succeeded: 27, failed: 3, successRate: 0.9, p50Ms: 1.2, p99Ms: 4.5 },
    retention: {
      rows: 1234,
      oldestRoutedAt: new Date("2026-11-18T10:20:00.000Z"),
      oldestExpiresAt: new Date("2026-11-25T10:20:00.000Z"),
    },
  },
  {
    routeId: "-",
    window: { count: 0, succeeded: 0, failed: 0, successRate: null, p50Ms: null, p99Ms: null },
    retention: { rows: 0 },
  },
];

Deno.test("formatDuration() uses the largest unit that divides the duration", () => {
  assert.equal(formatDuration(900_000), "15m");
  assert.equal(formatDuration(7_200_000), "2h");
  assert.equal(formatDuration(604_800_000), "7d");
  assert.equal(formatDuration(90_000), "90s");
});

Deno.test("formatStatsTable() prints a header and one aligned line per route, - where there is nothing", () => {
  assert.equal(
    formatStatsTable(stats, context),
    [
      "hops of the last 15m, until 2026-11-25T10:15:00.000Z; rows are kept 7d",
      "route                        hops  success  p50 ms  p99 ms  kept rows  oldest expires",
      "route-publisher-to-service1    30   90.0 %    1.20    4.50       1234  2026-11-25T10:20:00.000Z",
      "-                               0        -       -       -          0  -",
    ].join("\n"),
  );
});

Deno.test("formatStatsJson() carries the same figures, null where there is nothing", () => {
  assert.deepEqual(JSON.parse(formatStatsJson(stats, context)), {
    sinceMs: 900_000,
    until: "2026-11-25T10:15:00.000Z",
    ttlSeconds: 604_800,
    routes: [
      {
        routeId: "route-publisher-to-service1",
        count: 30,
        succeeded: 27,
        failed: 3,
        successRate: 0.9,
        p50Ms: 1.2,
        p99Ms: 4.5,
        keptRows: 1234,
        oldestRoutedAt: "2026-11-18T10:20:00.000Z",
        oldestExpiresAt: "2026-11-25T10:20:00.000Z",
      },
      {
        routeId: "-",
        count: 0,
        succeeded: 0,
        failed: 0,
        successRate: null,
        p50Ms: null,
        p99Ms: null,
        keptRows: 0,
        oldestRoutedAt: null,
        oldestExpiresAt: null,
      },
    ],
  });
});
