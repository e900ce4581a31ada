/**
 * One OpenTelemetry span per hop of a request, through `npm:@opentelemetry/api`. Under `OTEL_DENO=true` Deno
 * registers its own tracer provider with that API and exports the spans over OTLP (to
 * `OTEL_EXPORTER_OTLP_ENDPOINT`); otherwise the API's provider is the no-op one, and then no span object is made
 * at all: a hop only continues the W3C trace context in its Kafka header (a few string operations, see
 * traceparent.ts), so the trace id still goes from hop to hop and into the metadata log.
 *
 * Span attributes are ids and outcomes only, never a payload: `request_id`, `worker_name`, `route_id`, `topic`,
 * `outcome`.
 *
 * @module
 */
import {
  type Attributes,
  type Context,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { childOf, newTrace, parseTraceparent, type TraceContext } from "./traceparent.ts";

/** What a hop span may say about its hop. Ids, topics and outcomes only. */
export interface HopAttributes {
  request_id?: string;
  worker_name?: string;
  route_id?: string;
  topic?: string;
  outcome?: string;
}

/** The hop names, one span each. */
export type HopName = "publish" | "route" | "validate" | "fulfil";

/** A hop in progress. */
export interface HopSpan {
  /** The context this hop passes on: its trace id and its own span id (`traceparent` of the records it writes). */
  readonly context: TraceContext;
  /** True when the hop continued a valid incoming `traceparent`; false when it started a new trace. */
  readonly continued: boolean;
  /** Ends the hop, adding `attributes`; `failed` marks the span's status as an error. */
  end(attributes?: HopAttributes, failed?: boolean): void;
}

const noEnd = () => {};

/** True when `provider` is a real one (Deno's under `OTEL_DENO=true`), not the API's no-op default. */
export function isRecordingProvider(provider: TracerProvider): boolean {
  if (!(provider instanceof ProxyTracerProvider)) return true;
  // An unset global provider is a proxy whose delegate is the API's shared no-op provider.
  return provider.getDelegate() !== new ProxyTracerProvider().getDelegate();
}

const kinds: Record<HopName, SpanKind> = {
  publish: SpanKind.PRODUCER,
  route: SpanKind.CONSUMER,
  validate: SpanKind.CONSUMER,
  fulfil: SpanKind.CONSUMER,
};

/**
 * Starts hop spans. The wiring (src/app/launch.ts) makes one per process over the global provider and passes it
 * to the role; tests pass their own (src/testing: silent_tracer.ts, or one over recording_tracer.ts).
 */
export class HopTracer {
  readonly #tracer: Tracer | undefined;

  /** `provider` defaults to the API's global one; a no-op provider makes this tracer make no spans. */
  constructor(provider: TracerProvider = trace.getTracerProvider(), version?: string) {
    this.#tracer = isRecordingProvider(provider) ? provider.getTracer("chain", version) : undefined;
  }

  /** Whether spans are made (a real tracer provider is registered). */
  get recording(): boolean {
    return this.#tracer !== undefined;
  }

  /**
   * Starts hop `name` as the child of the `traceparent` header value `parentHeader` (a new trace when it is
   * absent or invalid; never throws on it). `startTime` is a `performance.now()`-style or epoch time, as the API
   * takes it.
   */
  start(
    name: HopName,
    parentHeader: string | undefined,
    attributes?: HopAttributes,
    startTime?: number,
  ): HopSpan {
    const parent = parseTraceparent(parentHeader);
    if (this.#tracer === undefined) {
      return { context: parent ? childOf(parent) : newTrace(), continued: parent !== undefined, end: noEnd };
    }
    const context: Context = parent
      ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parent.flags,
        isRemote: true,
      })
      : ROOT_CONTEXT;
    const span = this.#tracer.startSpan(
      name,
      { kind: kinds[name], attributes: attributes as Attributes | undefined, startTime, root: !parent },
      context,
    );
    const own = span.spanContext();
    // A span that is not recorded may hand back its parent's context: the hop still gets a span id of its own.
    const usable = /^[0-9a-f]{32}$/.test(own.traceId) && /^[0-9a-f]{16}$/.test(own.spanId) &&
      own.spanId !== "0000000000000000" && own.spanId !== parent?.spanId &&
      own.traceId !== "00000000000000000000000000000000";
    return {
      context: usable
        ? { traceId: own.traceId, spanId: own.spanId, flags: own.traceFlags & 0xff }
        : parent
        ? childOf(parent)
        : newTrace(),
      continued: parent !== undefined,
      end: (more?: HopAttributes, failed?: boolean) => endSpan(span, more, failed),
    };
  }
}

function endSpan(span: Span, attributes: HopAttributes | undefined, failed: boolean | undefined) {
  if (attributes) span.setAttributes(attributes as Attributes);
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: attributes?.outcome });
  span.end();
}
