/**
 * A hop tracer that makes no spans, whatever provider the process registered: for unit tests of the roles that
 * do not look at spans (those that do pass a HopTracer over recording_tracer.ts).
 *
 * @module
 */
import { ProxyTracerProvider } from "@opentelemetry/api";
import { HopTracer } from "../tracing/spans.ts";

/** A tracer that only parses and writes `traceparent` (a fresh, unregistered provider is the API's no-op). */
export function silentTracer(): HopTracer {
  return new HopTracer(new ProxyTracerProvider());
}
