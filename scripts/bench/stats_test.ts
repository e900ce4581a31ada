import assert from "node:assert/strict";
import { median, percentile, summarise } from "./stats.ts";

Deno.test("percentile() uses the nearest rank", () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(samples, 50), 50);
  assert.equal(percentile(samples, 99), 99);
  assert.equal(percentile(samples, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

Deno.test("median() takes the middle, or the mean of the middle two", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

Deno.test("summarise() reports count, p50, p95, p99 and max", () => {
  const s = summarise(Array.from({ length: 1000 }, (_, i) => i + 1));
  assert.deepEqual(s, { count: 1000, p50: 500, p95: 950, p99: 990, max: 1000 });
});
