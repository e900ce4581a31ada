/**
 * {@link RecordSink} over a kafkajs producer.
 *
 * @module
 */
import type { Kafka, Message, Producer, TopicMessages } from "kafkajs";
import { Buffer } from "node:buffer";
import type { OutRecord, RecordSink } from "./records.ts";

function bytes(value: Uint8Array | string | null): Buffer | string | null {
  if (value === null || typeof value === "string" || Buffer.isBuffer(value)) return value;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Produces with acks from all in-sync replicas, one request per `send` for all topics in it. */
export class KafkaRecordSink implements RecordSink {
  readonly #producer: Producer;

  private constructor(producer: Producer) {
    this.#producer = producer;
  }

  /** Connects a producer. */
  static async connect(kafka: Kafka): Promise<KafkaRecordSink> {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    return new KafkaRecordSink(producer);
  }

  async send(records: readonly OutRecord[]): Promise<void> {
    if (records.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      let messages = byTopic.get(r.topic);
      if (!messages) byTopic.set(r.topic, messages = []);
      messages.push({ key: bytes(r.key), value: bytes(r.value), headers: r.headers });
    }
    const topicMessages: TopicMessages[] = [];
    for (const [topic, messages] of byTopic) topicMessages.push({ topic, messages });
    await this.#producer.sendBatch({ topicMessages, acks: -1 });
  }

  /** Disconnects the producer. */
  close(): Promise<void> {
    return this.#producer.disconnect();
  }
}
