/**
 * Looking into topics from outside the roles (`deno task start`, the tests, the benchmark, the fault suite): how
 * many records a topic holds, the one "consume until N records" loop ({@link consumeUntil}: what to keep of each
 * record and when to stop, read by a consumer group of its own from the beginning), a topic's records up to a
 * count or up to its current end, and deleting a run's topics. Clients come from {@link ./services.ts}'s `testKafka()`.
 * Nothing runs at import.
 *
 * @module
 */
import type { Admin, ConsumerConfig, Kafka, KafkaMessage } from "kafkajs";
import { Buffer } from "node:buffer";
import { uniqueName } from "./services.ts";
import { readTopicsToEnd } from "../src/kafka/topic_snapshot.ts";

/** One record as read back: its key (`""` when it has none), place, broker timestamp (ms) and value. */
export interface TopicRecord {
  key: string;
  partition: number;
  offset: string;
  timestamp: number;
  value: Buffer | null;
  /** Its headers, each value as text. */
  headers: Record<string, string>;
}

/** How a read is done. */
export interface ReadOptions {
  /** The consumer group; by default a new one (`topic-reader-<random>`), so the read starts at the beginning. */
  groupId?: string;
  /** Gives up after this long and returns what was read so far (default 120 s). */
  timeoutMs?: number;
  /** The reader's kafkajs consumer settings beside its group. */
  consumer?: Pick<ConsumerConfig, "maxBytesPerPartition" | "maxWaitTimeInMs">;
}

/** How many records `topic` holds now (the sum over its partitions of high minus low watermark). */
export async function topicCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/** One record as kafkajs hands it to a reader, with its partition. */
export interface ConsumedRecord {
  partition: number;
  message: KafkaMessage;
}

/** What {@link consumeUntil} keeps, and when it is done. */
export interface ConsumeOptions<T> extends ReadOptions {
  /** What to keep of one record, in arrival order; `undefined` skips it. */
  keep: (record: ConsumedRecord) => T | undefined;
  /** Done once this many records are kept, or once the function says so (asked after each record). */
  until: number | ((kept: readonly T[]) => boolean);
  /** At the timeout: return what was kept (the default), or throw an Error saying how many arrived. */
  onTimeout?: "return" | "throw";
}

/**
 * The one "consume until N records" loop of tests, support and scripts: reads `topic` from the beginning with a
 * consumer group of its own, keeps what `keep` makes of each record until `until` is met (records after that are
 * not kept), and disconnects. Resolves at once with `[]` when `until` is met before any record.
 */
export async function consumeUntil<T>(kafka: Kafka, topic: string, options: ConsumeOptions<T>): Promise<T[]> {
  const kept: T[] = [];
  const { until } = options;
  const done = typeof until === "number" ? () => kept.length >= until : () => until(kept);
  if (done()) return kept;
  const consumer = kafka.consumer({
    groupId: options.groupId ?? uniqueName("topic-reader"),
    ...options.consumer,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (options.onTimeout !== "throw") return resolve();
        const of = typeof until === "number" ? ` of ${until}` : "";
        reject(new Error(`only ${kept.length}${of} records on ${topic} before the time ran out`));
      }, options.timeoutMs ?? 120_000);
      let finished = false;
      consumer.run({
        eachBatch: ({ batch }) => {
          for (const message of batch.messages) {
            if (finished) break;
            const item = options.keep({ partition: batch.partition, message });
            if (item !== undefined) kept.push(item);
            if (done()) {
              finished = true;
              clearTimeout(timer);
              resolve();
            }
          }
          return Promise.resolve();
        },
      }).catch((error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return kept;
}

/** A record as {@link TopicRecord}. */
function topicRecord({ partition, message }: ConsumedRecord): TopicRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value ?? "");
  return {
    key: message.key?.toString() ?? "",
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
    value: message.value,
    headers,
  };
}

/**
 * Reads `topic` from the beginning until at least `expected` records have arrived (or the time runs out) and
 * returns them, in arrival order.
 */
export function readTopic(
  kafka: Kafka,
  topic: string,
  expected: number,
  options: ReadOptions = {},
): Promise<TopicRecord[]> {
  return consumeUntil(kafka, topic, {
    ...options,
    keep: topicRecord,
    until: expected,
    consumer: { maxBytesPerPartition: 8 << 20, ...options.consumer },
  });
}

/**
 * Reads every record `topic` holds now (up to each partition's current end, found first) and returns them, by
 * partition and offset; an empty or missing topic gives `[]`. Records appended meanwhile may or may not be
 * included. The product's reader (src/kafka/topic_snapshot.ts, `chain dlq`'s) does the reading, in a group of
 * its own; it rejects when the ends are not reached within `timeoutMs` (default 120 s).
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  options: Pick<ReadOptions, "timeoutMs"> = {},
): Promise<TopicRecord[]> {
  const records = await readTopicsToEnd(kafka, [topic], {
    groupPrefix: "topic-reader",
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  const decoder = new TextDecoder();
  return records.map((r) => ({
    key: r.key === null ? "" : decoder.decode(r.key),
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    value: r.value === null ? null : Buffer.from(r.value),
    headers: Object.fromEntries(
      Object.entries(r.headers).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  }));
}

/**
 * Deletes `names` (a run's own topics); a topic that is already gone, or a failure, is ignored. Pass the admin
 * that has been watching the topics when there is one: kafkajs keeps refreshing the metadata of every topic an
 * admin has asked about, and only forgets the ones that admin deleted itself. Given the client, it deletes
 * through an admin of its own.
 */
export async function deleteTopics(client: Kafka | Admin, names: string[]): Promise<void> {
  if (names.length === 0) return;
  // Only those that exist: deleting a missing topic makes kafkajs retry and log an error line per try.
  const existing = async (admin: Admin) => {
    const present = new Set(await admin.listTopics());
    return names.filter((name) => present.has(name));
  };
  if ("deleteTopics" in client) {
    const topics = await existing(client).catch(() => names);
    if (topics.length > 0) await client.deleteTopics({ topics }).catch(() => {});
    return;
  }
  const admin = client.admin();
  try {
    await admin.connect();
    const topics = await existing(admin);
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } catch {
    // Best effort: the topics belong to a finished run.
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
