import assert from "node:assert/strict";
import { CountingTracker, rowsNamed } from "./counting_tracker.ts";
import { RequestCounts } from "../observability/request_counts.ts";

Deno.test("rowsNamed() is one row per statement, or one per key of a bound IN list", () => {
  assert.equal(rowsNamed(["a", 1, new Uint8Array(3)]), 1);
  assert.equal(rowsNamed([new Date(), ["a", "b", "c"]]), 3);
  assert.equal(rowsNamed([[]]), 1);
  assert.equal(rowsNamed(null), 1);
});

Deno.test("CountingTracker counts executes, batches and the rows they read or write, failed ones too", () => {
  const counts = new RequestCounts();
  const tracker = new CountingTracker(counts);
  tracker.onSuccess({}, "SELECT x FROM t WHERE k IN ?", [["a", "b"]]);
  tracker.onSuccess({}, "INSERT INTO t (k) VALUES (?)", ["a"]);
  tracker.onSuccess({}, [{ query: "INSERT …", params: ["a"] }, {
    query: "UPDATE … IN ?",
    params: [1, ["b", "c"]],
  }], null);
  tracker.onError({}, "UPDATE t SET v = ? WHERE k = ?", [1, "a"]);
  assert.deepEqual(counts.snapshot(), {
    requests: { "cassandra execute": 3, "cassandra batch": 1 },
    rows: { read: 2, written: 5 },
  });
});
