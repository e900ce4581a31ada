/**
 * The @platformatic/kafka adapters on the real broker: the shared RecordSink/RecordSource contract, the sink
 * splitting what the broker would refuse as one batch, and the source committing only what its handler finished,
 * so a failed batch comes again. The probe (producing to a partition, reading the topic, reading the group's
 * offsets) is kafkajs: a second client checks what the adapters did. Each test has its own topic and consumer
 * group and deletes them.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Partitioners } from "kafkajs";
import { createLogger } from "../src/app/log.ts";
import { ensureTopics } from "../src/kafka/topics.ts";
import { createPlatformaticKafka } from "../src/kafka/platformatic/platformatic_client.ts";
import { PlatformaticRecordSink } from "../src/kafka/platformatic/platformatic_record_sink.ts";
import { PlatformaticRecordSource } from "../src/kafka/platformatic/platformatic_record_source.ts";
import type { InRecord, RecordBatch } from "../src/messaging/records.ts";
import { recordsContract } from "../src/messaging/records_contract.ts";
import { createTopics, serviceAddresses, testKafka, uniqueName } from "../support/services.ts";

const kafka = testKafka("platformatic-adapters-test");
const platformatic = () =>
  createPlatformaticKafka(
    { brokers: serviceAddresses().brokers, clientId: "platformatic-adapters-test" },
    createLogger("error", { role: "platformatic-adapters-test" }),
  );

/** Every record on `topic` now, read by a throwaway consumer group: partitions ascending, offsets in order. */
async function readTopic(topic: string, total: number): Promise<InRecord[]> {
  const records: InRecord[] = [];
  if (total === 0) return records;
  const consumer = kafka.consumer({ groupId: uniqueName("contract-reader"), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${records.length} of ${total} records`)), 30_000);
      consumer.run({
        eachMessage: ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
          records.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key === null ? null : new Uint8Array(message.key),
            value: message.value === null ? null : new Uint8Array(message.value),
            headers,
            timestamp: Number(message.timestamp),
          });
          if (records.length >= total) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

recordsContract("PlatformaticRecordSink and PlatformaticRecordSource", async () => {
  const topic = uniqueName("contract");
  const groupId = uniqueName("contract-group");
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  let sink: PlatformaticRecordSink | undefined;
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
    await createTopics(kafka, [topic], 2);
    sink = await PlatformaticRecordSink.connect(platformatic());
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    topic,
    sink,
    source: new PlatformaticRecordSource(platformatic(), { groupId, topic, concurrency: 2 }),
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
        return readTopic(topic, offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0));
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
    "PlatformaticRecordSink sends 3 MiB for one partition, more than one broker batch, and every record arrives",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const topic = uniqueName("sink");
    const admin = kafka.admin();
    await admin.connect();
    const sink = await PlatformaticRecordSink.connect(platformatic());
    try {
      await ensureTopics(admin, [topic], 3, 1);
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
  name:
    "PlatformaticRecordSink puts each key on the partition kafkajs's (the Java client's) partitioner chooses",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const topic = uniqueName("partitions");
    const admin = kafka.admin();
    await admin.connect();
    const sink = await PlatformaticRecordSink.connect(platformatic());
    try {
      await ensureTopics(admin, [topic], 3, 1);
      const keys = Array.from({ length: 60 }, (_, i) => `${crypto.randomUUID()}-${i}`);
      await sink.send(keys.map((key) => ({ topic, key, value: key })));
      const partitioner = Partitioners.DefaultPartitioner();
      const partitionMetadata = [0, 1, 2].map((partitionId) => ({
        partitionId,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      const read = await readTopic(topic, keys.length);
      for (const r of read) {
        const key = new TextDecoder().decode(r.key!);
        assert.equal(
          r.partition,
          partitioner({ topic, partitionMetadata, message: { key, value: key } }),
          key,
        );
      }
      assert.equal(new Set(read.map((r) => r.partition)).size, 3, "the keys spread over every partition");
    } finally {
      await sink.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  },
});

Deno.test({
  name: "PlatformaticRecordSource hands a failed batch again, commits finished ones, and stops when aborted",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const topic = uniqueName("source");
    const groupId = uniqueName("source-group");
    const admin = kafka.admin();
    await admin.connect();
    const sink = await PlatformaticRecordSink.connect(platformatic());
    try {
      await ensureTopics(admin, [topic], 1, 1);
      await sink.send(Array.from({ length: 10 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })));
      const seen: string[] = [];
      let failures = 0;
      let committedAfterFailure: string | undefined;
      const controller = new AbortController();
      const source = new PlatformaticRecordSource(platformatic(), { groupId, topic, concurrency: 1 });
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
    "PlatformaticRecordSource members share a group: a second member takes partitions over, nothing is lost",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const topic = uniqueName("rebalance");
    const groupId = uniqueName("rebalance-group");
    const admin = kafka.admin();
    await admin.connect();
    const sink = await PlatformaticRecordSink.connect(platformatic());
    try {
      await ensureTopics(admin, [topic], 4, 1);
      const total = 400;
      const value = (i: number) => `v${i}`;
      await sink.send(
        Array.from({ length: total / 2 }, (_, i) => ({ topic, key: `k${i}`, value: value(i) })),
      );
      const handled = new Set<string>();
      const byMember: Record<string, Set<number>> = { a: new Set(), b: new Set() };
      const controller = new AbortController();
      let startB!: () => void;
      const bStarts = new Promise<void>((resolve) => startB = resolve);
      const handler = (member: string) => async (batch: RecordBatch) => {
        const offsets = batch.records.map((r) => BigInt(r.offset));
        assert.ok(offsets.every((o, i) => i === 0 || o > offsets[i - 1]), "a batch is in offset order");
        for (const r of batch.records) handled.add(new TextDecoder().decode(r.value!));
        byMember[member].add(batch.partition);
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (handled.size >= total / 4) startB();
        if (handled.size >= total && byMember.b.size > 0) controller.abort();
      };
      const a = new PlatformaticRecordSource(platformatic(), { groupId, topic, concurrency: 2 })
        .run(handler("a"), controller.signal);
      await bStarts;
      const b = new PlatformaticRecordSource(platformatic(), { groupId, topic, concurrency: 2 })
        .run(handler("b"), controller.signal);
      // More records while the group rebalances and after.
      for (let i = total / 2; i < total; i += 20) {
        await sink.send(
          Array.from({ length: 20 }, (_, j) => ({ topic, key: `k${i + j}`, value: value(i + j) })),
        );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const timer = setTimeout(() => controller.abort(), 60_000);
      await Promise.all([a, b]);
      clearTimeout(timer);
      assert.equal(handled.size, total, "every record handled");
      assert.ok(byMember.b.size > 0, "the second member got partitions");
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      const ends = await admin.fetchTopicOffsets(topic);
      assert.deepEqual(
        committed[0].partitions.map((p) => [p.partition, p.offset]).sort(),
        ends.map((p) => [p.partition, p.high]).sort(),
        "every partition committed to its end",
      );
    } finally {
      await sink.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
      await admin.disconnect();
    }
  },
});

Deno.test({
  name: "PlatformaticRecordSource.run() rejects when the consumer cannot go on (its topic does not exist)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const source = new PlatformaticRecordSource(platformatic(), {
      groupId: uniqueName("missing-group"),
      topic: uniqueName("missing"),
      concurrency: 1,
    });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 60_000);
    try {
      await assert.rejects(source.run(() => Promise.resolve(), controller.signal));
      assert.equal(controller.signal.aborted, false, "it failed by itself, not by the test's timeout");
    } finally {
      clearTimeout(timer);
    }
  },
});
