/**
 * service-1: decrypts each order, validates and enriches it, encrypts it again with a fresh IV and sends it back
 * through the inbox as `service-1-publisher`, keeping the request_id. What cannot be read goes to service-1's
 * dead-letter topic with the reason; the service carries on.
 *
 * @module
 */
import type { OutRecord, RecordBatch, RecordSink, RecordSource } from "../messaging/records.ts";
import type { Logger } from "../logging/logger.ts";
import { encodeEnvelope, KEY_ID_HEADER, sealWithKeyring } from "../envelope/envelope.ts";
import type { Keyring } from "../envelope/keyring.ts";
import { enrichOrder, validateOrder } from "../order/order.ts";
import { deadLetter, fitOrDeadLetter } from "../messaging/dead_letter.ts";
import { countOutputs } from "./count_outputs.ts";
import { countReplays } from "./count_replays.ts";
import type { ChainMetrics } from "../observability/chain_metrics.ts";
import { readEnvelope } from "./read_envelope.ts";
import { type HopAttributes, type HopSpan, type HopTracer } from "../tracing/spans.ts";
import { formatTraceparent, TRACEPARENT_HEADER } from "../tracing/traceparent.ts";

/** The worker name service-1 publishes as; the route registry sends it on to service-2. */
export const service1WorkerName = "service-1-publisher";

/** What service-1 talks to. */
export interface Service1Deps {
  source: RecordSource;
  sink: RecordSink;
  /** Opens with the key its input names; seals with the active key. */
  keyring: Keyring;
  logger: Logger;
  now: () => Date;
  /** Counts for `/metrics`; none kept when absent. */
  metrics?: ChainMetrics;
  /** Hop spans ("validate"), passed in by the wiring (one per process). */
  tracer: HopTracer;
}

/** Topics and limits. */
export interface Service1Options {
  inboxTopic: string;
  dlqTopic: string;
  /** Larger input messages are dead-lettered as oversize. */
  maxMessageBytes: number;
  /** The largest record the broker takes on the topics service-1 writes (see dead_letter.ts). */
  recordLimitBytes: number;
}

/** Counts since start. */
export interface Service1Stats {
  valid: number;
  invalid: number;
  deadLettered: number;
}

/** Processes one batch; the enriched orders and the dead letters go out together before the commit. */
export async function validateBatch(
  batch: RecordBatch,
  deps: Pick<Service1Deps, "sink" | "keyring" | "now" | "logger" | "metrics" | "tracer">,
  options: Service1Options,
  stats: Service1Stats,
): Promise<void> {
  const dlq = { topic: options.dlqTopic, limitBytes: options.recordLimitBytes };
  // service-1's hop of each record's trace, the child of the router's; its output to the inbox carries it on.
  const { tracer } = deps;
  const hops: HopSpan[] = new Array(batch.records.length);
  const ends: HopAttributes[] = new Array(batch.records.length);
  // Records are independent: decrypt and encrypt them all at once, keeping their order in the output.
  const out = await Promise.all(batch.records.map(async (record, i): Promise<OutRecord> => {
    const hop = hops[i] = tracer.start("validate", record.headers[TRACEPARENT_HEADER]);
    const read = await readEnvelope(record, deps.keyring, options.maxMessageBytes);
    if (read.kind === "dead_letter") {
      ends[i] = { topic: dlq.topic, outcome: `dead_letter:${read.reason}` };
      stats.deadLettered++;
      deps.logger.warn(
        { offset: record.offset, partition: record.partition, reason: read.reason },
        read.detail,
      );
      return deadLetter(record, read.reason, read.detail, dlq);
    }
    const validation = validateOrder(read.payload);
    const enriched = enrichOrder(read.payload, validation, "service-1", deps.now());
    if (validation.status === "valid") stats.valid++;
    else stats.invalid++;
    const sealed = await sealWithKeyring(
      deps.keyring,
      read.envelope.request_id,
      service1WorkerName,
      enriched,
    );
    const forward = {
      topic: options.inboxTopic,
      key: read.envelope.request_id,
      value: encodeEnvelope(sealed.envelope),
      headers: { [KEY_ID_HEADER]: sealed.keyId, [TRACEPARENT_HEADER]: formatTraceparent(hop.context) },
    };
    const fitted = fitOrDeadLetter(forward, options.recordLimitBytes, record, dlq);
    ends[i] = {
      request_id: read.envelope.request_id,
      worker_name: read.envelope.worker_name,
      topic: fitted.topic,
      outcome: fitted === forward ? validation.status : "dead_letter:oversize",
    };
    return fitted;
  }));
  try {
    await deps.sink.send(out);
  } catch (error) {
    if (tracer.recording) {
      for (const hop of hops) hop.end({ outcome: "produce_failed" }, true);
    }
    throw error;
  }
  if (tracer.recording) {
    for (let i = 0; i < hops.length; i++) hops[i].end(ends[i], ends[i].topic === dlq.topic);
  }
  if (deps.metrics) {
    deps.metrics.received.inc({ topic: batch.topic }, batch.records.length);
    countOutputs(deps.metrics, out, options.dlqTopic, "service-1");
    countReplays(deps.metrics, batch.records);
  }
}

/** Runs service-1 until `signal` aborts; returns its counts. */
export async function runService1(deps: Service1Deps, options: Service1Options, signal: AbortSignal) {
  const stats: Service1Stats = { valid: 0, invalid: 0, deadLettered: 0 };
  await deps.source.run((batch) => validateBatch(batch, deps, options, stats), signal);
  deps.logger.info({ ...stats }, "service-1 stopped consuming");
  return stats;
}
