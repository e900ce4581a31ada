import assert from "node:assert/strict";
import { formatTrace, type Hop, mergeReplays } from "./trace_query.ts";

const delivered: Hop = {
  routedAt: new Date("2026-11-25T10:00:00.000Z"),
  workerName: "initial-publisher",
  sourceTopic: "inbox",
  targetTopic: "s1",
  routeId: "to-s1",
  success: true,
  processingTimeMs: 0.4167,
};

Deno.test("formatTrace() writes one line per hop with time, worker, topics, route, outcome and ms", () => {
  const failed: Hop = {
    routedAt: new Date("2026-11-25T10:00:00.120Z"),
    workerName: "nobody",
    sourceTopic: "inbox",
    targetTopic: "command-center-dlq",
    routeId: "",
    success: false,
    processingTimeMs: 0.1,
    reason: "unknown_worker",
  };
  assert.equal(
    formatTrace([delivered, failed], "r-1"),
    [
      "2026-11-25T10:00:00.000Z  initial-publisher  inbox → s1  to-s1  ok  0.42 ms",
      "2026-11-25T10:00:00.120Z  nobody  inbox → command-center-dlq  -  FAILED: unknown_worker  0.10 ms",
    ].join("\n"),
  );
});

Deno.test("formatTrace() says when a failed hop has no reason", () => {
  const line = formatTrace([{ ...delivered, success: false }], "r-1");
  assert.ok(line.endsWith("  FAILED: no reason recorded  0.42 ms"), line);
});

Deno.test("formatTrace() of no hops names the request and the 7-day expiry", () => {
  assert.equal(formatTrace([], "r-1"), "no hops recorded for r-1 (rows expire after 7 days)");
});

Deno.test("formatTrace() names the trace id once, on a first line, when the hops carry one", () => {
  const traceId = "0af7651916cd43dd8448eb211c80319c";
  const lines = formatTrace([{ ...delivered, traceId }, { ...delivered, workerName: "s1", traceId }], "r-1")
    .split("\n");
  assert.equal(lines.length, 3);
  assert.equal(lines[0], `trace_id ${traceId}`);
  assert.ok(lines[1].startsWith("2026-11-25T10:00:00.000Z  initial-publisher"), lines[1]);
  const two = formatTrace([{ ...delivered, traceId }, { ...delivered, traceId: "f".repeat(32) }], "r-1");
  assert.equal(two.split("\n")[0], `trace_id ${traceId}, ${"f".repeat(32)}`);
});

Deno.test("mergeReplays() puts a dead letter's replay among the hops in time order, and formatTrace() shows it", () => {
  const dead: Hop = {
    ...delivered,
    targetTopic: "command-center-dlq",
    success: false,
    reason: "route_disabled: the route is disabled",
  };
  const after: Hop = { ...delivered, routedAt: new Date("2026-11-25T11:00:00.500Z") };
  const hops = mergeReplays([dead, after], [{
    key: "r-1",
    replayedAt: new Date("2026-11-25T11:00:00.000Z"),
    actor: "ana",
    dlqTopic: "command-center-dlq",
    dlqPartition: 0,
    dlqOffset: "4",
    dlqTimestamp: 0,
    reason: "route_disabled",
    targetTopic: "inbox",
  }]);
  assert.deepEqual(hops.map((h) => h.routedAt.toISOString()), [
    "2026-11-25T10:00:00.000Z",
    "2026-11-25T11:00:00.000Z",
    "2026-11-25T11:00:00.500Z",
  ]);
  assert.equal(
    formatTrace(hops, "r-1").split("\n")[1],
    "2026-11-25T11:00:00.000Z  chain dlq replay  command-center-dlq → inbox  -  " +
      "replayed command-center-dlq/0/4 (reason route_disabled) by ana  -",
  );
});
