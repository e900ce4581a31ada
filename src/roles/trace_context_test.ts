/**
 * The W3C trace context across the roles, with the in-memory fakes: the publisher starts a trace per order, the
 * command center forwards the record's `traceparent` continued by a span of its own, service-1's output to the
 * inbox carries its span, and service-2 uses the router's span as parent. The trace id goes into the metadata
 * rows. Without a tracer provider no span is made, yet the header still goes from hop to hop.
 */
import assert from "node:assert/strict";
import { routeBatch } from "./command_center.ts";
import { validateBatch } from "./service_1.ts";
import { fulfilBatch } from "./service_2.ts";
import { noProgress, publish } from "./publisher.ts";
import { inRecord, MemorySink } from "../testing/memory_kafka.ts";
import { MemoryRoutingLog } from "../testing/memory_routing_log.ts";
import { MemoryOrderStore } from "../testing/memory_order_store.ts";
import { RecordingMailer } from "../testing/recording_mailer.ts";
import { RecordingTracerProvider } from "../testing/recording_tracer.ts";
import { silentTracer } from "../testing/silent_tracer.ts";
import type { Route, RouteRegistry } from "../routing/route_registry.ts";
import type { InRecord, RecordBatch } from "../messaging/records.ts";
import { encodeEnvelope, KEY_ID_HEADER, sealWithKeyring } from "../envelope/envelope.ts";
import { parseKey } from "../envelope/aes_gcm.ts";
import { Keyring } from "../envelope/keyring.ts";
import { createLogger } from "../logging/pino_logger.ts";
import { HopTracer } from "../tracing/spans.ts";
import { formatTraceparent, parseTraceparent, type TraceContext } from "../tracing/traceparent.ts";

const registry: RouteRegistry = new Map<string, Route>([
  ["initial-publisher", { workerName: "initial-publisher", targetTopic: "s1", enabled: true, routeId: "r1" }],
  ["service-1-publisher", {
    workerName: "service-1-publisher",
    targetTopic: "s2",
    enabled: true,
    routeId: "r2",
  }],
]);
const routerOptions = { dlqTopic: "dlq", maxMessageBytes: 65536, recordLimitBytes: 131072 };
const keyring = new Keyring(new Map([["k1", await parseKey("5".repeat(64))]]), "k1");
const logger = createLogger("silent", {});
const order = {
  orderId: "o-1",
  userId: "u-1",
  email: "u-1@example.com",
  amount: 12.5,
  items: [{ sku: "sku-001", quantity: 1, price: 12.5 }],
};
const incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

function batchOf(topic: string, records: Omit<InRecord, "topic" | "partition">[]): RecordBatch {
  return { topic, partition: 0, records: records.map((r) => ({ ...r, topic, partition: 0 })) };
}

function withHeaders(
  record: Omit<InRecord, "topic" | "partition">,
  headers: Record<string, string>,
): Omit<InRecord, "topic" | "partition"> {
  return { ...record, headers: { ...record.headers, ...headers } };
}

function header(record: { headers?: Readonly<Record<string, string | undefined>> }): TraceContext {
  const context = parseTraceparent(record.headers?.traceparent);
  assert.ok(context, `a valid traceparent header, got ${record.headers?.traceparent}`);
  return context;
}

async function sealed(workerName: string) {
  const s = await sealWithKeyring(keyring, crypto.randomUUID(), workerName, order);
  return { id: s.envelope.request_id, value: encodeEnvelope(s.envelope), keyId: s.keyId };
}

const noTracer = silentTracer();

Deno.test("the command center forwards the traceparent continued: same trace id, its own new span id", async () => {
  const sink = new MemorySink();
  const routingLog = new MemoryRoutingLog();
  const a = await sealed("initial-publisher");
  const batch = batchOf("inbox", [
    withHeaders(inRecord(0, a.value, a.id), {
      traceparent: incoming,
      tracestate: "vendor=abc",
      [KEY_ID_HEADER]: a.keyId,
    }),
  ]);
  await routeBatch(batch, { sink, routingLog, registry, tracer: noTracer }, routerOptions, {
    forwarded: 0,
    deadLettered: 0,
  });
  const [forward] = sink.on("s1");
  assert.equal(forward.value, batch.records[0].value, "the value is untouched");
  const out = header(forward);
  assert.equal(out.traceId, "0af7651916cd43dd8448eb211c80319c");
  assert.notEqual(out.spanId, "b7ad6b7169203331", "the router's hop has a span id of its own");
  assert.equal(out.flags, 1);
  assert.equal(forward.headers?.tracestate, "vendor=abc");
  assert.equal(forward.headers?.[KEY_ID_HEADER], a.keyId, "other headers go on as before");
  assert.deepEqual(routingLog.rows.map((r) => r.traceId), ["0af7651916cd43dd8448eb211c80319c"]);
});

Deno.test("an invalid or missing traceparent starts a new trace at the router and fails no message", async () => {
  const sink = new MemorySink();
  const routingLog = new MemoryRoutingLog();
  const records = [];
  for (const bad of ["00-nonsense", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", undefined]) {
    const s = await sealed("initial-publisher");
    const r = inRecord(records.length, s.value, s.id);
    records.push(bad === undefined ? r : withHeaders(r, { traceparent: bad, tracestate: "dropped=1" }));
  }
  records.push(inRecord(records.length, "not json", "x"));
  await routeBatch(
    batchOf("inbox", records),
    { sink, routingLog, registry, tracer: noTracer },
    routerOptions,
    {
      forwarded: 0,
      deadLettered: 0,
    },
  );
  const forwards = sink.on("s1");
  assert.equal(forwards.length, 3, "every well-formed message is forwarded");
  const traces = forwards.map((f) => header(f).traceId);
  assert.equal(new Set(traces).size, 3, "each gets a trace of its own");
  assert.ok(!traces.includes("0af7651916cd43dd8448eb211c80319c"));
  for (const f of forwards) {
    assert.equal(f.headers?.tracestate, undefined, "no tracestate without its parent");
  }
  assert.equal(sink.on("dlq").length, 1);
  assert.deepEqual(routingLog.rows.map((r) => r.traceId).slice(0, 3), traces);
  assert.match(routingLog.rows[3].traceId ?? "", /^[0-9a-f]{32}$/, "a dead-lettered hop has a trace id too");
});

Deno.test("service-1's output to the inbox carries a traceparent of its span, in the router's trace", async () => {
  const sink = new MemorySink();
  const s = await sealed("initial-publisher");
  const fromRouter = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  await validateBatch(
    batchOf("s1", [
      withHeaders(inRecord(0, s.value, s.id), { traceparent: fromRouter, [KEY_ID_HEADER]: "k1" }),
    ]),
    { sink, keyring, logger, now: () => new Date(), tracer: noTracer },
    { inboxTopic: "inbox", dlqTopic: "s1-dlq", maxMessageBytes: 65536, recordLimitBytes: 131072 },
    { valid: 0, invalid: 0, deadLettered: 0 },
  );
  const [out] = sink.on("inbox");
  const context = header(out);
  assert.equal(context.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert.notEqual(context.spanId, "00f067aa0ba902b7");
  assert.equal(out.headers?.[KEY_ID_HEADER], "k1");
});

Deno.test("one trace id from the publisher to service-2, one span per hop, each the child of the last", async () => {
  const provider = new RecordingTracerProvider();
  const tracer = new HopTracer(provider);
  const sink = new MemorySink();
  const routingLog = new MemoryRoutingLog();
  const stats = { forwarded: 0, deadLettered: 0 };
  await publish(
    [{ order }],
    {
      sink,
      keyring,
      logger,
      printIds: () => Promise.resolve(),
      progress: noProgress,
      sleep: () => Promise.resolve(),
      now: () => 0,
      tracer,
    },
    { inboxTopic: "inbox", rate: 0, batchSize: 10 },
    new AbortController().signal,
  );
  const published = sink.records("inbox");
  await routeBatch(batchOf("inbox", published), { sink, routingLog, registry, tracer }, routerOptions, stats);
  await validateBatch(
    batchOf("s1", sink.records("s1")),
    { sink, keyring, logger, now: () => new Date(), tracer },
    { inboxTopic: "inbox", dlqTopic: "s1-dlq", maxMessageBytes: 65536, recordLimitBytes: 131072 },
    { valid: 0, invalid: 0, deadLettered: 0 },
  );
  const fromService1 = sink.records("inbox").slice(published.length);
  await routeBatch(
    batchOf("inbox", fromService1),
    { sink, routingLog, registry, tracer },
    routerOptions,
    stats,
  );
  const store = new MemoryOrderStore();
  await fulfilBatch(
    batchOf("s2", sink.records("s2")),
    { sink, keyring, store, mailer: new RecordingMailer(), logger, tracer },
    { dlqTopic: "s2-dlq", maxMessageBytes: 65536, recordLimitBytes: 131072 },
    { fulfilled: 0, rejected: 0, repeated: 0, deadLettered: 0 },
  );

  const headers = [published[0], sink.on("s1")[0], fromService1[0], sink.on("s2")[0]].map(header);
  const traceId = headers[0].traceId;
  for (const h of headers) assert.equal(h.traceId, traceId);
  assert.equal(new Set(headers.map((h) => h.spanId)).size, 4, "each hop writes its own span id");

  assert.deepEqual(provider.spans.map((s) => s.name), ["publish", "route", "validate", "route", "fulfil"]);
  for (const span of provider.spans) {
    assert.equal(span.context.traceId, traceId);
    assert.ok(span.ended, `${span.name} ended`);
  }
  // Each header names the span of the hop that wrote it, and the next hop's span is its child.
  assert.equal(provider.spans[0].parent, undefined, "the publisher starts the trace");
  for (let i = 0; i < 4; i++) {
    assert.equal(provider.spans[i].context.spanId, headers[i].spanId);
    assert.equal(provider.spans[i + 1].parent?.spanId, headers[i].spanId);
  }
  const requestId = String(published[0].key && new TextDecoder().decode(published[0].key));
  assert.deepEqual(provider.spans.map((s) => s.attributes.outcome), [
    "published",
    "forwarded",
    "valid",
    "forwarded",
    "fulfilled",
  ]);
  for (const span of provider.spans) {
    assert.equal(span.attributes.request_id, requestId);
    for (const name of Object.keys(span.attributes)) {
      assert.ok(["request_id", "worker_name", "route_id", "topic", "outcome"].includes(name), name);
    }
  }
  assert.deepEqual(provider.spans.map((s) => s.attributes.route_id), [
    undefined,
    "r1",
    undefined,
    "r2",
    undefined,
  ]);
  assert.deepEqual(routingLog.rows.map((r) => [r.routeId, r.traceId]), [["r1", traceId], ["r2", traceId]]);
  assert.equal(formatTraceparent(headers[3]), sink.on("s2")[0].headers?.traceparent);
});
