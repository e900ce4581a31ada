import assert from "node:assert/strict";
import {
  bucketStart,
  bucketStarts,
  parseDuration,
  percentile,
  retentionStats,
  type StatsSample,
  WindowAccumulator,
  windowStats,
} from "./route_stats.ts";

const WEEK_MS = 7 * 86_400_000;
const at = new Date("2026-11-25T10:00:00.000Z");

function sample(processingTimeMs: number, success = true): StatsSample {
  return { routedAt: at, success, processingTimeMs };
}

Deno.test("parseDuration() reads s, m, h and d up to the limit and refuses anything else", () => {
  assert.equal(parseDuration("90s", WEEK_MS), 90_000);
  assert.equal(parseDuration("15m", WEEK_MS), 900_000);
  assert.equal(parseDuration("2h", WEEK_MS), 7_200_000);
  assert.equal(parseDuration("7d", WEEK_MS), WEEK_MS);
  for (const bad of ["", "15", "m", "1.5h", "-1m", "15 m", "1w", "0s", "8d", "169h"]) {
    assert.throws(() => parseDuration(bad, WEEK_MS), RangeError, bad);
  }
});

Deno.test("bucketStarts() lists every ten-minute bucket overlapping the window, oldest first", () => {
  const width = 600_000;
  assert.equal(
    bucketStart(Date.parse("2026-11-25T10:19:59.999Z"), width),
    Date.parse("2026-11-25T10:10:00Z"),
  );
  assert.equal(
    bucketStart(Date.parse("2026-11-25T10:20:00.000Z"), width),
    Date.parse("2026-11-25T10:20:00Z"),
  );
  assert.deepEqual(
    bucketStarts(Date.parse("2026-11-25T10:05:00Z"), Date.parse("2026-11-25T10:20:00Z"), width).map((d) =>
      d.toISOString()
    ),
    ["2026-11-25T10:00:00.000Z", "2026-11-25T10:10:00.000Z", "2026-11-25T10:20:00.000Z"],
  );
  // A week of ten-minute buckets, whatever the time of day: 1,008 whole ones and the one in progress.
  assert.equal(bucketStarts(at.getTime() - WEEK_MS + 1, at.getTime() + 1, width).length, 1009);
});

Deno.test("percentile() is the nearest rank: always one of the values", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 0.5), 50);
  assert.equal(percentile(sorted, 0.99), 99);
  assert.equal(percentile(sorted, 1), 100);
  assert.equal(percentile([7], 0.5), 7);
  assert.equal(percentile([7], 0.99), 7);
  assert.equal(percentile([1, 2], 0.5), 1);
  assert.equal(percentile([1, 2], 0.99), 2);
  assert.equal(percentile([], 0.5), null);
});

Deno.test("windowStats() counts hops and successes and takes percentiles of unsorted times", () => {
  // 30 hops, 3 failed; times 1..30 ms in a shuffled order.
  const times = Array.from({ length: 30 }, (_, i) => ((i * 7) % 30) + 1);
  const stats = windowStats(times.map((t, i) => sample(t, i % 10 !== 0)));
  assert.deepEqual(stats, { count: 30, succeeded: 27, failed: 3, successRate: 0.9, p50Ms: 15, p99Ms: 30 });
  assert.deepEqual(windowStats([]), {
    count: 0,
    succeeded: 0,
    failed: 0,
    successRate: null,
    p50Ms: null,
    p99Ms: null,
  });
});

Deno.test("WindowAccumulator grows past its first buffer without losing a value", () => {
  const accumulator = new WindowAccumulator();
  for (let i = 5000; i >= 1; i--) accumulator.add(sample(i / 10));
  const stats = accumulator.result();
  assert.equal(stats.count, 5000);
  assert.equal(stats.p50Ms, 250);
  assert.equal(stats.p99Ms, 495);
});

Deno.test("retentionStats() sums the buckets and dates the oldest row's expiry from its TTL, else routed_at", () => {
  const now = new Date("2026-11-25T12:00:00.000Z");
  const oldest = new Date("2026-11-20T08:00:00.000Z");
  assert.deepEqual(retentionStats([0, 3, 0, 4], { routedAt: oldest, ttlSeconds: 3600 }, 604_800, now), {
    rows: 7,
    oldestRoutedAt: oldest,
    oldestExpiresAt: new Date("2026-11-25T13:00:00.000Z"),
  });
  assert.deepEqual(retentionStats([2], { routedAt: oldest, ttlSeconds: null }, 604_800, now), {
    rows: 2,
    oldestRoutedAt: oldest,
    oldestExpiresAt: new Date("2026-11-27T08:00:00.000Z"),
  });
  assert.deepEqual(retentionStats([0, 0], undefined, 604_800, now), { rows: 0 });
});
