/**
 * service-2: fulfils validated orders — saves the order and takes the items off the inventory, then sends the
 * confirmation email — and records invalid orders as rejected. Each step is recorded in the order store, so a
 * redelivered message (a crash between processing and commit) repeats none of them.
 *
 * @module
 */
import type { InRecord, OutRecord, RecordBatch, RecordSink, RecordSource } from "../messaging/records.ts";
import type { Logger } from "../logging/logger.ts";
import type { Keyring } from "../envelope/keyring.ts";
import { type EnrichedOrder, parseEnrichedOrder } from "../order/order.ts";
import type { FulfillmentState, OrderStore, SavedOrder } from "../fulfilment/order_store.ts";
import type { Mailer } from "../fulfilment/mailer.ts";
import { deadLetter as deadLetterRecord } from "../messaging/dead_letter.ts";
import { PayloadError } from "../failure/payload_error.ts";
import { isRetriable, retryWhileRetriable } from "../failure/retry_policy.ts";
import type { ChainMetrics } from "../observability/chain_metrics.ts";
import { countOutputs } from "./count_outputs.ts";
import { countReplays } from "./count_replays.ts";
import { readEnvelope } from "./read_envelope.ts";
import { settleAll } from "./settle_all.ts";
import type { HopTracer } from "../tracing/spans.ts";
import { TRACEPARENT_HEADER } from "../tracing/traceparent.ts";

/** What service-2 talks to. */
export interface Service2Deps {
  source: RecordSource;
  sink: RecordSink;
  /** Opens each input with the key its `chain-key-id` header names. */
  keyring: Keyring;
  store: OrderStore;
  mailer: Mailer;
  logger: Logger;
  /** Counts for `/metrics`; none kept when absent. */
  metrics?: ChainMetrics;
  /** Hop spans ("fulfil"), passed in by the wiring (one per process). */
  tracer: HopTracer;
  /** The role's stop signal: it ends the wait of a mail's mark that keeps failing (see {@link markRetry}). */
  signal?: AbortSignal;
}

/** Topics and limits. */
export interface Service2Options {
  dlqTopic: string;
  /** Larger input messages are dead-lettered as oversize. */
  maxMessageBytes: number;
  /** The largest record the broker takes on service-2's dead-letter topic (see dead_letter.ts). */
  recordLimitBytes: number;
}

/** Counts since start; `repeated` counts redeliveries that found their work already done. */
export interface Service2Stats {
  fulfilled: number;
  rejected: number;
  repeated: number;
  deadLettered: number;
}

/** The row service-2 saves for an order; an invalid order keeps what it had and its reason. */
export function savedOrder(requestId: string, order: EnrichedOrder): SavedOrder {
  const valid = order.validationStatus === "valid";
  return {
    requestId,
    orderId: typeof order.orderId === "string" ? order.orderId : "",
    userId: typeof order.userId === "string" ? order.userId : "",
    email: typeof order.email === "string" ? order.email : "",
    amount: typeof order.amount === "number" ? order.amount : NaN,
    items: valid && Array.isArray(order.items) ? order.items : [],
    status: valid ? "fulfilled" : "rejected",
    reason: valid ? undefined : order.validationReason ?? "invalid",
    processedBy: order.processedBy,
    validatedAt: new Date(order.validatedAt),
  };
}

/** What {@link fulfil} did with an order. */
export type Outcome = "fulfilled" | "rejected" | "repeated";

/**
 * How the mark of a mail already sent keeps being tried while the store fails in a way that may pass
 * (Cassandra paused or restarting): with no time limit, until it holds, the failure turns out permanent, or
 * the role's stop signal ({@link Service2Deps.signal}) aborts. Failing the batch instead would send the mail
 * again on its next try: the fault suite's 30 s Cassandra pause sent 39 mails twice that way, and a 60 s
 * limit still did so for any outage longer than that. While the mark waits, its order is neither done nor
 * failed: in key ordering (PartitionLane) other orders of the partition go on, up to MAX_IN_FLIGHT in hand,
 * but the partition's committed offset cannot pass the waiting order (the commit rule), the same as with the
 * store down.
 */
export const markRetry = { maxMs: Infinity, minDelayMs: 200, maxDelayMs: 5_000 };

/** A request the store has never seen. */
const nothingDone: FulfillmentState = { saved: false, emailed: false, stockTaken: false };

/**
 * Fulfils or rejects one order whose steps done so far are `state`, doing only what is not done. A valid order is
 * done once its mail is marked sent: until then, a redelivery saves the order and takes its stock again
 * (rewrites that change nothing) and sends the mail again.
 */
export async function fulfil(
  requestId: string,
  order: EnrichedOrder,
  state: FulfillmentState,
  deps: Pick<Service2Deps, "store" | "mailer" | "signal">,
): Promise<Outcome> {
  const saved = savedOrder(requestId, order);
  if (saved.status === "rejected") {
    if (state.saved) return "repeated";
    await deps.store.save(saved);
    return "rejected";
  }
  if (state.emailed) return "repeated";
  // One request saves the order and takes its stock, before the mail: with the mark, a fresh order costs two
  // requests of its own; the batch's state query is shared by all of the batch's orders.
  await deps.store.saveAndTakeStock(saved);
  // Sent before it is marked: a crash between the two sends the mail again (at least once); the Message-ID
  // is derived from the request_id so a mail system can drop the duplicate.
  await deps.mailer.sendConfirmation({
    requestId,
    orderId: saved.orderId,
    to: saved.email,
    amount: saved.amount,
    items: saved.items,
  });
  // Marked at once, not with the rest of the batch: a crash between mail and mark repeats only the mails in
  // flight (a batch-wide mark, tried, repeated every mail of the batch's partitions in the end-to-end test).
  await retryWhileRetriable(() => deps.store.markEmailed([requestId]), { ...markRetry, signal: deps.signal });
  return "fulfilled";
}

/** Orders of one batch fulfilled at once; orders of one request_id still go one after another. */
export const fulfilConcurrency = 32;

/** The state a request is in after {@link fulfil} returned `outcome` for it. */
function after(state: FulfillmentState, outcome: Outcome): FulfillmentState {
  if (outcome === "fulfilled") return { saved: true, stockTaken: true, emailed: true };
  if (outcome === "rejected") return { ...state, saved: true };
  return state;
}

/**
 * Processes one batch: one query for the steps done of all its requests, then different requests concurrently
 * and the same request in order. Dead letters go out before the batch is committed; if any order fails
 * (Cassandra or SMTP down), the whole batch fails after every order settled, and comes again: the done steps
 * are not repeated.
 */
export async function fulfilBatch(
  batch: RecordBatch,
  deps: Pick<
    Service2Deps,
    "sink" | "keyring" | "store" | "mailer" | "logger" | "metrics" | "tracer" | "signal"
  >,
  options: Service2Options,
  stats: Service2Stats,
): Promise<void> {
  const deadLetters: OutRecord[] = [];
  const dlq = { topic: options.dlqTopic, limitBytes: options.recordLimitBytes };
  const byRequest = new Map<string, { order: EnrichedOrder; record: InRecord; workerName: string }[]>();
  // service-2's hop of each order's trace: a child of the router's span, from the record's `traceparent`.
  const { tracer } = deps;
  const deadLetter = (record: InRecord, reason: string, detail: string) => {
    deadLetters.push(deadLetterRecord(record, reason, detail, dlq));
    stats.deadLettered++;
    deps.logger.warn({ offset: record.offset, partition: record.partition, reason }, detail);
  };
  const reads = await Promise.all(
    batch.records.map((record) => readEnvelope(record, deps.keyring, options.maxMessageBytes)),
  );
  for (let i = 0; i < reads.length; i++) {
    const read = reads[i];
    if (read.kind === "dead_letter") {
      deadLetter(batch.records[i], read.reason, read.detail);
      if (tracer.recording) {
        tracer.start("fulfil", batch.records[i].headers[TRACEPARENT_HEADER], { topic: batch.topic })
          .end({ outcome: `dead_letter:${read.reason}` }, true);
      }
      continue;
    }
    try {
      const order = parseEnrichedOrder(read.payload);
      const requestId = read.envelope.request_id.toLowerCase();
      const orders = byRequest.get(requestId);
      const entry = { order, record: batch.records[i], workerName: read.envelope.worker_name };
      if (orders) orders.push(entry);
      else byRequest.set(requestId, [entry]);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      deadLetter(batch.records[i], "invalid_payload", error.message);
    }
  }
  const states = byRequest.size > 0 ? await deps.store.states([...byRequest.keys()]) : new Map();
  await settleAll([...byRequest], fulfilConcurrency, async ([requestId, orders]) => {
    let state: FulfillmentState = states.get(requestId) ?? nothingDone;
    for (const { order, record, workerName } of orders) {
      const hop = tracer.start("fulfil", record.headers[TRACEPARENT_HEADER], {
        request_id: requestId,
        worker_name: workerName,
        topic: batch.topic,
      });
      let outcome: Outcome;
      try {
        outcome = await fulfil(requestId, order, state, deps);
      } catch (error) {
        // A failure that says it is permanent (a 5xx mail rejection) would fail every later try the same way:
        // the order goes to the dead-letter topic, where it can be replayed once the cause is fixed (the steps
        // already done are not repeated). Anything else fails the batch, which comes again.
        if (isRetriable(error)) {
          hop.end({ outcome: "retry" }, true);
          throw error;
        }
        deadLetter(record, "permanent_failure", (error as Error).message);
        hop.end({ outcome: "dead_letter:permanent_failure" }, true);
        continue;
      }
      state = after(state, outcome);
      hop.end({ outcome });
      stats[outcome]++;
      deps.metrics?.orders.inc({ outcome });
      if (deps.logger.isLevelEnabled("info")) {
        deps.logger.info(
          { request_id: requestId, outcome, trace_id: hop.context.traceId },
          `order ${outcome}`,
        );
      }
    }
  });
  await deps.sink.send(deadLetters);
  if (deps.metrics) {
    deps.metrics.received.inc({ topic: batch.topic }, batch.records.length);
    countOutputs(deps.metrics, deadLetters, options.dlqTopic, "service-2");
    countReplays(deps.metrics, batch.records);
  }
}

/** Runs service-2 until `signal` aborts; returns its counts. */
export async function runService2(deps: Service2Deps, options: Service2Options, signal: AbortSignal) {
  const stats: Service2Stats = { fulfilled: 0, rejected: 0, repeated: 0, deadLettered: 0 };
  await deps.source.run((batch) => fulfilBatch(batch, { ...deps, signal }, options, stats), signal);
  deps.logger.info({ ...stats }, "service-2 stopped consuming");
  return stats;
}
