/**
 * Reading a dead-letter topic back, up to its current end: each record's key, place, value size and `chain-dlq-*`
 * headers (the value itself is not kept).
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { uniqueName } from "../../support/services.ts";

/** One dead-letter record as read back. */
export interface DeadLetter {
  key: string;
  partition: number;
  offset: string;
  valueBytes: number;
  headers: Record<string, string>;
}

/** Every record `topic` holds now (empty if it has none or does not exist). */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  timeoutMs = 60_000,
): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).catch(() => []).finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((e) => e.high !== e.low).map((e) => [e.partition, BigInt(e.high)]));
  const out: DeadLetter[] = [];
  if (remaining.size === 0) return out;
  const consumer = kafka.consumer({
    groupId: uniqueName("faults-dlq-reader"),
    maxBytesPerPartition: 4 << 20,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, timeoutMs);
      consumer.run({
        eachBatch: ({ batch }) => {
          const end = remaining.get(batch.partition);
          for (const m of batch.messages) {
            if (end === undefined || BigInt(m.offset) >= end) continue;
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(m.headers ?? {})) headers[name] = String(value ?? "");
            out.push({
              key: m.key?.toString() ?? "",
              partition: batch.partition,
              offset: m.offset,
              valueBytes: m.value?.byteLength ?? 0,
              headers,
            });
            if (BigInt(m.offset) + 1n >= end) remaining.delete(batch.partition);
          }
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
  return out;
}
