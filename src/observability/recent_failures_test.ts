import assert from "node:assert/strict";
import { FailureTap, RecentFailures } from "./recent_failures.ts";
import type { RoutingRow } from "../routing/routing_log.ts";
import { MemoryRoutingLog } from "../testing/memory_routing_log.ts";

function row(i: number, parts: Partial<RoutingRow> = {}): RoutingRow {
  return {
    requestId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    workerName: "nobody",
    sourceTopic: "inbox",
    targetTopic: "dlq",
    routeId: "",
    success: false,
    processingTimeMs: 1,
    routedAt: new Date(1_700_000_000_000 + i),
    reason: `unknown_worker: no route for worker_name "nobody"`,
    sourcePartition: 0,
    sourceOffset: String(i),
    ...parts,
  };
}

Deno.test("RecentFailures keeps the newest failures, newest first, reason and detail apart", () => {
  const failures = new RecentFailures(3);
  assert.deepEqual(failures.list(), []);
  for (let i = 1; i <= 5; i++) failures.add(row(i));
  failures.add(row(6, { success: true, reason: undefined }));
  const list = failures.list();
  assert.deepEqual(list.map((f) => f.requestId.slice(-1)), ["5", "4", "3"]);
  assert.equal(list[0].reason, "unknown_worker");
  assert.equal(list[0].detail, 'no route for worker_name "nobody"');
  assert.equal(list[0].at, new Date(1_700_000_000_005).toISOString());
});

Deno.test("RecentFailures counts a disabled route's failed hops under its route id", () => {
  const failures = new RecentFailures();
  failures.add(row(1, { routeId: "to-s1", reason: "route_disabled: route to-s1 is disabled" }));
  failures.add(row(2, { routeId: "to-s1", reason: "route_disabled: route to-s1 is disabled" }));
  failures.add(row(3));
  assert.deepEqual([...failures.failedByRoute], [["to-s1", 2]]);
});

Deno.test("FailureTap hands every row on and notes the failed ones", async () => {
  const inner = new MemoryRoutingLog();
  const failures = new RecentFailures();
  const tap = new FailureTap(inner, failures);
  tap.log(row(1, { success: true, reason: undefined, routeId: "to-s1" }));
  tap.log(row(2));
  assert.equal(inner.rows.length, 2);
  assert.equal(failures.list().length, 1);
  assert.deepEqual(tap.stats(), inner.stats());
  await tap.close(100);
});
