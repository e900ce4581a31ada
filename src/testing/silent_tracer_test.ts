import assert from "node:assert/strict";
import { trace } from "@opentelemetry/api";
import { RecordingTracerProvider } from "./recording_tracer.ts";
import { silentTracer } from "./silent_tracer.ts";
import { parseTraceparent } from "../tracing/traceparent.ts";

Deno.test("silentTracer() makes no span even while a real provider is registered globally", () => {
  const provider = new RecordingTracerProvider();
  assert.ok(trace.setGlobalTracerProvider(provider));
  try {
    const tracer = silentTracer();
    assert.equal(tracer.recording, false);
    const hop = tracer.start("route", undefined);
    hop.end({ outcome: "forwarded" });
    assert.equal(provider.spans.length, 0);
    assert.ok(
      parseTraceparent(`00-${hop.context.traceId}-${hop.context.spanId}-01`),
      "it still makes a context",
    );
  } finally {
    trace.disable();
  }
});
