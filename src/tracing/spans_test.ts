import assert from "node:assert/strict";
import { trace } from "@opentelemetry/api";
import { HopTracer, isRecordingProvider } from "./spans.ts";
import { formatTraceparent } from "./traceparent.ts";
import { RecordingTracerProvider as RecordingProvider } from "../testing/recording_tracer.ts";

const incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

Deno.test("without a registered provider the tracer makes no spans yet still continues the trace", () => {
  assert.equal(isRecordingProvider(trace.getTracerProvider()), false, "tests run without OTEL_DENO");
  const tracer = new HopTracer();
  assert.equal(tracer.recording, false);
  const hop = tracer.start("route", incoming, { request_id: "r" });
  assert.equal(hop.context.traceId, "0af7651916cd43dd8448eb211c80319c");
  assert.notEqual(hop.context.spanId, "b7ad6b7169203331");
  hop.end({ outcome: "forwarded" });
  const root = tracer.start("publish", undefined);
  assert.match(formatTraceparent(root.context), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
});

Deno.test("with a provider each hop is a span, child of the incoming header, with ids and outcome only", () => {
  const provider = new RecordingProvider();
  const tracer = new HopTracer(provider);
  assert.equal(tracer.recording, true);
  const hop = tracer.start("validate", incoming, { request_id: "r-1", worker_name: "w", topic: "s1" }, 1234);
  hop.end({ outcome: "valid" });
  const [span] = provider.spans;
  assert.equal(span.name, "validate");
  assert.equal(span.options.startTime, 1234);
  assert.deepEqual(span.parent, {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: 1,
    isRemote: true,
  });
  assert.deepEqual(span.attributes, { request_id: "r-1", worker_name: "w", topic: "s1", outcome: "valid" });
  assert.ok(span.ended);
  assert.equal(span.status, undefined);
  assert.deepEqual(hop.context, { traceId: span.context.traceId, spanId: span.context.spanId, flags: 1 });
  assert.equal(hop.context.traceId, "0af7651916cd43dd8448eb211c80319c");
});

Deno.test("with a provider an invalid header starts a root span, and a failed hop is an error", () => {
  const provider = new RecordingProvider();
  const tracer = new HopTracer(provider);
  const hop = tracer.start("route", "00-not-a-traceparent", { request_id: "r-2" });
  hop.end({ outcome: "dead_letter:malformed" }, true);
  const [span] = provider.spans;
  assert.equal(span.parent, undefined);
  assert.equal(span.options.root, true);
  assert.equal(span.status, 2, "SpanStatusCode.ERROR");
  assert.equal(hop.context.traceId, span.context.traceId);
});
