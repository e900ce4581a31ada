/**
 * Reading a dead-letter topic back, up to its current end: each record's key, place, value size and `chain-dlq-*`
 * headers (the value itself is not kept).
 *
 * @module
 */
import type { Kafka } from "kafkajs";
import { readTopicToEnd } from "../../support/topic_reader.ts";

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
  const records = await readTopicToEnd(kafka, topic, { timeoutMs });
  return records.map(({ key, partition, offset, value, headers }) => ({
    key,
    partition,
    offset,
    valueBytes: value?.byteLength ?? 0,
    headers,
  }));
}
