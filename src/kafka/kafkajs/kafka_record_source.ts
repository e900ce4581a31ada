/**
 * {@link RecordSource} over a kafkajs consumer: manual commits after the handler, partitions in parallel.
 *
 * @module
 */
import type { Consumer, IHeaders, Kafka, KafkaMessage } from "kafkajs";
import type { InRecord, RecordBatch, RecordSource } from "../../messaging/records.ts";
import { ConsumerContact } from "../consumer_contact.ts";
import { groupSession, type SourceOptions } from "../source_options.ts";

function headers(raw: IHeaders | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (!raw) return out;
  for (const [name, value] of Object.entries(raw)) {
    out[name] = value === undefined ? undefined : Array.isArray(value) ? String(value[0]) : String(value);
  }
  return out;
}

/** A kafkajs message as an {@link InRecord} (the first value of a repeated header). */
export function kafkajsInRecord(topic: string, partition: number, m: KafkaMessage): InRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: m.headers ? headers(m.headers) : {},
    timestamp: Number(m.timestamp),
  };
}

/** Consumes one topic in a consumer group; see {@link RecordSource} for the commit contract. */
export class KafkaRecordSource implements RecordSource {
  readonly #kafka: Kafka;
  readonly #options: SourceOptions;

  readonly #contact: ConsumerContact;

  constructor(kafka: Kafka, options: SourceOptions) {
    this.#kafka = kafka;
    this.#options = options;
    this.#contact = new ConsumerContact(options.groupId, "fetch or heartbeat");
  }

  /** Undefined while the consumer is in its group and heard from Kafka lately; otherwise what is missing. */
  health(): string | undefined {
    return this.#contact.health();
  }

  async run(handler: (batch: RecordBatch) => Promise<void>, signal: AbortSignal): Promise<void> {
    const session = groupSession(this.#options.sessionTimeoutMs);
    const consumer: Consumer = this.#kafka.consumer({
      groupId: this.#options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      // A member that dies is noticed after the session timeout and its partitions go to the others (2 s unless
      // KAFKA_SESSION_TIMEOUT_MS, see source_options.ts). Heartbeats go out every quarter of it, also while a slow batch is being handled (below), so
      // a live member is not taken for dead. kafkajs 2.2.4 has no static membership (no group.instance.id): the
      // instance id is not used, and a restarted member always joins as a new one.
      sessionTimeout: session.sessionTimeoutMs,
      heartbeatInterval: session.heartbeatIntervalMs,
    });
    const contact = () => this.#contact.heard();
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.#contact.joined();
    });
    consumer.on(consumer.events.FETCH, contact);
    consumer.on(consumer.events.HEARTBEAT, contact);
    for (const left of [consumer.events.STOP, consumer.events.DISCONNECT, consumer.events.CRASH]) {
      consumer.on(left, () => this.#contact.left());
    }
    await consumer.connect();
    const stopped = new Promise<void>((resolve, reject) => {
      // stop() leaves the group (a LeaveGroup request), so the partitions go to the other members at once, not
      // after the session timeout; disconnect() below stops first too, for the paths that skip this one.
      const stop = () => consumer.stop().finally(resolve);
      if (signal.aborted) stop();
      else signal.addEventListener("abort", stop, { once: true });
      // kafkajs restarts the consumer after retriable failures; after any other it stops for good. Then the
      // role must end with an error (and be restarted by its supervisor), not sit idle looking healthy.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) {
          reject(new Error(`consumer of ${this.#options.topic} stopped: ${payload.error.message}`));
        }
      });
    });
    try {
      await consumer.subscribe({ topics: [this.#options.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.#options.concurrency,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isStale, commitOffsetsIfNecessary }) => {
          // After a stop request, take no new batch: it stays uncommitted and comes to the next consumer.
          if (batch.isEmpty() || isStale() || signal.aborted) return;
          const records = batch.messages.map((m) => kafkajsInRecord(batch.topic, batch.partition, m));
          const beat = setInterval(() => heartbeat().catch(() => {}), session.heartbeatIntervalMs);
          try {
            await handler({ topic: batch.topic, partition: batch.partition, records });
          } finally {
            clearInterval(beat);
          }
          const last = batch.lastOffset();
          // The batch payload's commit, unlike consumer.commitOffsets, still commits while the consumer is
          // stopping: a batch finished after SIGTERM is committed, not replayed.
          await commitOffsetsIfNecessary({
            topics: [{
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
            }],
          });
          resolveOffset(last);
          this.#options.metrics?.consumerLag.set(
            { topic: batch.topic, partition: String(batch.partition) },
            Number(batch.offsetLag()),
          );
          await heartbeat();
        },
      });
      await stopped;
    } finally {
      await consumer.disconnect();
    }
  }
}
