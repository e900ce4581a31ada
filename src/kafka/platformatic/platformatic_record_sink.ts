/**
 * {@link RecordSink} over a @platformatic/kafka producer.
 *
 * @module
 */
import { type MessageToProduce, ProduceAcks, Producer } from "@platformatic/kafka";
import { Buffer } from "node:buffer";
import type { OutRecord, RecordSink } from "../../messaging/records.ts";
import { produceRequests } from "../produce_requests.ts";
import { observeClient, type PlatformaticKafka, PRODUCER_RETRIES } from "./platformatic_client.ts";

/**
 * Kafka's murmur2 hash of `data` (a signed 32-bit integer), as the Java client's `Utils.murmur2` and kafkajs
 * compute it, in 32-bit integer arithmetic.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length % 4;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2] << 16;
    if (tail >= 2) h ^= data[whole + 1] << 8;
    h ^= data[whole];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition (before the producer takes it modulo the topic's partition count) for a key, as the Java
 * client's default partitioner and kafkajs's DefaultPartitioner choose it: `murmur2(key) & 0x7fffffff`.
 * (@platformatic/kafka's own default uses `>>> 0`, which differs for negative hashes unless the partition count
 * is a power of two.)
 */
export function keyPartition(key: Uint8Array): number {
  return murmur2(key) & 0x7fffffff;
}

function bytes(value: Uint8Array | string): Buffer {
  if (typeof value === "string") return Buffer.from(value, "utf8");
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

const headerSerializer = (value?: string) => value === undefined ? undefined : Buffer.from(value, "utf8");

type Message = MessageToProduce<Buffer, Buffer, string, string>;

/** Produces with acks from all in-sync replicas, in as few requests as the broker's batch limit allows. */
export class PlatformaticRecordSink implements RecordSink {
  readonly #producer: Producer<Buffer, Buffer, string, string>;

  private constructor(producer: Producer<Buffer, Buffer, string, string>) {
    this.#producer = producer;
  }

  /** Creates a producer and connects it to the cluster (failing here if Kafka cannot be reached). */
  static async connect(kafka: PlatformaticKafka): Promise<PlatformaticRecordSink> {
    let roundRobin = 0;
    const producer = new Producer<Buffer, Buffer, string, string>({
      ...kafka.options,
      retries: PRODUCER_RETRIES,
      acks: ProduceAcks.ALL,
      // Keyed records: the Java client's partition for the key. Keyless ones: round robin.
      partitioner: (_message, key) => key ? keyPartition(key) : (roundRobin = (roundRobin + 1) & 0x7fffffff),
      serializers: { headerKey: headerSerializer, headerValue: headerSerializer },
    });
    observeClient(producer, kafka.logger, "producer");
    try {
      await producer.connectToBrokers(null);
    } catch (error) {
      await producer.close().catch(() => {});
      throw error;
    }
    return new PlatformaticRecordSink(producer);
  }

  async send(records: readonly OutRecord[]): Promise<void> {
    for (const [start, end] of produceRequests(records)) {
      const messages: Message[] = [];
      for (let i = start; i < end; i++) {
        const r = records[i];
        messages.push({
          topic: r.topic,
          key: r.key === null ? undefined : bytes(r.key),
          value: bytes(r.value),
          headers: r.headers as Record<string, string> | undefined,
        });
      }
      await this.#producer.send({ messages, acks: ProduceAcks.ALL });
    }
  }

  /** Closes the producer. */
  close(): Promise<void> {
    return this.#producer.close();
  }
}
