/**
 * A tracer provider for unit tests: it keeps every span it makes (name, options, parent, attributes, status), in
 * the shape `npm:@opentelemetry/api` describes, so tests can check hop spans without Deno's OTLP exporter.
 *
 * @module
 */
import {
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  trace,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { newSpanId, newTraceId } from "../tracing/traceparent.ts";

/** One span as the provider saw it. */
export interface RecordedSpan {
  name: string;
  options: SpanOptions;
  /** The span context of the parent it was started under, if any. */
  parent: SpanContext | undefined;
  /** The span's own ids. */
  context: SpanContext;
  attributes: Record<string, unknown>;
  /** The status code set, if any (2 = error). */
  status?: number;
  ended: boolean;
}

/** Makes recording spans and keeps them in {@link spans}. */
export class RecordingTracerProvider implements TracerProvider {
  readonly spans: RecordedSpan[] = [];

  getTracer(): Tracer {
    const spans = this.spans;
    const startSpan = (name: string, options: SpanOptions = {}, context?: Context): Span => {
      const parent = context ? trace.getSpanContext(context) : undefined;
      const own: SpanContext = {
        traceId: options.root || !parent ? newTraceId() : parent.traceId,
        spanId: newSpanId(),
        traceFlags: parent?.traceFlags ?? 1,
      };
      const r: RecordedSpan = {
        name,
        options,
        parent,
        context: own,
        attributes: { ...options.attributes },
        ended: false,
      };
      spans.push(r);
      const span = {
        spanContext: () => own,
        setAttributes: (a: Record<string, unknown>) => {
          Object.assign(r.attributes, a);
          return span;
        },
        setStatus: (s: { code: number }) => {
          r.status = s.code;
          return span;
        },
        end: () => {
          r.ended = true;
        },
        isRecording: () => true,
      };
      return span as unknown as Span;
    };
    return { startSpan } as unknown as Tracer;
  }
}
