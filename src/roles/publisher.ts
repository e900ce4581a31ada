/**
 * The publisher: sends orders into the chain as `initial-publisher`, either generated (`--count`, `--rate`,
 * `--invalid-share`) or read as JSON lines from a file or stdin. It prints each request_id on stdout, one a
 * line, once Kafka has acknowledged it.
 *
 * @module
 */
import type { OutRecord, RecordSink } from "../messaging/records.ts";
import type { Logger } from "../logging/logger.ts";
import { encodeEnvelope, KEY_ID_HEADER, sealWithKeyring } from "../envelope/envelope.ts";
import type { Keyring } from "../envelope/keyring.ts";
import { generateOrder } from "../order/order.ts";
import { seededRandom } from "../order/seeded_random.ts";
import { type HopSpan, type HopTracer } from "../tracing/spans.ts";
import { formatTraceparent, TRACEPARENT_HEADER } from "../tracing/traceparent.ts";

/** The worker name the publisher sends as; the route registry sends it on to service-1. */
export const publisherWorkerName = "initial-publisher";

/** A progress display (a bar on a terminal); {@link noProgress} when there is none. */
export interface Progress {
  start(total: number): void;
  advance(count: number): void;
  stop(): void;
}

/** Shows nothing. */
export const noProgress: Progress = { start() {}, advance() {}, stop() {} };

/** What the publisher talks to. */
export interface PublisherDeps {
  sink: RecordSink;
  /** Seals with its active key. */
  keyring: Keyring;
  logger: Logger;
  /** Receives the acknowledged request_ids, one batch at a time. */
  printIds(ids: readonly string[]): Promise<void>;
  progress: Progress;
  /** Waits; injected so tests need not sleep. */
  sleep(ms: number): Promise<void>;
  now(): number;
  /** Hop spans ("publish"), passed in by the wiring (one per process). */
  tracer: HopTracer;
}

/** One order to send, or a line of input that is not one. */
export type OrderInput = { order: unknown } | { error: string };

/** How to publish. */
export interface PublishOptions {
  inboxTopic: string;
  /** Orders per second; 0 sends as fast as Kafka takes them. */
  rate: number;
  /** Largest number of orders in one produce request. */
  batchSize: number;
}

/** Counts of a publisher run. */
export interface PublishStats {
  published: number;
  badInput: number;
}

/** Generated orders: `count` of them, a share `invalidShare` with an invalid amount, from `seed`. */
export function* generatedOrders(count: number, invalidShare: number, seed: number): Generator<OrderInput> {
  const random = seededRandom(seed);
  for (let index = 0; index < count; index++) {
    yield { order: generateOrder(random, { invalidAmount: random() < invalidShare, index }) };
  }
}

/** Orders from JSON lines; blank lines are skipped, a line that is not JSON becomes an error naming its number. */
export async function* jsonLineOrders(lines: AsyncIterable<string>): AsyncGenerator<OrderInput> {
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === "") continue;
    try {
      yield { order: JSON.parse(line) };
    } catch {
      // The line is plaintext order data: say where it is, never what it says.
      yield { error: `input line ${number} is not valid JSON; skipped` };
    }
  }
}

/** Encrypts and sends every order from `orders`, paced to `rate`; resolves with the counts. */
export async function publish(
  orders: Iterable<OrderInput> | AsyncIterable<OrderInput>,
  deps: PublisherDeps,
  options: PublishOptions,
  signal: AbortSignal,
): Promise<PublishStats> {
  const stats: PublishStats = { published: 0, badInput: 0 };
  const started = deps.now();
  let batch: OutRecord[] = [];
  let ids: string[] = [];
  // Each order starts a trace; its `traceparent` header names the publish span, the router's parent.
  const { tracer } = deps;
  let hops: HopSpan[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    try {
      await deps.sink.send(batch);
    } catch (error) {
      for (const hop of hops) hop.end({ outcome: "produce_failed" }, true);
      throw error;
    }
    for (const hop of hops) hop.end({ outcome: "published" });
    hops = [];
    await deps.printIds(ids);
    stats.published += batch.length;
    deps.progress.advance(batch.length);
    batch = [];
    ids = [];
  };
  for await (const input of orders) {
    if (signal.aborted) break;
    if ("error" in input) {
      stats.badInput++;
      deps.logger.error(input.error);
      continue;
    }
    if (options.rate > 0) {
      // Send what is due, then wait for this order's turn.
      const dueAt = started + ((stats.published + batch.length) / options.rate) * 1000;
      if (dueAt > deps.now()) {
        await flush();
        const wait = dueAt - deps.now();
        if (wait > 0) await deps.sleep(wait);
      }
    }
    const requestId = crypto.randomUUID();
    const sealed = await sealWithKeyring(deps.keyring, requestId, publisherWorkerName, input.order);
    const hop = tracer.start("publish", undefined, {
      request_id: requestId,
      worker_name: publisherWorkerName,
      topic: options.inboxTopic,
    });
    if (tracer.recording) hops.push(hop);
    batch.push({
      topic: options.inboxTopic,
      key: requestId,
      value: encodeEnvelope(sealed.envelope),
      headers: { [KEY_ID_HEADER]: sealed.keyId, [TRACEPARENT_HEADER]: formatTraceparent(hop.context) },
    });
    ids.push(requestId);
    if (batch.length >= options.batchSize) await flush();
  }
  await flush();
  return stats;
}
