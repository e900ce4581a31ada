/**
 * Looking into topics from outside the roles (`deno task start`, the benchmark, the profiler): how many records a
 * topic holds, its records up to a count or up to its current end (each read by a consumer group of its own,
 * from the beginning), and deleting a run's topics. Clients come from {@link ./services.ts}'s `testKafka()`.
 * Nothing runs at import.
 *
 * @module
 */
import type { Admin, Kafka } from "kafkajs";
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
}

/** How a read is done. */
export interface ReadOptions {
  /** The consumer group; by default a new one (`topic-reader-<random>`), so the read starts at the beginning. */
  groupId?: string;
  /** Gives up after this long and returns what was read so far (default 120 s). */
  timeoutMs?: number;
}

/** How many records `topic` holds now (the sum over its partitions of high minus low watermark). */
export async function topicCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/**
 * Reads `topic` from the beginning until at least `expected` records have arrived (or the time runs out) and
 * returns them, in arrival order.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  expected: number,
  options: ReadOptions = {},
): Promise<TopicRecord[]> {
  const out: TopicRecord[] = [];
  if (expected <= 0) return out;
  const consumer = kafka.consumer({
    groupId: options.groupId ?? uniqueName("topic-reader"),
    maxBytesPerPartition: 8 << 20,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.timeoutMs ?? 120_000);
      consumer.run({
        eachBatch: ({ batch }) => {
          for (const m of batch.messages) {
            out.push({
              key: m.key?.toString() ?? "",
              partition: batch.partition,
              offset: m.offset,
              timestamp: Number(m.timestamp),
              value: m.value,
            });
          }
          if (out.length >= expected) {
            clearTimeout(timer);
            resolve();
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
  return out;
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
