import assert from "node:assert/strict";
import { routeBatch, type RouterStats, runCommandCenter } from "./command_center.ts";
import { inRecord, MemorySink, MemorySource } from "../testing/memory_kafka.ts";
import { MemoryRoutingLog } from "../testing/memory_routing_log.ts";
import type { Route, RouteRegistry } from "../routing/route_registry.ts";
import { encodeEnvelope, type Envelope } from "../envelope/envelope.ts";
import { deadLetterHeader } from "../messaging/dead_letter.ts";
import { createLogger } from "../logging/pino_logger.ts";
import { silentTracer } from "../testing/silent_tracer.ts";

const registry: RouteRegistry = new Map<string, Route>([
  ["initial-publisher", { workerName: "initial-publisher", targetTopic: "s1", enabled: true, routeId: "r1" }],
  ["service-1-publisher", {
    workerName: "service-1-publisher",
    targetTopic: "s2",
    enabled: true,
    routeId: "r2",
  }],
  ["old-publisher", { workerName: "old-publisher", targetTopic: "s2", enabled: false, routeId: "r-old" }],
]);
const options = { dlqTopic: "dlq", maxMessageBytes: 4096, recordLimitBytes: 8192 };
const logger = createLogger("silent", {});
const tracer = silentTracer();

function envelope(workerName: string, requestId: string = crypto.randomUUID()): Envelope {
  return {
    request_id: requestId,
    worker_name: workerName,
    data: "AAAA",
    iv: "AAAAAAAAAAAAAAAA",
    tag: "AAAAAAAAAAAAAAAAAAAAAA==",
  };
}

function fresh() {
  return {
    sink: new MemorySink(),
    routingLog: new MemoryRoutingLog(),
    registry,
    stats: { forwarded: 0, deadLettered: 0 },
  };
}

Deno.test("routeBatch() forwards each envelope byte for byte, with its key, to its route's topic", async () => {
  const { sink, routingLog, stats } = fresh();
  const a = encodeEnvelope(envelope("initial-publisher"));
  const b = encodeEnvelope(envelope("service-1-publisher"));
  const batch = {
    topic: "inbox",
    partition: 0,
    records: [inRecord(5, a, "k1"), inRecord(6, b, "k2")].map((r) => ({
      ...r,
      topic: "inbox",
      partition: 0,
    })),
  };
  await routeBatch(batch, { sink, routingLog, registry, tracer }, options, stats);
  assert.deepEqual(sink.sent.map((r) => r.topic), ["s1", "s2"]);
  assert.equal(sink.sent[0].value, batch.records[0].value, "the very same bytes");
  assert.deepEqual(sink.sent[0].key, new TextEncoder().encode("k1"));
  // No header came in, so the only one going out is the router's new trace (src/roles/trace_context_test.ts).
  assert.deepEqual(Object.keys(sink.sent[0].headers ?? {}), ["traceparent"]);
  assert.deepEqual(stats, { forwarded: 2, deadLettered: 0 } satisfies RouterStats);
  assert.deepEqual(
    routingLog.rows.map((r) => [r.workerName, r.sourceTopic, r.targetTopic, r.routeId, r.success]),
    [
      ["initial-publisher", "inbox", "s1", "r1", true],
      ["service-1-publisher", "inbox", "s2", "r2", true],
    ],
  );
  assert.deepEqual(routingLog.rows.map((r) => r.reason), [undefined, undefined]);
});

Deno.test("routeBatch() sends unknown, disabled and malformed messages to the dead-letter topic with reasons", async () => {
  const { sink, routingLog, stats } = fresh();
  const unknown = envelope("mystery");
  const disabled = envelope("old-publisher");
  const records = [
    inRecord(1, encodeEnvelope(unknown), unknown.request_id),
    inRecord(2, encodeEnvelope(disabled), disabled.request_id),
    inRecord(3, "not json", "x"),
    inRecord(4, null, "tombstone"),
  ].map((r) => ({ ...r, topic: "inbox", partition: 2 }));
  await routeBatch(
    { topic: "inbox", partition: 2, records },
    { sink, routingLog, registry, tracer },
    options,
    stats,
  );
  assert.deepEqual(sink.sent.map((r) => r.topic), ["dlq", "dlq", "dlq", "dlq"]);
  assert.deepEqual(sink.sent.map((r) => r.headers?.[deadLetterHeader.reason]), [
    "unknown_worker",
    "route_disabled",
    "malformed",
    "malformed",
  ]);
  assert.deepEqual(sink.sent.map((r) => r.headers?.[deadLetterHeader.sourceOffset]), ["1", "2", "3", "4"]);
  assert.equal(sink.sent[2].value, records[2].value, "the bad message itself is kept");
  assert.deepEqual(stats, { forwarded: 0, deadLettered: 4 });
  assert.equal(routingLog.rows.length, 4);
  assert.ok(routingLog.rows.every((r) => r.success === false && r.targetTopic === "dlq" && r.reason));
  assert.equal(routingLog.rows[0].requestId, unknown.request_id);
  assert.equal(routingLog.rows[1].routeId, "r-old");
  assert.equal(routingLog.rows[2].requestId, "invalid:inbox/2/3");
});

Deno.test("routeBatch() logs nothing when the forward is not acknowledged, so the replay logs once", async () => {
  const { sink, routingLog, stats } = fresh();
  sink.failNext = 1;
  const records = [inRecord(1, encodeEnvelope(envelope("initial-publisher")))].map((r) => ({
    ...r,
    topic: "inbox",
    partition: 0,
  }));
  await assert.rejects(
    routeBatch(
      { topic: "inbox", partition: 0, records },
      { sink, routingLog, registry, tracer },
      options,
      stats,
    ),
  );
  assert.equal(routingLog.rows.length, 0);
  await routeBatch(
    { topic: "inbox", partition: 0, records },
    { sink, routingLog, registry, tracer },
    options,
    stats,
  );
  assert.equal(routingLog.rows.length, 1);
  assert.equal(sink.sent.length, 1);
});

Deno.test("runCommandCenter() routes everything the source hands it and commits only acknowledged batches", async () => {
  const source = new MemorySource()
    .push("inbox", 0, [inRecord(0, encodeEnvelope(envelope("initial-publisher")))])
    .push("inbox", 1, [inRecord(0, "{}"), inRecord(1, encodeEnvelope(envelope("service-1-publisher")))]);
  const sink = new MemorySink();
  sink.failNext = 1;
  const routingLog = new MemoryRoutingLog();
  const stats = await runCommandCenter(
    { source, sink, routingLog, registry, logger, tracer },
    options,
    new AbortController().signal,
  );
  assert.deepEqual(stats, { forwarded: 2, deadLettered: 1 });
  assert.equal(source.committed.length, 2);
  assert.equal(source.failures.length, 1, "the failed produce was retried");
  assert.equal(routingLog.rows.length, 3);
});

Deno.test("routeBatch() files a malformed or oversize message under its own valid request_id, so trace finds it", async () => {
  const { sink, routingLog, stats } = fresh();
  const id = crypto.randomUUID();
  const badIv = encodeEnvelope({ ...envelope("initial-publisher", id), iv: "AAAA" });
  const huge = encodeEnvelope({ ...envelope("initial-publisher", id), data: "A".repeat(5000) });
  const records = [inRecord(1, badIv), inRecord(2, huge)].map((r) => ({
    ...r,
    topic: "inbox",
    partition: 0,
  }));
  await routeBatch(
    { topic: "inbox", partition: 0, records },
    { sink, routingLog, registry, tracer },
    options,
    stats,
  );
  assert.deepEqual(sink.sent.map((r) => r.headers?.[deadLetterHeader.reason]), ["malformed", "oversize"]);
  assert.deepEqual(routingLog.rows.map((r) => r.requestId), [id, id]);
});

Deno.test("routeBatch() dead-letters in reduced form what would not fit the dead-letter topic, and moves on", async () => {
  const { sink, routingLog, stats } = fresh();
  const tight = { ...options, maxMessageBytes: 6000, recordLimitBytes: 6100 };
  const nearLimit = encodeEnvelope({ ...envelope("unknown-worker"), data: "A".repeat(5800) });
  const next = encodeEnvelope(envelope("initial-publisher"));
  const records = [inRecord(7, nearLimit), inRecord(8, next)].map((r) => ({
    ...r,
    topic: "inbox",
    partition: 1,
  }));
  await routeBatch(
    { topic: "inbox", partition: 1, records },
    { sink, routingLog, registry, tracer },
    tight,
    stats,
  );
  assert.deepEqual(sink.sent.map((r) => r.topic), ["dlq", "s1"]);
  assert.equal(sink.sent[0].value, "", "the value is left out");
  assert.equal(sink.sent[0].headers?.[deadLetterHeader.reason], "unknown_worker");
  assert.equal(sink.sent[0].headers?.[deadLetterHeader.sourceOffset], "7");
  assert.match(sink.sent[0].headers?.[deadLetterHeader.reduced] ?? "", /left out/);
  assert.deepEqual(stats, { forwarded: 1, deadLettered: 1 });
});
