/**
 * {@link RecordSink} over a kafkajs producer.
 *
 * @module
 */
import { type Kafka, type Message, Partitioners, type Producer, type TopicMessages } from "kafkajs";
import { Buffer } from "node:buffer";
import type { OutRecord, RecordSink } from "../../messaging/records.ts";
import { produceRequests } from "../produce_requests.ts";

function bytes(value: Uint8Array | string | null): Buffer | string | null {
  if (value === null || typeof value === "string" || Buffer.isBuffer(value)) return value;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** Produces with acks from all in-sync replicas, in as few requests as the broker's batch limit allows. */
export class KafkaRecordSink implements RecordSink {
  readonly #producer: Producer;

  private constructor(producer: Producer) {
    this.#producer = producer;
  }

  /** Connects a producer. */
  static async connect(kafka: Kafka): Promise<KafkaRecordSink> {
    // The default (murmur2) partitioner, as Java clients use: the same key lands on the same partition.
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    return new KafkaRecordSink(producer);
  }

  async send(records: readonly OutRecord[]): Promise<void> {
    for (const [start, end] of produceRequests(records)) await this.#sendRequest(records, start, end);
  }

  #sendRequest(records: readonly OutRecord[], start: number, end: number): Promise<unknown> {
    const byTopic = new Map<string, Message[]>();
    for (let i = start; i < end; i++) {
      const r = records[i];
      let messages = byTopic.get(r.topic);
      if (!messages) byTopic.set(r.topic, messages = []);
      messages.push({ key: bytes(r.key), value: bytes(r.value), headers: r.headers });
    }
    const topicMessages: TopicMessages[] = [];
    for (const [topic, messages] of byTopic) topicMessages.push({ topic, messages });
    return this.#producer.sendBatch({ topicMessages, acks: -1 });
  }

  /** Disconnects the producer. */
  close(): Promise<void> {
    return this.#producer.disconnect();
  }
}
