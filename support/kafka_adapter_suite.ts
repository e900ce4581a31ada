/**
 * The tests every pair of Kafka adapters (a RecordSink and a RecordSource over one client) must pass on the real
 * broker: the shared RecordSink/RecordSource contract, the sink splitting what the broker would refuse as one
 * batch, and the source committing only what its handler finished, so a failed batch comes again. The probe
 * (producing to a partition, reading the topic, reading the group's offsets) is kafkajs: a second client checks
 * what the adapters did, and the group's members after a stop (a source leaves its group on SIGTERM, so its
 * partitions move at once rather than after the session timeout). Each test has its own topic and consumer group and deletes them. Used by
 * tests/kafka_adapters_test.ts and tests/platformatic_adapters_test.ts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Kafka } from "kafkajs";
import { ensureTopics } from "../src/kafka/topics.ts";
import type { SourceOptions } from "../src/kafka/source_options.ts";
import type { InRecord, RecordBatch, RecordSink, RecordSource } from "../src/messaging/records.ts";
import { recordsContract } from "../src/messaging/records_contract.ts";
import { uniqueName } from "./services.ts";
import { consumeUntil } from "./topic_reader.ts";

/** A client's adapters, as the suite makes them. */
export interface KafkaAdapters {
  /** The classes' names, for the tests' names. */
  sinkName: string;
  sourceName: string;
  connectSink(): Promise<RecordSink & { close(): Promise<void> }>;
  source(options: SourceOptions): RecordSource;
}

const driverHandles = { sanitizeOps: false, sanitizeResources: false };

/** Every record on `topic` now, read by a throwaway consumer group: partitions ascending, offsets in order. */
export async function readTopic(kafka: Kafka, topic: string, total: number): Promise<InRecord[]> {
  const records = await consumeUntil(kafka, topic, {
    groupId: uniqueName("contract-reader"),
    consumer: { maxWaitTimeInMs: 100 },
    until: total,
    timeoutMs: 30_000,
    onTimeout: "throw",
    keep: ({ partition, message }): InRecord => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      return {
        topic,
        partition,
        offset: message.offset,
        key: message.key === null ? null : new Uint8Array(message.key),
        value: message.value === null ? null : new Uint8Array(message.value),
        headers,
        timestamp: Number(message.timestamp),
      };
    },
  });
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** Registers the suite's Deno.test cases for `adapters`, probing with `kafka`. */
export function kafkaAdapterSuite(kafka: Kafka, adapters: KafkaAdapters): void {
  recordsContract(`${adapters.sinkName} and ${adapters.sourceName}`, async () => {
    const topic = uniqueName("contract");
    const groupId = uniqueName("contract-group");
    const admin = kafka.admin();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    let sink: (RecordSink & { close(): Promise<void> }) | undefined;
    const cleanup = async () => {
      await sink?.close();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.disconnect();
    };
    try {
      await admin.connect();
      await producer.connect();
      await ensureTopics(admin, [topic], 2, 1);
      sink = await adapters.connectSink();
    } catch (error) {
      await cleanup();
      throw error;
    }
    return {
      topic,
      sink,
      source: adapters.source({ groupId, topic, concurrency: 2 }),
      probe: {
        async produce(partition, records) {
          await producer.send({
            topic,
            acks: -1,
            messages: records.map((r) => ({
              partition,
              key: r.key === null ? null : Buffer.from(r.key),
              value: Buffer.from(r.value),
              headers: r.headers,
            })),
          });
        },
        async read() {
          const offsets = await admin.fetchTopicOffsets(topic);
          return readTopic(kafka, topic, offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0));
        },
        async committed() {
          const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] });
          const out: Record<number, string> = {};
          for (const p of partitions) if (p.offset !== "-1") out[p.partition] = p.offset;
          return out;
        },
      },
      cleanup,
    };
  });

  Deno.test({
    name:
      `${adapters.sinkName} sends 3 MiB for one partition, more than one broker batch, and every record arrives`,
    ...driverHandles,
    async fn() {
      const topic = uniqueName("sink");
      const admin = kafka.admin();
      await admin.connect();
      const sink = await adapters.connectSink();
      try {
        await ensureTopics(admin, [topic], 3, 1);
        assert.deepEqual(await ensureTopics(admin, [topic], 3, 1), [], "an existing topic is left alone");
        const value = new Uint8Array(1024).fill(65);
        await sink.send(Array.from({ length: 3072 }, () => ({ topic, key: "same-key", value })));
        const offsets = await admin.fetchTopicOffsets(topic);
        assert.equal(offsets.reduce((sum, p) => sum + Number(p.high), 0), 3072);
        assert.equal(offsets.filter((p) => Number(p.high) > 0).length, 1, "one key, one partition");
      } finally {
        await sink.close();
        await admin.deleteTopics({ topics: [topic] }).catch(() => {});
        await admin.disconnect();
      }
    },
  });

  Deno.test({
    name: `${adapters.sourceName} hands a failed batch again, commits finished ones, and stops when aborted`,
    ...driverHandles,
    async fn() {
      const topic = uniqueName("source");
      const groupId = uniqueName("source-group");
      const admin = kafka.admin();
      await admin.connect();
      const sink = await adapters.connectSink();
      try {
        await ensureTopics(admin, [topic], 1, 1);
        await sink.send(Array.from({ length: 10 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })));
        const seen: string[] = [];
        let failures = 0;
        let committedAfterFailure: string | undefined;
        const controller = new AbortController();
        const source = adapters.source({ groupId, topic, concurrency: 1 });
        await source.run(async (batch: RecordBatch) => {
          if (failures === 0) {
            failures++;
            throw new Error("first attempt fails");
          }
          committedAfterFailure ??=
            (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions[0].offset;
          seen.push(...batch.records.map((r) => new TextDecoder().decode(r.value!)));
          if (seen.length >= 10) controller.abort();
        }, controller.signal);
        assert.equal(failures, 1);
        assert.equal(committedAfterFailure, "-1", "nothing committed for the failed batch");
        assert.deepEqual(
          seen,
          Array.from({ length: 10 }, (_, i) => `v${i}`),
          "every record once after the retry",
        );
        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        assert.equal(committed[0].partitions[0].offset, "10");
      } finally {
        await sink.close();
        await admin.deleteTopics({ topics: [topic] }).catch(() => {});
        await admin.deleteGroups([groupId]).catch(() => {});
        await admin.disconnect();
      }
    },
  });

  Deno.test({
    name:
      `${adapters.sourceName} leaves its consumer group when stopped: the group has no member right after the stop`,
    ...driverHandles,
    async fn() {
      const topic = uniqueName("leave");
      const groupId = uniqueName("leave-group");
      const admin = kafka.admin();
      await admin.connect();
      const sink = await adapters.connectSink();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 30_000);
      try {
        await ensureTopics(admin, [topic], 1, 1);
        await sink.send([{ topic, key: "k", value: "v" }]);
        const members = async () => (await admin.describeGroups([groupId])).groups[0];
        let whileHandling: string[] = [];
        // A session of a minute: a member that did not leave would still be listed when the group is described
        // right after the stop, however slow this host is (no time is asserted).
        await adapters.source({ groupId, topic, concurrency: 1, sessionTimeoutMs: 60_000 }).run(async () => {
          whileHandling = (await members()).members.map((m) => m.memberId);
          controller.abort();
        }, controller.signal);
        const group = await members();
        assert.equal(
          whileHandling.length,
          1,
          "the source was the group's one member while it handled a batch",
        );
        assert.deepEqual(group.members.map((m) => m.memberId), [], "no member left after the stop");
        assert.equal(group.state, "Empty");
      } finally {
        clearTimeout(timer);
        await sink.close();
        await admin.deleteTopics({ topics: [topic] }).catch(() => {});
        await admin.deleteGroups([groupId]).catch(() => {});
        await admin.disconnect();
      }
    },
  });
}
