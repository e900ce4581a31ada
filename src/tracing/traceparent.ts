/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) `traceparent` values, as chain carries them in a Kafka
 * header from hop to hop: parse, format, and continue (same trace id, new span id). Pure string work plus a pool
 * of random bytes, so a hop costs a few string operations whether or not spans are exported.
 *
 * @module
 */

/** The Kafka header that carries the trace context (the W3C header name, lower case). */
export const TRACEPARENT_HEADER = "traceparent";
/** The vendor-specific companion of `traceparent`; passed on unchanged with a valid `traceparent`. */
export const TRACESTATE_HEADER = "tracestate";

/** One hop's place in a trace: the trace, the hop's span, and the trace flags (bit 0: sampled). */
export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lower-case hex digits, not all zero: the span that wrote the header (the receiver's parent). */
  readonly spanId: string;
  /** 0–255; bit 0 is `sampled`. */
  readonly flags: number;
}

/** The `sampled` trace flag. */
export const SAMPLED = 0x01;

const INVALID_TRACE_ID = "0".repeat(32);
const INVALID_SPAN_ID = "0".repeat(16);
const shape = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-|$)/;

/**
 * Reads a `traceparent` header value; `undefined` when it is absent or invalid (the caller then starts a new
 * trace). Follows the spec's rules: version `ff` is invalid; version `00` is exactly 55 characters; a higher
 * (future) version may be longer, with a `-` after the flags, and is read as version `00`; ids are lower-case
 * hex and not all zero. Surrounding spaces and tabs (header folding) are ignored.
 */
export function parseTraceparent(value: string | null | undefined): TraceContext | undefined {
  if (typeof value !== "string") return undefined;
  const v = value.length === 55 ? value : value.trim();
  if (v.length < 55) return undefined;
  const m = shape.exec(v);
  if (m === null) return undefined;
  const version = m[1];
  if (version === "ff") return undefined;
  if (version === "00" && v.length !== 55) return undefined;
  const traceId = m[2];
  const spanId = m[3];
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  return { traceId, spanId, flags: parseInt(m[4], 16) };
}

/** The `traceparent` value of `context`, version `00`. */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${hexByte[context.flags & 0xff]}`;
}

/** The context a hop passes on when `parent` called it: the same trace and flags, a new span id. */
export function childOf(parent: TraceContext): TraceContext {
  return { traceId: parent.traceId, spanId: newSpanId(), flags: parent.flags };
}

/**
 * A new trace (a new trace id and span id). It is marked sampled, so that a later hop which exports spans records
 * its part of the trace even when the hop that started it exports nothing.
 */
export function newTrace(): TraceContext {
  return { traceId: newTraceId(), spanId: newSpanId(), flags: SAMPLED };
}

/** The context to pass on after a hop called with header `value`: its child, or a new trace when it is unusable. */
export function continueTrace(value: string | null | undefined): TraceContext {
  const parent = parseTraceparent(value);
  return parent ? childOf(parent) : newTrace();
}

const hexByte: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Random bytes drawn in blocks, so an id costs a table look-up per byte rather than a call into the runtime. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let out = "";
  for (let i = 0; i < bytes; i++) out += hexByte[pool[poolAt++]];
  return out;
}

/** 16 random bytes as 32 hex digits, never all zero. */
export function newTraceId(): string {
  for (;;) {
    const id = randomHex(16);
    if (id !== INVALID_TRACE_ID) return id;
  }
}

/** 8 random bytes as 16 hex digits, never all zero. */
export function newSpanId(): string {
  for (;;) {
    const id = randomHex(8);
    if (id !== INVALID_SPAN_ID) return id;
  }
}
