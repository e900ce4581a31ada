/**
 * Reads topics as they are now: every record up to each partition's end (found first), with its key, value and
 * headers, for `chain dlq`. kafkajs reads only through a consumer group, so the read joins a group of its own
 * (`<prefix>-<random>`), starts at the beginning and never commits: the group holds no offsets and goes when
 * the read ends. A topic that does not exist reads as empty.
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import type { InRecord } from "../messaging/records.ts";
import { kafkajsInRecord } from "./kafkajs/kafka_record_source.ts";

/** How the read is done. */
export interface SnapshotOptions {
  /** The consumer group's prefix; a random suffix makes it the read's own. */
  groupPrefix: string;
  /** Gives up (rejecting) when the ends are not reached in this long; default 60 s. */
  timeoutMs?: number;
}

/**
 * The records `topics` hold now, by topic, partition and offset. Records appended meanwhile may or may not be
 * included.
 *
 * @throws {Error} when the ends are not reached within the timeout (nothing partial is returned)
 */
export async function readTopicsToEnd(
  kafka: Kafka,
  topics: readonly string[],
  options: SnapshotOptions,
): Promise<InRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  // The end of every partition that holds records: "topic/partition" -> high watermark.
  const remaining = new Map<string, bigint>();
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics.filter((t) => existing.has(t))) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (p.high !== p.low) remaining.set(`${topic}/${p.partition}`, BigInt(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const out: InRecord[] = [];
  if (remaining.size === 0) return out;
  const subscribed = [...new Set([...remaining.keys()].map((k) => k.slice(0, k.lastIndexOf("/"))))];
  const groupId = `${options.groupPrefix}-${crypto.randomUUID().slice(0, 8)}`;
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 8 << 20 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: subscribed, fromBeginning: true });
    const timeoutMs = options.timeoutMs ?? 60_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const left = [...remaining.keys()].join(", ");
        reject(new Error(`could not read ${left} to its end within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      consumer.run({
        autoCommit: false,
        eachBatch: ({ batch }) => {
          const place = `${batch.topic}/${batch.partition}`;
          const end = remaining.get(place);
          if (end === undefined) return Promise.resolve();
          for (const m of batch.messages) {
            if (BigInt(m.offset) < end) out.push(kafkajsInRecord(batch.topic, batch.partition, m));
          }
          // The batch's last offset, not its last message's: a control record may end the partition.
          if (!batch.isEmpty() && BigInt(batch.lastOffset()) + 1n >= end) remaining.delete(place);
          if (remaining.size === 0) {
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
  return out.sort((a, b) =>
    a.topic.localeCompare(b.topic) || a.partition - b.partition ||
    (BigInt(a.offset) < BigInt(b.offset) ? -1 : BigInt(a.offset) > BigInt(b.offset) ? 1 : 0)
  );
}
